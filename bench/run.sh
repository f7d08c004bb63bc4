#!/usr/bin/env bash
# bench/run.sh: runs every benchmark in bench/ against a throw-away cluster.
# Each benchmark prints its result as a ratio against a baseline measured in
# the same run.  Not part of the test command.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/lib.sh"
ensure_deps
build_install "$top"
start_cluster bench
as_pg createdb compmap_bench
as_pg psql -X -q -d compmap_bench -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
for b in "$top"/bench/*.sh; do
    [ "$(basename "$b")" = run.sh ] && continue
    echo "== $(basename "$b")"
    as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGDATABASE=compmap_bench COMPMAP_SHARED="$(cd "$top/../shared" && pwd)" bash "$b"
done
