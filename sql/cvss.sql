--
-- cvss: every published fixture vector scores exactly, normalisation,
-- operators and indexes, binary round trip, and every error message.
-- The extension exists (setup).  COMPMAP_SHARED is the absolute path of
-- the shared/ folder holding fixtures/cvss/ (see SOURCES.md there).
--
\set VERBOSITY terse
\getenv shared COMPMAP_SHARED
\set file31 :shared '/fixtures/cvss/cvss31_vectors.csv'
\set file40 :shared '/fixtures/cvss/cvss40_vectors.csv'

-- The operators live in schema compmap: put it on the search_path.
SET search_path = public, compmap;

CREATE TEMP TABLE cvss31_fixture (vector text, base_score numeric);
COPY cvss31_fixture FROM :'file31' (FORMAT csv, HEADER true);
CREATE TEMP TABLE cvss40_fixture (vector text, base_score numeric);
COPY cvss40_fixture FROM :'file40' (FORMAT csv, HEADER true);

-- Fixture scores: mismatches must be 0.
SELECT 'cvss31_vectors.csv' AS fixture, count(*) AS vectors,
       count(*) FILTER (WHERE compmap.cvss_score(vector::compmap.cvss) IS DISTINCT FROM base_score) AS score_mismatches,
       count(*) FILTER (WHERE compmap.cvss_base_score(vector::compmap.cvss) IS DISTINCT FROM base_score) AS base_mismatches,
       count(*) FILTER (WHERE vector::compmap.cvss::text IS DISTINCT FROM vector) AS not_normal
FROM cvss31_fixture
UNION ALL
SELECT 'cvss40_vectors.csv', count(*),
       count(*) FILTER (WHERE compmap.cvss_score(vector::compmap.cvss) IS DISTINCT FROM base_score),
       count(*) FILTER (WHERE compmap.cvss_base_score(vector::compmap.cvss) IS DISTINCT FROM base_score),
       count(*) FILTER (WHERE vector::compmap.cvss::text IS DISTINCT FROM vector)
FROM cvss40_fixture;

-- CVSS v3.0 base scores equal v3.1 base scores for all these vectors.
SELECT count(*) AS v30_mismatches
FROM cvss31_fixture
WHERE compmap.cvss_score(pg_catalog.replace(vector, 'CVSS:3.1/', 'CVSS:3.0/')::compmap.cvss) IS DISTINCT FROM base_score;

-- Severity bands against the fixture scores.
SELECT compmap.cvss_severity(vector::compmap.cvss) AS severity,
       pg_catalog.min(base_score) AS min_score, pg_catalog.max(base_score) AS max_score,
       count(*) AS vectors
FROM (SELECT vector, base_score FROM cvss31_fixture
      UNION ALL
      SELECT vector, base_score FROM cvss40_fixture) AS f
GROUP BY 1
ORDER BY 2;

-- The six v4.0 half-way rounding cases (SOURCES.md, "Caution").
SELECT v, compmap.cvss_score(v::compmap.cvss) AS score
FROM (VALUES
    ('CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:H/VA:L/SC:N/SI:N/SA:L'),
    ('CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:H/VA:N/SC:L/SI:N/SA:N'),
    ('CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:A/VC:L/VI:H/VA:N/SC:N/SI:N/SA:N'),
    ('CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:L/SC:H/SI:H/SA:H'),
    ('CVSS:4.0/AV:L/AC:L/AT:P/PR:H/UI:N/VC:N/VI:L/VA:H/SC:L/SI:L/SA:N'),
    ('CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:A/VC:L/VI:H/VA:N/SC:L/SI:N/SA:L')) AS t(v);

-- Which score cvss_score reports, for each kind of vector.  Expected
-- values were checked against FIRST's calculators (v3.0, v3.1) and the
-- v4.0 reference calculator.
SELECT v::compmap.cvss AS vector,
       compmap.cvss_version(v::compmap.cvss) AS version,
       compmap.cvss_score_kind(v::compmap.cvss) AS kind,
       compmap.cvss_base_score(v::compmap.cvss) AS base,
       compmap.cvss_score(v::compmap.cvss) AS score,
       compmap.cvss_severity(v::compmap.cvss) AS severity
FROM (VALUES
    ('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C'),
    ('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/RL:X/RC:X'),
    ('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/IR:L/AR:L/MAV:A/MPR:L'),
    ('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'),
    ('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/MS:U'),
    ('CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/CR:H/IR:H/AR:H'),
    ('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/CR:H/IR:H/AR:H'),
    ('CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N'),
    ('CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N'),
    ('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'),
    ('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U'),
    ('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A'),
    ('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:L/IR:L/AR:L'),
    ('CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:P/MSI:S/S:P/AU:Y/R:U/V:C/RE:H/U:Red'),
    ('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N'),
    ('CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N')) AS t(v);

-- Normalisation: surrounding white space goes, v3.x metrics are put in
-- specification order, explicit X values stay.
SELECT '  CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N  '::compmap.cvss AS reordered;
SELECT 'CVSS:3.1/MA:X/E:F/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:M/RC:U'::compmap.cvss AS reordered_all_groups;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X'::compmap.cvss =
       'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss AS x_is_kept;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X'::compmap.cvss::text AS with_x;

-- Operators, the cast from text (also as an assignment cast), DISTINCT.
SELECT 'CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H'::compmap.cvss =
       'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss AS eq,
       'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss <>
       'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss AS ne_versions,
       'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss <
       'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss AS lt,
       compmap.cvss_cmp('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
                        'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') AS cmp;
SELECT compmap.cvss('CVSS:3.1/C:L/I:L/A:L/AV:L/AC:H/PR:H/UI:R/S:U') AS from_text,
       ('CVSS:3.1/C:L/I:L/A:L/AV:L/AC:H/PR:H/UI:R/S:U'::text)::compmap.cvss AS cast_from_text;
CREATE TEMP TABLE cvss_rows (id integer, v compmap.cvss);
INSERT INTO cvss_rows SELECT i, ' CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H'::text FROM pg_catalog.generate_series(1, 3) AS i;
SELECT DISTINCT v FROM cvss_rows;

-- Indexes on the fixture vectors: btree and hash, used and correct.
INSERT INTO cvss_rows SELECT 100 + row_number() OVER (), vector FROM cvss31_fixture;
INSERT INTO cvss_rows SELECT 10000 + row_number() OVER (), vector FROM cvss40_fixture;
ANALYZE cvss_rows;
CREATE INDEX cvss_rows_btree ON cvss_rows (v);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM cvss_rows WHERE v = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
SELECT count(*) FROM cvss_rows WHERE v = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
DROP INDEX cvss_rows_btree;
CREATE INDEX cvss_rows_hash ON cvss_rows USING hash (v);
EXPLAIN (COSTS OFF) SELECT id FROM cvss_rows WHERE v = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L';
SELECT count(*) FROM cvss_rows WHERE v = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L';
RESET enable_seqscan;
RESET enable_bitmapscan;
SET enable_sort = off;
SELECT count(*) AS distinct_vectors FROM (SELECT v FROM cvss_rows GROUP BY v) AS g;
RESET enable_sort;
SET enable_hashagg = off;
SELECT count(*) AS distinct_vectors FROM (SELECT v FROM cvss_rows GROUP BY v) AS g;
RESET enable_hashagg;

-- Binary send/receive: the wire format is the vector text.
SELECT compmap.cvss_send('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
\getenv abs_builddir PG_ABS_BUILDDIR
\set binfile :abs_builddir '/results/cvss.bin'
CREATE TEMP TABLE cvss_bin (id integer, v compmap.cvss);
COPY (SELECT id, v FROM cvss_rows) TO :'binfile' (FORMAT binary);
COPY cvss_bin FROM :'binfile' (FORMAT binary);
SELECT count(*) AS rows, count(*) FILTER (WHERE b.v = r.v) AS equal
FROM cvss_bin AS b JOIN cvss_rows AS r USING (id);

-- Privileges: scoring functions are for the compmap roles only; type I/O is public.
SELECT r AS role,
       pg_catalog.has_function_privilege(r, 'compmap.cvss_score(compmap.cvss)', 'EXECUTE') AS cvss_score,
       pg_catalog.has_function_privilege(r, 'compmap.cvss_in(cstring)', 'EXECUTE') AS cvss_in
FROM pg_catalog.unnest(ARRAY['public', 'compmap_reader', 'compmap_writer', 'compmap_auditor', 'compmap_admin']) AS r;

-- Errors: all 22P02, each naming what is wrong.
\set VERBOSITY sqlstate
SELECT 'CVSS:3.1/AV:N'::compmap.cvss;
\set VERBOSITY default
SELECT 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
\set VERBOSITY terse
-- not a CVSS vector
SELECT ''::compmap.cvss;
SELECT 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT 'cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT '(AV:N/AC:L/Au:N/C:P/I:P/A:P)'::compmap.cvss;
-- unsupported version
SELECT 'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P'::compmap.cvss;
SELECT 'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
-- structure
SELECT 'CVSS:3.1'::compmap.cvss;
SELECT 'CVSS:3.1/'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT 'CVSS:3.1/:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
-- unknown metrics (including ones of the other version)
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/RL:O'::compmap.cvss;
SELECT 'CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
-- duplicated metrics
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/E:X'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'::compmap.cvss;
-- missing base metrics
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H'::compmap.cvss;
SELECT 'CVSS:3.1/E:F'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'::compmap.cvss;
-- invalid values (X is not allowed for base metrics; values are case sensitive)
SELECT 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:A'::compmap.cvss;
SELECT 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MPR:U'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSC:S'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red'::compmap.cvss;
-- v4.0 fixes the metric order
SELECT 'CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A'::compmap.cvss;
SELECT 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Red/S:N'::compmap.cvss;
-- a long component is cut in the message
SELECT ('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/' || pg_catalog.repeat('Z', 200) || ':N')::compmap.cvss;
