#!/usr/bin/env bash
# bench/run.sh: runs every benchmark in bench/ against a throw-away cluster
# (make bench).  Each benchmark prints its result as a ratio against a
# baseline measured in the same run.  Not part of the test command: a full
# run takes a few minutes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/lib.sh"
ensure_deps bc
build_install "$top"
COMPMAP_PG_CONF="shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
jit = off" start_cluster bench
as_pg createdb compmap_bench
as_pg psql -X -q -d compmap_bench -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
shared=$(cd "$top/../shared" 2>/dev/null && pwd || true)
for b in "$top"/bench/*.sh; do
    [ "$(basename "$b")" = run.sh ] && continue
    echo "== $(basename "$b")"
    as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres PGDATABASE=compmap_bench COMPMAP_SHARED="$shared" bash "$b"
done
