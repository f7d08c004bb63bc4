-- bench/sarif_doc.sql: the generated SARIF 2.1.0 log that bench/ingest.sh
-- and bench/ingest_floor.sh ingest, as table bench_ingest_doc(doc text),
-- and the unindexed table bench_ingest_plain that their baseline fills.
-- psql variable: results (the number of results).  50 rules over 2,000
-- files, with levels, security-severity, CWE tags and partialFingerprints.
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_ingest_doc, bench_ingest_plain;
CREATE TABLE bench_ingest_doc AS
SELECT jsonb_build_object(
    'version', '2.1.0',
    '$schema', 'https://json.schemastore.org/sarif-2.1.0.json',
    'runs', jsonb_build_array(jsonb_build_object(
        'tool', jsonb_build_object('driver', jsonb_build_object(
            'name', 'BenchScanner', 'version', '1.0',
            'rules', (SELECT jsonb_agg(jsonb_build_object(
                          'id', 'BENCH' || r,
                          'shortDescription', jsonb_build_object('text', 'Benchmark rule ' || r),
                          'defaultConfiguration', jsonb_build_object('level', (ARRAY['note', 'warning', 'error'])[1 + r % 3]),
                          'properties', jsonb_build_object('security-severity', ((r % 100) / 10.0)::text,
                                                           'tags', jsonb_build_array('security', 'external/cwe/cwe-' || (20 + r))))
                          ORDER BY r) FROM generate_series(0, 49) r))),
        'results', (SELECT jsonb_agg(jsonb_build_object(
                        'ruleId', 'BENCH' || (g % 50), 'ruleIndex', g % 50,
                        'message', jsonb_build_object('text', 'Benchmark finding ' || g || ' in module ' || (g % 2000)),
                        'locations', jsonb_build_array(jsonb_build_object('physicalLocation', jsonb_build_object(
                            'artifactLocation', jsonb_build_object('uri', 'src/module' || (g % 2000) || '/file.c'),
                            'region', jsonb_build_object('startLine', g / 2000 + 1, 'startColumn', 5)))),
                        'partialFingerprints', jsonb_build_object('primaryLocationLineHash', md5(g::text) || ':1'))
                        ORDER BY g) FROM generate_series(1, :results) g))))::text AS doc;
CREATE TABLE bench_ingest_plain (rule_id text, message text, uri text, line int, fp text);
