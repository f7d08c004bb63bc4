-- compmap.normalize_severity() maps a scanner's severity word to one of
-- compmap's five severities.  For speed, finding_guard() and
-- ingest_document() carry the same CASE written out (a per-row call of a
-- function that pins search_path cannot be inlined: calling it from
-- ingest_document made the benchmark's first ingest 0.5 s (10 %) slower).  These tests read the
-- three CASE lists from the installed functions and fail when a copy
-- drifts from normalize_severity(), and check the mapping's values.
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE severity_case AS
SELECT p.proname::text AS fn,
       array_agg(m[1] || '=' || m[2] ORDER BY m[1]) AS pairs
  FROM pg_proc p,
       LATERAL substring(p.prosrc from '(?s)CASE [A-Za-z_.]*lower\([A-Za-z_.]*btrim\([A-Za-z_.]+\)\)(.*?)ELSE NULL END') AS block,
       LATERAL regexp_matches(block, $$WHEN '([^']+)' THEN '([^']+)'$$, 'g') AS m
 WHERE p.pronamespace = 'compmap'::regnamespace
   AND p.proname IN ('normalize_severity', 'finding_guard', 'ingest_document')
 GROUP BY p.proname;

SELECT is((SELECT array_agg(fn ORDER BY fn) FROM severity_case),
          ARRAY['finding_guard', 'ingest_document', 'normalize_severity'],
          'the severity CASE is found in normalize_severity, finding_guard and ingest_document');
SELECT is((SELECT pairs FROM severity_case WHERE fn = 'finding_guard'),
          (SELECT pairs FROM severity_case WHERE fn = 'normalize_severity'),
          'finding_guard maps every severity word as normalize_severity does');
SELECT is((SELECT pairs FROM severity_case WHERE fn = 'ingest_document'),
          (SELECT pairs FROM severity_case WHERE fn = 'normalize_severity'),
          'ingest_document maps every severity word as normalize_severity does');
SELECT is((SELECT array_length(pairs, 1) FROM severity_case WHERE fn = 'normalize_severity'), 18,
          'normalize_severity knows 18 severity words');
SELECT is(ARRAY[compmap.normalize_severity(' Very High '), compmap.normalize_severity('error'),
                compmap.normalize_severity('warning'), compmap.normalize_severity('note'),
                compmap.normalize_severity('informational'), compmap.normalize_severity('bogus')],
          ARRAY['critical', 'high', 'medium', 'low', 'none', NULL],
          'normalize_severity: case and blanks ignored, SARIF levels mapped, unknown words NULL');

SELECT * FROM finish();
ROLLBACK;
