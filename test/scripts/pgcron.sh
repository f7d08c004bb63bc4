#!/usr/bin/env bash
# Scheduling with pg_cron: in a throw-away cluster of its own with pg_cron
# preloaded, compmap.refresh_reports() runs as a scheduled job and writes the
# daily score snapshot.  pg_cron (Debian package postgresql-15-cron) has
# minute granularity, so this waits for the next minute: up to ~70 seconds.
# Honours PG_BINDIR (tools/lib.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tools/lib.sh"
echo "1..3"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
if [ ! -e "$($PG_CONFIG --pkglibdir)/pg_cron.so" ]; then
    echo "not ok 1 - pg_cron is installed (postgresql-15-cron)"; exit 0
fi
export COMPMAP_PG_CONF="shared_preload_libraries = 'pg_cron'
cron.database_name = 'cron'"
start_cluster cron >/dev/null 2>&1 || { echo "not ok 1 - throw-away cluster with pg_cron starts"; exit 0; }
export PGDATABASE=cron
createdb cron && psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pg_cron' -c 'CREATE EXTENSION compmap CASCADE' \
    -c "SELECT compmap.create_tenant('scheduled')" \
    -c "SELECT cron.schedule('compmap-daily', '* * * * *', 'SELECT compmap.refresh_reports()')" >/dev/null 2>&1
ok $? "pg_cron and compmap installed, refresh_reports scheduled"
for _ in $(seq 1 80); do
    [ "$(psql -X -At -c "SELECT count(*) FROM compmap.score_snapshot")" -gt 0 ] 2>/dev/null && break
    sleep 1
done
[ "$(psql -X -At -c "SELECT count(*) FROM compmap.score_snapshot WHERE snapshot_date = CURRENT_DATE")" -ge 10 ]
ok $? "the scheduled job wrote today's snapshot for every framework"
[ "$(psql -X -At -c "SELECT status FROM cron.job_run_details ORDER BY runid DESC LIMIT 1")" = succeeded ]
ok $? "pg_cron records the run as succeeded"
exit 0
