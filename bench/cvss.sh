#!/usr/bin/env bash
# bench/cvss.sh: parse + score cost of the cvss type against a plain-text
# baseline, measured in the same session on the same rows.
#
#   compmap:  compmap.cvss_score(v::compmap.cvss)   (validate, normalise, score)
#   baseline: pg_catalog.split_part(v, '/', 2)       (cheapest text handling)
#
# Uses the PG* environment of a running cluster whose database has compmap
# installed.  The input is every vector of shared/fixtures/cvss (3,650 of
# them, v3.1 and v4.0), repeated to about 200,000 rows.  Each query runs
# BENCH_RUNS times (default 5), alternating, and the fastest run of each
# counts.  Prints one line per method and the ratio.
#
#   COMPMAP_SHARED   folder holding fixtures/cvss (default: ../shared beside
#                    the checkout)
#   BENCH_ROWS       target row count (default 200000)
#   BENCH_RUNS       runs per method (default 5)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${COMPMAP_SHARED:-$(cd "$top/../shared" 2>/dev/null && pwd || true)}
rows=${BENCH_ROWS:-200000}
runs=${BENCH_RUNS:-5}
f31=$shared/fixtures/cvss/cvss31_vectors.csv
f40=$shared/fixtures/cvss/cvss40_vectors.csv
for f in "$f31" "$f40"; do
    [ -r "$f" ] || { echo "bench/cvss.sh: cannot read $f (set COMPMAP_SHARED)" >&2; exit 1; }
done
case "$rows$runs" in *[!0-9]*) echo "bench/cvss.sh: BENCH_ROWS and BENCH_RUNS must be integers" >&2; exit 1 ;; esac

# The fixture files are read by psql (client side), so the server may be
# remote.  \copy takes its file name literally, so it is written in here.
psql -X -q -v ON_ERROR_STOP=1 <<SQL
\\pset footer off
CREATE TEMP TABLE bench_fixture (vector text, score numeric);
\\copy bench_fixture FROM '$f31' WITH (FORMAT csv, HEADER true)
\\copy bench_fixture FROM '$f40' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE bench_vectors AS
SELECT f.vector AS v
FROM bench_fixture AS f,
     pg_catalog.generate_series(1, pg_catalog.ceil($rows::numeric / (SELECT count(*) FROM bench_fixture))::integer) AS r;
ANALYZE bench_vectors;

CREATE FUNCTION pg_temp.bench_ms(query text) RETURNS double precision
LANGUAGE plpgsql AS \$\$
DECLARE
    t0 timestamptz;
    n bigint;
BEGIN
    t0 := pg_catalog.clock_timestamp();
    EXECUTE query INTO n;
    RETURN 1000 * EXTRACT(epoch FROM pg_catalog.clock_timestamp() - t0);
END
\$\$;

CREATE TEMP TABLE bench_result (method text, run integer, ms double precision);
DO \$\$
DECLARE
    i integer;
BEGIN
    -- warm up: caches, function lookup, the table in shared buffers
    PERFORM pg_temp.bench_ms('SELECT count(compmap.cvss_score(v::compmap.cvss)) FROM bench_vectors');
    PERFORM pg_temp.bench_ms('SELECT count(pg_catalog.split_part(v, ''/'', 2)) FROM bench_vectors');
    FOR i IN 1..$runs LOOP
        INSERT INTO bench_result SELECT 'baseline', i,
            pg_temp.bench_ms('SELECT count(pg_catalog.split_part(v, ''/'', 2)) FROM bench_vectors');
        INSERT INTO bench_result SELECT 'compmap', i,
            pg_temp.bench_ms('SELECT count(compmap.cvss_score(v::compmap.cvss)) FROM bench_vectors');
    END LOOP;
END
\$\$;

SELECT (SELECT count(*) FROM bench_vectors) AS calls,
       (SELECT count(*) FROM bench_fixture) AS distinct_vectors,
       $runs AS runs_each;
WITH best AS (
    SELECT method, pg_catalog.min(ms) AS ms FROM bench_result GROUP BY method
)
SELECT method,
       CASE method WHEN 'compmap' THEN 'compmap.cvss_score(v::compmap.cvss)'
                   ELSE 'split_part(v, ''/'', 2)' END AS expression,
       pg_catalog.round(ms::numeric, 1) AS best_ms,
       pg_catalog.round((1e6 * ms / (SELECT count(*) FROM bench_vectors))::numeric, 0) AS ns_per_call
FROM best
ORDER BY method DESC;
SELECT pg_catalog.round(((SELECT pg_catalog.min(ms) FROM bench_result WHERE method = 'compmap') /
                         (SELECT pg_catalog.min(ms) FROM bench_result WHERE method = 'baseline'))::numeric, 2)
       AS ratio_compmap_to_baseline;
SQL
