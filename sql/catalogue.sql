--
-- catalogue: framework counts, every ENISA row with its source, the
-- crosswalk's seed answers, RCC-5 composition and polarity case by case,
-- reverse-edge agreement, errors, user frameworks seen in the same session,
-- and finding-to-control rules.  The extension exists (setup).
-- COMPMAP_SHARED is the absolute path of the shared/ folder.
--
\set VERBOSITY terse
\getenv shared COMPMAP_SHARED
\set enisa :shared '/reference/cir2024_2690_to_iso27001.csv'
\set annexa :shared '/reference/iso27001_2022_annex_a.csv'

-- Counts per framework and level.
SELECT framework, kind, count(*) AS n
  FROM compmap.control GROUP BY framework, kind ORDER BY framework, kind;
-- Assessable units: controls that carry a testability flag.
SELECT framework, count(*) AS assessable,
       count(*) FILTER (WHERE testability = 'automated') AS automated,
       count(*) FILTER (WHERE testability = 'partial') AS partial,
       count(*) FILTER (WHERE testability = 'manual') AS manual
  FROM compmap.control WHERE testability IS NOT NULL GROUP BY framework ORDER BY framework;
-- ISO Annex A per theme (37/8/14/34) and the same 93 ids as the reference list.
SELECT parent AS theme, count(*) FROM compmap.control
 WHERE framework = 'iso27001_2022' AND kind = 'control' GROUP BY parent ORDER BY parent;
CREATE TEMP TABLE annex_a (control_id text, title text, theme text);
COPY annex_a FROM :'annexa' (FORMAT csv, HEADER true);
SELECT count(*) AS reference_ids,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM compmap.control c
                                           WHERE c.framework = 'iso27001_2022' AND c.control = a.control_id)) AS missing
  FROM annex_a a;
-- CIS implementation groups (as flagged in CIS's assessment specification).
SELECT attributes->'ig' AS ig, count(*) FROM compmap.control
 WHERE framework = 'cis_v8_1' AND kind = 'safeguard' GROUP BY 1 ORDER BY (attributes->'ig')::text COLLATE "C";

-- Every ENISA row is present, with its source.
CREATE TEMP TABLE enisa (cir_section text, cir_title text, iso_control text, relationship text, source text, note text);
COPY enisa FROM :'enisa' (FORMAT csv, HEADER true);
SELECT count(*) AS reference_rows,
       count(*) FILTER (WHERE e.source IS NULL) AS missing,
       count(*) FILTER (WHERE r.source LIKE 'ENISA%' AND e.source <> 'enisa_tig_map_1_0_iso') AS wrong_source,
       count(*) FILTER (WHERE r.source NOT LIKE 'ENISA%' AND e.source <> 'intuitem_cir_iso27001') AS wrong_source_other
  FROM enisa r
  LEFT JOIN compmap.control_edge e
    ON e.source_framework = 'cir2024_2690' AND e.source_control = r.cir_section
   AND e.target_framework = 'iso27001_2022' AND e.target_control = replace(r.iso_control, 'clause ', '');
SELECT source, count(*) AS edges, count(*) FILTER (WHERE reviewed) AS reviewed
  FROM compmap.control_edge GROUP BY source ORDER BY source;
-- Every edge's source is a registered document.
SELECT count(*) AS edges_without_source FROM compmap.control_edge e
 WHERE NOT EXISTS (SELECT 1 FROM compmap.mapping_source s WHERE s.source = e.source);

-- The seed answers.
SELECT control, relationships, hops, path FROM compmap.crosswalk('cir2024_2690:6.10', 'iso27001_2022') WHERE hops = 1;
SELECT control, relationships, hops FROM compmap.crosswalk('cir2024_2690:6.5', 'iso27001_2022', 1);
SELECT control, relationships, hops FROM compmap.crosswalk('cir2024_2690:6.6', 'iso27001_2022', 1);
-- The Art. 21(2) point the subsection implements, and its polarity.
SELECT framework, control, relationships, pass_propagates, fail_propagates
  FROM compmap.crosswalk('cir2024_2690:6.10', 'nis2', 1);
-- No duplicate rows, no cycles (the start never comes back, no control twice on a path).
SELECT count(*) AS rows, count(DISTINCT (framework, control)) AS distinct_controls,
       count(*) FILTER (WHERE framework || ':' || control = 'iso27001_2022:A.8.8') AS start_returned,
       count(*) FILTER (WHERE (SELECT count(DISTINCT p) FROM unnest(path) p) <> cardinality(path)) AS cyclic_paths,
       count(*) FILTER (WHERE cardinality(path) <> hops + 1) AS bad_paths
  FROM compmap.crosswalk('iso27001_2022:A.8.8', NULL, 3);
-- Stable order: two calls agree row by row.
SELECT count(*) AS differences FROM (
    SELECT row_number() OVER () AS n, * FROM compmap.crosswalk('iso27001_2022:A.8.8') ) a
  FULL JOIN (
    SELECT row_number() OVER () AS n, * FROM compmap.crosswalk('iso27001_2022:A.8.8') ) b USING (n)
 WHERE a IS DISTINCT FROM b;

-- Reverse edges: every stored pair read backwards is its inverse, and
-- wherever both directions are stored they agree.
SELECT count(*) AS disagreeing_pairs
  FROM compmap.control_edge_both d
  JOIN compmap.control_edge_both r
    ON (r.from_framework, r.from_control, r.to_framework, r.to_control)
     = (d.to_framework, d.to_control, d.from_framework, d.from_control)
   AND r.source = d.source AND r.derived <> d.derived
 WHERE r.relationship <> CASE d.relationship WHEN 'subset' THEN 'superset'
                                             WHEN 'superset' THEN 'subset' ELSE d.relationship END;
SELECT count(*) AS stored_both_ways_disagreeing
  FROM compmap.control_edge a JOIN compmap.control_edge b
    ON (b.source_framework, b.source_control, b.target_framework, b.target_control)
     = (a.target_framework, a.target_control, a.source_framework, a.source_control)
 WHERE b.relationship <> CASE a.relationship WHEN 'subset' THEN 'superset'
                                             WHEN 'superset' THEN 'subset' ELSE a.relationship END;
SELECT derived, relationship, count(*) FROM compmap.control_edge_both
 GROUP BY derived, relationship ORDER BY derived, relationship;

-- Composition and polarity, case by case: for every pair of relationships
-- (r1, r2) a user framework gets x -r1-> y -r2-> z; the crosswalk from x
-- must report exactly the RCC-5 cell for z, and y must come back as r1.
SELECT compmap.add_framework('tst', 'Composition test set');
SELECT compmap.add_mapping_source('tst_src', 'Composition test edges');
CREATE TEMP TABLE rels (i int, r text);
INSERT INTO rels VALUES (1, 'equal'), (2, 'subset'), (3, 'superset'), (4, 'intersects'), (5, 'not_related');
SELECT count(*) AS controls_added FROM (
    SELECT compmap.add_control('tst:' || v || a.i || b.i, 'test control')
      FROM rels a, rels b, (VALUES ('x'), ('y'), ('z')) AS n(v)) s;
SELECT count(*) AS edges_added FROM (
    SELECT compmap.add_edge('tst:x' || a.i || b.i, 'tst:y' || a.i || b.i, a.r, 'tst_src'),
           compmap.add_edge('tst:y' || a.i || b.i, 'tst:z' || a.i || b.i, b.r, 'tst_src')
      FROM rels a, rels b) s;
SELECT a.r AS first, b.r AS second, z.relationships AS composed,
       z.relationships = c.possible AS matches_table,
       y.relationships = ARRAY[a.r] AS direct_ok,
       z.pass_propagates AS pass, z.fail_propagates AS fail
  FROM rels a CROSS JOIN rels b
  JOIN compmap.rcc5_composition c ON c.first_rel = a.r AND c.second_rel = b.r
  CROSS JOIN LATERAL (SELECT * FROM compmap.crosswalk('tst:x' || a.i || b.i, 'tst') x
                       WHERE x.control = 'z' || a.i || b.i) z
  CROSS JOIN LATERAL (SELECT * FROM compmap.crosswalk('tst:x' || a.i || b.i, 'tst') x
                       WHERE x.control = 'y' || a.i || b.i) y
 ORDER BY a.i, b.i;
-- Reverse direction: from z the derived edges are walked backwards.
SELECT control, relationships, path FROM compmap.crosswalk('tst:z23', 'tst');
-- Longer chains: equal/superset keeps a pass, equal/subset keeps a fail.
SELECT compmap.add_control('tst:' || c, 'chain') FROM unnest(ARRAY['c1', 'c2', 'c3', 'c4', 'd1', 'd2', 'd3']) c;
SELECT compmap.add_edge('tst:c1', 'tst:c2', 'equal', 'tst_src'),
       compmap.add_edge('tst:c2', 'tst:c3', 'superset', 'tst_src'),
       compmap.add_edge('tst:c3', 'tst:c4', 'superset', 'tst_src'),
       compmap.add_edge('tst:d1', 'tst:d2', 'subset', 'tst_src'),
       compmap.add_edge('tst:d2', 'tst:d3', 'equal', 'tst_src');
SELECT control, relationships, hops, pass_propagates, fail_propagates
  FROM compmap.crosswalk('tst:c1', 'tst', 3);
SELECT control, relationships, hops, pass_propagates, fail_propagates
  FROM compmap.crosswalk('tst:d1', 'tst', 3);
-- Two paths to one control: the sets are intersected.
SELECT compmap.add_control('tst:' || c, 'diamond') FROM unnest(ARRAY['p', 'q1', 'q2', 'r']) c;
SELECT compmap.add_edge('tst:p', 'tst:q1', 'intersects', 'tst_src'),
       compmap.add_edge('tst:q1', 'tst:r', 'intersects', 'tst_src'),
       compmap.add_edge('tst:p', 'tst:q2', 'subset', 'tst_src'),
       compmap.add_edge('tst:q2', 'tst:r', 'subset', 'tst_src');
SELECT control, relationships, hops, path FROM compmap.crosswalk('tst:p', 'tst');

-- A user framework mapped to a shipped control is seen in the same session,
-- and removing the edge is seen too.
SELECT compmap.add_framework('acme_policy', 'ACME internal security policy', '2025');
SELECT compmap.add_control('acme_policy:VM-1', 'Patch critical vulnerabilities within 14 days', testability => 'partial');
SELECT count(*) AS before FROM compmap.crosswalk('acme_policy:VM-1');
SELECT compmap.add_edge('acme_policy:VM-1', 'iso27001_2022:A.8.8', 'subset', 'tst_src', 'semantic', 7);
SELECT framework, control, relationships, hops FROM compmap.crosswalk('acme_policy:VM-1', NULL, 2)
 WHERE framework IN ('iso27001_2022', 'cir2024_2690') ORDER BY hops, framework, control;
SELECT control, relationships, fail_propagates FROM compmap.crosswalk('iso27001_2022:A.8.8', 'acme_policy');
SELECT compmap.remove_edge('acme_policy:VM-1', 'iso27001_2022:A.8.8', 'tst_src');
SELECT count(*) AS after_remove FROM compmap.crosswalk('acme_policy:VM-1');
-- A rolled-back edge leaves no trace.
BEGIN;
SELECT compmap.add_edge('acme_policy:VM-1', 'iso27001_2022:A.8.9', 'intersects', 'tst_src');
SELECT count(*) AS inside FROM compmap.crosswalk('acme_policy:VM-1', 'iso27001_2022', 1);
ROLLBACK;
SELECT count(*) AS after_rollback FROM compmap.crosswalk('acme_policy:VM-1', 'iso27001_2022', 1);
-- User rows are marked for pg_dump; shipped ones are not.
SELECT origin, count(*) FROM compmap.framework GROUP BY origin ORDER BY origin;
SELECT c.relname, x.cond
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'compmap' AND c.relname IN ('framework', 'control', 'control_edge', 'mapping_source', 'mapping_rule', 'tenant_mapping_rule')
 ORDER BY c.relname;

-- Errors (with their hints).
\set VERBOSITY default
SELECT * FROM compmap.crosswalk('A.8.8');
SELECT * FROM compmap.crosswalk('iso27001:A.8.8');
SELECT * FROM compmap.crosswalk('iso27001_2022:a.8.8');
SELECT * FROM compmap.crosswalk('iso27001_2022:A.8.99');
SELECT * FROM compmap.crosswalk('iso27001_2022:A.8.8', 'nist_csf2');
SELECT * FROM compmap.crosswalk('iso27001_2022:A.8.8', NULL, 0);
SELECT * FROM compmap.crosswalk('iso27001_2022:A.8.8', NULL, 6);
\set VERBOSITY terse
SELECT count(*) FROM compmap.crosswalk(NULL);
SELECT compmap.add_edge('tst:p', 'tst:r', 'includes', 'tst_src');
SELECT compmap.add_edge('tst:p', 'tst:nope', 'equal', 'tst_src');
SELECT compmap.add_control('iso27001_2022:A.9.1', 'old numbering');
SELECT compmap.remove_framework('nis2');
SELECT compmap.remove_framework('tst');
SELECT compmap.remove_framework('acme_policy');
SELECT count(*) AS user_rows_left FROM compmap.control WHERE origin = 'user';

-- Finding rules: CWE, category, rule family, fallback, tenant overrides.
SELECT framework, control, relationships, hops, fail_propagates, rule_kind, rule_key, reviewed
  FROM compmap.controls_for(ARRAY['CWE-89'], NULL, NULL) WHERE hops = 0 ORDER BY framework, control;
SELECT framework, control, relationships, hops, path, fail_propagates
  FROM compmap.controls_for(NULL, NULL, 'vulnerable_dependency')
 WHERE framework IN ('nis2', 'cir2024_2690', 'iso27001_2022') ORDER BY framework, control;
SELECT framework, control, rule_kind, rule_key FROM compmap.controls_for(ARRAY['cwe-99999'], 'unknown-scanner', NULL) WHERE hops = 0;
SELECT count(*) AS rules, count(*) FILTER (WHERE reviewed) AS reviewed,
       count(DISTINCT source) AS sources FROM compmap.mapping_rule;
SELECT compmap.create_tenant('rules tenant') IS NOT NULL AS tenant_created \gset
SELECT tenant_id AS t1 FROM compmap.tenant WHERE name = 'rules tenant' \gset
INSERT INTO compmap.tenant_mapping_rule (tenant_id, kind, key, framework, control, action)
VALUES (:'t1', 'category', 'secret', 'iso27001_2022', 'A.5.17', 'suppress'),
       (:'t1', 'category', 'secret', 'iso27001_2022', 'A.8.24', 'add'),
       (:'t1', 'fallback', '*', 'iso27001_2022', 'A.8.9', 'add');
SELECT framework, control, hops, rule_kind, source FROM compmap.controls_for(NULL, NULL, 'secret', :'t1')
 WHERE framework = 'iso27001_2022' AND hops = 0 ORDER BY control;
SELECT framework, control, source FROM compmap.controls_for(NULL, NULL, 'nothing-matches', :'t1') WHERE hops = 0;
SELECT framework, control, source FROM compmap.controls_for(NULL, NULL, 'nothing-matches') WHERE hops = 0;
DELETE FROM compmap.tenant_mapping_rule WHERE tenant_id = :'t1';
