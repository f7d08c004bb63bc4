--
-- finding_status: I/O, ordering, indexes, binary round trip, the
-- transition graph and error messages.  The extension exists (setup).
--
\set VERBOSITY terse

-- The operators live in schema compmap, like the types: qualify them with
-- OPERATOR(compmap.=), or put compmap on the search_path as below.
SELECT 'new'::compmap.finding_status OPERATOR(compmap.<) 'triaged' AS qualified;
SET search_path = public, compmap;

-- Every state, in sort order, with its classification.
SELECT s, compmap.is_open(s) AS open, compmap.is_terminal(s) AS terminal
FROM compmap.finding_states() AS s;

-- Text round trip for every state.
SELECT count(*) AS states,
       count(*) FILTER (WHERE s::text::compmap.finding_status = s) AS round_trip
FROM compmap.finding_states() AS s;

-- The full transition matrix: row = from, column = to; X = allowed.
SELECT f AS "from",
       CASE WHEN compmap.can_transition(f, 'new') THEN 'X' ELSE '.' END AS new,
       CASE WHEN compmap.can_transition(f, 'triaged') THEN 'X' ELSE '.' END AS tri,
       CASE WHEN compmap.can_transition(f, 'assigned') THEN 'X' ELSE '.' END AS asg,
       CASE WHEN compmap.can_transition(f, 'in_progress') THEN 'X' ELSE '.' END AS inp,
       CASE WHEN compmap.can_transition(f, 'fixed') THEN 'X' ELSE '.' END AS fix,
       CASE WHEN compmap.can_transition(f, 'verified') THEN 'X' ELSE '.' END AS ver,
       CASE WHEN compmap.can_transition(f, 'reopened') THEN 'X' ELSE '.' END AS reo,
       CASE WHEN compmap.can_transition(f, 'risk_accepted') THEN 'X' ELSE '.' END AS acc,
       CASE WHEN compmap.can_transition(f, 'false_positive') THEN 'X' ELSE '.' END AS fp,
       CASE WHEN compmap.can_transition(f, 'duplicate') THEN 'X' ELSE '.' END AS dup
FROM compmap.finding_states() AS f;

-- allowed_transitions agrees with can_transition for all 100 pairs.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE compmap.can_transition(f, t) =
                        (t IN (SELECT compmap.allowed_transitions(f)))) AS agree
FROM compmap.finding_states() AS f, compmap.finding_states() AS t;

SELECT f AS "from", pg_catalog.string_agg(t::text, ', ') AS allowed
FROM compmap.finding_states() AS f, compmap.allowed_transitions(f) AS t
GROUP BY f
ORDER BY f;

-- Graph invariants: no self loops, nothing enters "new", every closed
-- state can only be reopened, every state is reachable from "new".
SELECT count(*) FILTER (WHERE compmap.can_transition(s, s)) AS self_loops,
       count(*) FILTER (WHERE compmap.can_transition(s, 'new')) AS into_new
FROM compmap.finding_states() AS s;

SELECT s, pg_catalog.array_agg(t) AS exits
FROM compmap.finding_states() AS s, compmap.allowed_transitions(s) AS t
WHERE compmap.is_terminal(s)
GROUP BY s
ORDER BY s;

WITH RECURSIVE reach(s) AS (
    SELECT 'new'::compmap.finding_status
    UNION
    SELECT t FROM reach, compmap.allowed_transitions(reach.s) AS t
)
SELECT count(*) AS reachable_from_new FROM reach;

-- STRICT: NULL in, NULL out.
SELECT compmap.can_transition(NULL, 'new') IS NULL AS null_from,
       compmap.is_open(NULL) IS NULL AS null_open;

-- Sorting follows the lifecycle order, not the alphabet.
SELECT s
FROM pg_catalog.unnest('{duplicate,new,verified,fixed,triaged,false_positive,reopened,assigned,risk_accepted,in_progress}'::compmap.finding_status[]) AS s
ORDER BY s;

SELECT 'new'::compmap.finding_status < 'triaged' AS lt,
       'fixed'::compmap.finding_status <= 'fixed' AS le,
       'duplicate'::compmap.finding_status > 'verified' AS gt,
       'reopened'::compmap.finding_status >= 'risk_accepted' AS ge,
       'new'::compmap.finding_status = 'new' AS eq,
       'new'::compmap.finding_status <> 'fixed' AS ne;

SELECT compmap.finding_status_cmp('fixed', 'new') AS cmp_gt,
       compmap.finding_status_cmp('new', 'new') AS cmp_eq,
       compmap.finding_status_cmp('new', 'fixed') AS cmp_lt;

-- Storage: one byte, passed by value.
SELECT typlen, typbyval, typalign
FROM pg_catalog.pg_type
WHERE oid = 'compmap.finding_status'::pg_catalog.regtype;

-- Indexes: btree and hash, used and giving the same answers as a seqscan.
CREATE TEMP TABLE fs_rows (i integer, s compmap.finding_status);
INSERT INTO fs_rows
SELECT i, ('{new,triaged,assigned,in_progress,fixed,verified,reopened,risk_accepted,false_positive,duplicate}'::compmap.finding_status[])[1 + (i * 7) % 10]
FROM pg_catalog.generate_series(0, 9999) AS i;
ANALYZE fs_rows;

SELECT s, count(*) FROM fs_rows GROUP BY s ORDER BY s;

CREATE INDEX fs_rows_btree ON fs_rows (s);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM fs_rows WHERE s BETWEEN 'fixed' AND 'reopened';
SELECT count(*) FROM fs_rows WHERE s BETWEEN 'fixed' AND 'reopened';
EXPLAIN (COSTS OFF) SELECT i FROM fs_rows WHERE s = 'verified' ORDER BY s, i LIMIT 1;

DROP INDEX fs_rows_btree;
CREATE INDEX fs_rows_hash ON fs_rows USING hash (s);
EXPLAIN (COSTS OFF) SELECT count(*) FROM fs_rows WHERE s = 'in_progress';
SELECT count(*) FROM fs_rows WHERE s = 'in_progress';
RESET enable_seqscan;
RESET enable_bitmapscan;

-- Hash aggregation and hash joins use the hash opclass, merge joins the
-- btree opclass.
SET enable_sort = off;
SELECT count(*) AS groups FROM (SELECT s FROM fs_rows GROUP BY s) AS g;
RESET enable_sort;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM fs_rows AS a JOIN compmap.finding_states() AS b(s) ON a.s = b.s;
SELECT count(*) FROM fs_rows AS a JOIN compmap.finding_states() AS b(s) ON a.s = b.s;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM fs_rows AS a JOIN compmap.finding_states() AS b(s) ON a.s = b.s;
SELECT count(*) FROM fs_rows AS a JOIN compmap.finding_states() AS b(s) ON a.s = b.s;
RESET enable_hashjoin;
RESET enable_nestloop;

-- Binary send/receive: the wire format is the state name.
SELECT compmap.finding_status_send('in_progress');

\getenv abs_builddir PG_ABS_BUILDDIR
\set binfile :abs_builddir '/results/finding_status.bin'
CREATE TEMP TABLE fs_bin (s compmap.finding_status);
COPY (SELECT s FROM compmap.finding_states() AS s) TO :'binfile' (FORMAT binary);
COPY fs_bin FROM :'binfile' (FORMAT binary);
SELECT pg_catalog.array_agg(s) = (SELECT pg_catalog.array_agg(s) FROM compmap.finding_states() AS s) AS binary_round_trip
FROM fs_bin;

-- Privileges: lifecycle functions are for the compmap roles only.
SELECT r AS role,
       pg_catalog.has_function_privilege(r, 'compmap.can_transition(compmap.finding_status, compmap.finding_status)', 'EXECUTE') AS can_transition,
       pg_catalog.has_function_privilege(r, 'compmap.finding_states()', 'EXECUTE') AS finding_states
FROM pg_catalog.unnest(ARRAY['compmap_reader', 'compmap_writer', 'compmap_auditor', 'compmap_admin']) AS r;
SELECT count(*) AS public_execute
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
JOIN pg_catalog.pg_extension AS e ON d.refobjid = e.oid AND e.extname = 'compmap'
WHERE p.proname IN ('can_transition', 'is_open', 'is_terminal', 'finding_states', 'allowed_transitions')
  AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE');

-- Errors: invalid input is 22P02 and names the bad value.
\set VERBOSITY sqlstate
SELECT 'xyz'::compmap.finding_status;
\set VERBOSITY default
SELECT 'xyz'::compmap.finding_status;
\set VERBOSITY terse
SELECT ''::compmap.finding_status;
SELECT 'NEW'::compmap.finding_status;
SELECT ' new'::compmap.finding_status;
SELECT 'in progress'::compmap.finding_status;
SELECT compmap.can_transition('fixed', 'closed');
