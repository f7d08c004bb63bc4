#!/usr/bin/env bash
# bench/ingest.sh: compmap.ingest() throughput on a generated SARIF 2.1.0 log,
# against a baseline measured in the same run:
#
#   (a) plain:   INSERT INTO an unindexed table SELECT ... FROM
#                jsonb_array_elements(document->'runs'->0->'results'),
#                the same document already in the database
#   (b) ingest:  compmap.ingest() of the document (parse, map, fingerprint,
#                assets, findings with their evidence entries, scan row and
#                scan event), first ingest (every result new)
#   (c) rescan:  compmap.ingest() of the same document again (every result
#                seen again, nothing created)
#
# The document: BENCH_RESULTS results (default 50,000) of 50 rules over
# 2,000 files, with levels, security-severity, CWE tags and
# partialFingerprints, about 27 MB.  Each variant runs BENCH_ROUNDS times on
# a fresh tenant and the best round counts.  Times are psql's \timing of
# each statement in its own transaction, commit included: the evidence log
# writes its Merkle nodes and deferred constraints are checked at commit.  Also prints the backend's peak
# resident memory (VmHWM) after the ingests, against the document's size.
#
# Uses the PG* environment of a running cluster whose database has compmap
# installed (bench/run.sh provides one).
set -euo pipefail
results=${BENCH_RESULTS:-50000}
rounds=${BENCH_ROUNDS:-3}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q >/dev/null <<SQL
DROP TABLE IF EXISTS bench_ingest_doc, bench_ingest_plain;
CREATE TABLE bench_ingest_doc AS
SELECT jsonb_build_object(
    'version', '2.1.0',
    '\$schema', 'https://json.schemastore.org/sarif-2.1.0.json',
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
                        ORDER BY g) FROM generate_series(1, $results) g))))::text AS doc;
CREATE TABLE bench_ingest_plain (rule_id text, message text, uri text, line int, fp text);
SQL
bytes=$(q -c "SELECT octet_length(doc) FROM bench_ingest_doc")
q -c "SELECT pg_prewarm('bench_ingest_doc')" >/dev/null 2>&1 || true

ms() {  # ms SQL -> milliseconds of the statement and its commit, as psql's \timing sees them
    # (deferred constraint checks and the evidence log's Merkle nodes are
    # written at commit, so the commit belongs to the ingest's cost)
    q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
best() { printf '%s\n' "$@" | sort -g | head -1; }

plain=() first=() again=()
for r in $(seq "$rounds"); do
    q -c "TRUNCATE bench_ingest_plain" >/dev/null
    plain+=("$(ms "INSERT INTO bench_ingest_plain
                   SELECT e->>'ruleId', e->'message'->>'text', e->'locations'->0->'physicalLocation'->'artifactLocation'->>'uri',
                          (e->'locations'->0->'physicalLocation'->'region'->>'startLine')::int, e->'partialFingerprints'->>'primaryLocationLineHash'
                     FROM bench_ingest_doc d, jsonb_array_elements(d.doc::jsonb->'runs'->0->'results') e")")
    tenant=$(q -c "SELECT compmap.create_tenant('bench ingest ' || clock_timestamp())")
    first+=("$(ms "SELECT count(*) FROM bench_ingest_doc d, compmap.ingest('$tenant', d.doc, 'sarif', now(), 'bench') i")")
    again+=("$(ms "SELECT count(*) FROM bench_ingest_doc d, compmap.ingest('$tenant', d.doc, 'sarif', now() + interval '1 hour', 'bench') i")")
done
rate() { printf '%.0f' "$(echo "$results * 1000 / $1" | bc -l)"; }
p=$(best "${plain[@]}") f=$(best "${first[@]}") a=$(best "${again[@]}")
printf 'ingest of a generated SARIF log: %d results, %d bytes, best of %d rounds:\n' "$results" "$bytes" "$rounds"
printf '  (a) plain INSERT ... SELECT FROM jsonb_array_elements  %8.0f ms  %8s results/s\n' "$p" "$(rate "$p")"
printf '  (b) compmap.ingest, first scan (all new)               %8.0f ms  %8s results/s\n' "$f" "$(rate "$f")"
printf '  (c) compmap.ingest, same scan again (all seen)         %8.0f ms  %8s results/s\n' "$a" "$(rate "$a")"
printf '  ratio b/a = %.1f   c/a = %.1f\n' "$(echo "$f / $p" | bc -l)" "$(echo "$a / $p" | bc -l)"

# Peak memory of one backend that ingests the document once.
hwm=$(q <<SQL
SELECT compmap.create_tenant('bench ingest memory') AS t \gset
SELECT count(*) FROM bench_ingest_doc d, compmap.ingest(:'t', d.doc, 'sarif', now(), 'memory') i \g /dev/null
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1]
       || ' ' || (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'RssShmem:\s+([0-9]+) kB'))[1];
SQL
)
if [ -n "$hwm" ]; then
    # VmHWM counts the shared buffers the backend touched too (RssShmem,
    # bounded by shared_buffers, not by the document).
    shm=${hwm#* } hwm=${hwm% *}
    printf 'backend peak resident memory after one ingest: %d MB for a %d MB document (%.1f x); shared buffers touched by then: %d MB\n' \
        "$((hwm / 1024))" "$((bytes / 1048576))" "$(echo "$hwm * 1024 / $bytes" | bc -l)" "$((shm / 1024))"
fi
q -c "DROP TABLE bench_ingest_doc, bench_ingest_plain" >/dev/null
