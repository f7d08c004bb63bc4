-- compmap.normalize_severity() maps a scanner's severity word to one of
-- compmap's five severities.  For speed, finding_guard() and
-- ingest_document() carry the same CASE written out (a per-row call of a
-- function that pins search_path cannot be inlined: calling it from
-- ingest_document made the benchmark's first ingest 0.5 s (10 %) slower),
-- and the C insert trigger finding_guard_insert (src/finding_guard.c) has
-- the word list once more.  These tests read the three CASE lists from the
-- installed functions, insert a finding per word for the C copy, and fail
-- when a copy drifts from normalize_severity(); and check the mapping's
-- values.
BEGIN;
SELECT plan(9);

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

-- The C copy, by behaviour: a finding per word of normalize_severity's
-- list (as written there, upper-cased with blanks around, and unknown
-- words), without a CVSS vector.
SELECT compmap.create_tenant('severity copies') AS t \gset
CREATE TEMP TABLE severity_word AS
SELECT DISTINCT w FROM severity_case, unnest(pairs) AS p,
       LATERAL (SELECT split_part(p, '=', 1) AS base) AS b,
       LATERAL unnest(ARRAY[b.base, '  ' || upper(b.base) || ' ', initcap(b.base)]) AS w
 WHERE fn = 'normalize_severity'
UNION ALL SELECT w FROM unnest(ARRAY['bogus', '', ' ', 'crit', 'critical!', 'ｈｉｇｈ']) AS w;
INSERT INTO compmap.finding (tenant_id, fingerprint, title, scanner_severity, severity)
SELECT :'t', sha256(convert_to(w, 'UTF8')), 'severity word ' || w, w, 'none' FROM severity_word;
SELECT is((SELECT count(*) FROM compmap.finding f JOIN severity_word s ON f.scanner_severity = s.w
            WHERE f.tenant_id = :'t' AND f.severity = coalesce(compmap.normalize_severity(s.w), 'none')),
          (SELECT count(*) FROM severity_word),
          'finding_guard_insert maps every severity word (any case, blanks around) as normalize_severity does');
SELECT is((SELECT count(*) FROM severity_word), (SELECT 3 * 18 + 6)::bigint, 'every word was tried');
-- a CVSS vector wins over the scanner's word; NULL word means none
INSERT INTO compmap.finding (tenant_id, fingerprint, title, scanner_severity, cvss)
VALUES (:'t', sha256('cvss'), 'with cvss', 'low', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
       (:'t', sha256('null word'), 'no word', NULL, NULL);
SELECT is(ARRAY(SELECT severity FROM compmap.finding WHERE tenant_id = :'t' AND title IN ('with cvss', 'no word') ORDER BY title),
          ARRAY['none', 'critical'], 'finding_guard_insert: CVSS severity first, no word is none');
SELECT is((SELECT count(*) FROM compmap.finding WHERE tenant_id = :'t' AND (status_changed_at <> first_seen OR due_date IS NULL)),
          0::bigint, 'finding_guard_insert sets status_changed_at and the due date of every new finding');

SELECT * FROM finish();
ROLLBACK;
