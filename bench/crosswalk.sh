#!/usr/bin/env bash
# bench/crosswalk.sh: compmap.crosswalk (C, cached graph) against an
# equivalent recursive CTE over the same edge table, measured in the same
# session, for a 2-hop lookup from every control of the catalogue.
#
#   compmap:  SELECT ... FROM starts, LATERAL compmap.crosswalk(ref, NULL, 2)
#   baseline: one WITH RECURSIVE query over compmap.control_edge read both
#             ways, composing relationship sets through a bitmask table
#             built from compmap.rcc5_composition, with the same
#             aggregation (shortest hops, first shortest path in byte
#             order, intersection of the path sets, union if empty)
#
# Both results are stored and compared row by row before timing (the
# relationship arrays turned into the CTE's bitmasks, the paths into
# strings); the script stops if they differ.  The timed queries then
# produce each method's own result form: the function's rows as they are,
# the CTE's rows with bitmask sets (cheaper than text arrays, which favours
# the baseline).  Uses the PG* environment of a running cluster whose
# database has compmap installed.  Each query runs BENCH_RUNS times
# (default 5), alternating, and the fastest run of each counts.
set -euo pipefail
runs=${BENCH_RUNS:-5}
hops=${BENCH_HOPS:-2}
case "$runs$hops" in *[!0-9]*) echo "bench/crosswalk.sh: BENCH_RUNS and BENCH_HOPS must be integers" >&2; exit 1 ;; esac

psql -X -q -v ON_ERROR_STOP=1 <<SQL
\\pset footer off
CREATE TEMP TABLE bench_start AS
SELECT framework || ':' || control AS ref FROM compmap.control;
CREATE TEMP TABLE bench_rel (r text PRIMARY KEY, bit integer);
INSERT INTO bench_rel VALUES ('equal', 1), ('subset', 2), ('superset', 4), ('intersects', 8), ('not_related', 16);
-- comp(mask, r): the set reached by composing every relationship in mask with r.
CREATE TEMP TABLE bench_comp AS
SELECT m.mask, b.r,
       (SELECT coalesce(bit_or(pb.bit), 0)
          FROM bench_rel a
          JOIN compmap.rcc5_composition c ON c.first_rel = a.r AND c.second_rel = b.r
          CROSS JOIN LATERAL unnest(c.possible) AS p
          JOIN bench_rel pb ON pb.r = p
         WHERE m.mask & a.bit <> 0) AS result
  FROM generate_series(1, 31) AS m(mask), bench_rel b;
CREATE UNIQUE INDEX ON bench_comp (mask, r);
ANALYZE bench_start; ANALYZE bench_comp;

CREATE FUNCTION pg_temp.bench_cte() RETURNS TABLE (start text, node text, hops integer, mask integer, path text)
LANGUAGE sql AS \$\$
    WITH RECURSIVE e AS (
        SELECT source_framework || ':' || source_control AS s, target_framework || ':' || target_control AS t,
               relationship AS r
          FROM compmap.control_edge
        UNION ALL
        SELECT target_framework || ':' || target_control, source_framework || ':' || source_control,
               CASE relationship WHEN 'subset' THEN 'superset' WHEN 'superset' THEN 'subset' ELSE relationship END
          FROM compmap.control_edge
    ), walk (start, node, hops, mask, path) AS (
        SELECT b.ref, e.t, 1, rb.bit, ARRAY[b.ref, e.t]
          FROM bench_start b JOIN e ON e.s = b.ref JOIN bench_rel rb ON rb.r = e.r
        UNION ALL
        SELECT w.start, e.t, w.hops + 1, c.result, w.path || e.t
          FROM walk w JOIN e ON e.s = w.node JOIN bench_comp c ON c.mask = w.mask AND c.r = e.r
         WHERE w.hops < $hops AND e.t <> ALL (w.path)
    ), m AS (
        SELECT w.*, min(w.hops) OVER (PARTITION BY w.start, w.node) AS h FROM walk w
    )
    SELECT start, node, h,
           CASE WHEN bit_and(mask) <> 0 THEN bit_and(mask) ELSE bit_or(mask) END,
           min(array_to_string(path, ' ') COLLATE "C") FILTER (WHERE hops = h)
      FROM m GROUP BY start, node, h
\$\$;
CREATE FUNCTION pg_temp.bench_c() RETURNS TABLE (start text, node text, hops integer, mask integer, path text)
LANGUAGE sql AS \$\$
    SELECT b.ref, x.framework || ':' || x.control, x.hops,
           (SELECT sum(rb.bit)::integer FROM unnest(x.relationships) u JOIN bench_rel rb ON rb.r = u),
           array_to_string(x.path, ' ')
      FROM bench_start b CROSS JOIN LATERAL compmap.crosswalk(b.ref, NULL, $hops) x
\$\$;

-- Same results, checked first.
CREATE TEMP TABLE res_c AS SELECT * FROM pg_temp.bench_c();
CREATE TEMP TABLE res_cte AS SELECT * FROM pg_temp.bench_cte();
SELECT (SELECT count(*) FROM res_c) AS rows_compmap, (SELECT count(*) FROM res_cte) AS rows_cte,
       (SELECT count(*) FROM (SELECT * FROM res_c EXCEPT SELECT * FROM res_cte) d) AS only_compmap,
       (SELECT count(*) FROM (SELECT * FROM res_cte EXCEPT SELECT * FROM res_c) d) AS only_cte;
DO \$\$
BEGIN
    IF EXISTS (SELECT * FROM res_c EXCEPT SELECT * FROM res_cte)
       OR EXISTS (SELECT * FROM res_cte EXCEPT SELECT * FROM res_c) THEN
        RAISE EXCEPTION 'crosswalk and recursive CTE disagree';
    END IF;
END
\$\$;

CREATE FUNCTION pg_temp.bench_ms(query text) RETURNS double precision
LANGUAGE plpgsql AS \$\$
DECLARE
    t0 timestamptz;
    n bigint;
BEGIN
    t0 := clock_timestamp();
    EXECUTE query INTO n;
    RETURN 1000 * EXTRACT(epoch FROM clock_timestamp() - t0);
END
\$\$;
CREATE TEMP TABLE bench_result (method text, run integer, ms double precision);
DO \$\$
DECLARE
    i integer;
BEGIN
    FOR i IN 1..$runs LOOP
        INSERT INTO bench_result SELECT 'recursive_cte', i, pg_temp.bench_ms('SELECT count(*) FROM pg_temp.bench_cte()');
        INSERT INTO bench_result SELECT 'compmap', i, pg_temp.bench_ms(
            'SELECT count(*) FROM bench_start b CROSS JOIN LATERAL compmap.crosswalk(b.ref, NULL, $hops) x');
    END LOOP;
END
\$\$;
SELECT (SELECT count(*) FROM bench_start) AS start_controls,
       (SELECT count(*) FROM compmap.control_edge) AS stored_edges,
       $hops AS max_hops, (SELECT count(*) FROM res_c) AS result_rows, $runs AS runs_each;
SELECT method, round(min(ms)::numeric, 1) AS best_ms,
       round((1000 * min(ms) / (SELECT count(*) FROM bench_start))::numeric, 1) AS us_per_lookup
  FROM bench_result GROUP BY method ORDER BY method;
SELECT round(((SELECT min(ms) FROM bench_result WHERE method = 'recursive_cte') /
              (SELECT min(ms) FROM bench_result WHERE method = 'compmap'))::numeric, 1)
       AS speedup_compmap_over_cte;
SQL
