#!/usr/bin/env bash
# Crash: four clients write findings and evidence into their own throw-away
# cluster (never the shared test cluster); the postmaster and every backend
# are killed with SIGKILL mid-stream; after restart (crash recovery) every
# transaction a client saw commit is present, no rolled-back one is, nothing
# beyond the one in flight per client appears, and compmap.verify passes for
# every tenant.  Honours PG_BINDIR (tools/lib.sh).  About 15 seconds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tools/lib.sh"
echo "1..6"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
secs=${CRASH_SECONDS:-5}
# Acknowledged commits must reach the WAL before the acknowledgement.
export COMPMAP_PG_CONF="synchronous_commit = on"
start_cluster crash >/dev/null 2>&1 || { echo "not ok 1 - throw-away cluster starts"; exit 0; }
export PGDATABASE=crash
createdb crash && psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION compmap CASCADE' \
    -c "INSERT INTO compmap.tenant (tenant_id, name) SELECT ('71000000-0000-4000-8000-00000000000' || i)::uuid, 'crash ' || i FROM generate_series(1, 4) i" >/dev/null 2>&1
ok $? "throw-away cluster with compmap and four tenants"

client() {  # client C: transactions until the server goes away
    local c=$1 i=0
    {
        echo '\set ON_ERROR_STOP 1'
        while :; do
            i=$((i + 1))
            if [ $((i % 7)) = 0 ]; then
                echo "BEGIN; SELECT compmap.record_event('71000000-0000-4000-8000-00000000000$c', '71000000-0000-4000-8000-00000000000$c', 'crash.rolled_back', 'c$c', '{\"c\": $c, \"i\": $i}'); ROLLBACK;"
            else
                echo "\\echo begin $c $i"
                echo "BEGIN; SELECT compmap.record_event('71000000-0000-4000-8000-00000000000$c', gen_random_uuid(), 'crash.event', 'c$c', '{\"c\": $c, \"i\": $i}');"
                echo "SELECT count(*) FROM compmap.record_finding('71000000-0000-4000-8000-00000000000$c', 'crash finding $i', 'c$c', scanner => 'crash', rule_id => 'r$c-$i');"
                echo "COMMIT;"
                echo "\\echo committed $c $i"
            fi
        done
    } | psql -X -q -At 2>/dev/null | grep -E '^(begin|committed) ' > "$WORK/client$c.log"
}
for c in 1 2 3 4; do client $c & done
sleep "$secs"
pid=$(head -1 "$WORK/data/postmaster.pid")
kids=$(ps -o pid= --ppid "$pid" | tr '\n' ' ')
kill -9 "$pid" $kids 2>/dev/null
wait 2>/dev/null
# Wait for the killed postmaster to go.  If nobody reaps it (it was
# re-parented), it stays a zombie that holds nothing, but its pid still
# blocks the lock file: then remove postmaster.pid, as after a host crash.
for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && { rm -f "$WORK/data/postmaster.pid" "$WORK"/.s.PGSQL.*.lock; break; }
    sleep 0.1
done
as_pg pg_ctl -D "$WORK/data" -l "$WORK/server.log" -w -t 120 start >/dev/null 2>&1
ok $? "the server restarts after SIGKILL (crash recovery)"
grep -q 'database system was interrupted\|not properly shut down' "$WORK/server.log"
ok $? "the restart went through crash recovery"

committed=$(cat "$WORK"/client*.log | awk '$1 == "committed" {print $2 "-" $3}' | sort -u)
inflight=$(cat "$WORK"/client*.log | awk '$1 == "begin" {b[$2] = $3} $1 == "committed" {delete b[$2]} END {for (c in b) print c "-" b[c]}' | sort -u)
present=$(psql -X -At -c "SELECT (payload->>'c') || '-' || (payload->>'i') FROM compmap.evidence WHERE event_type = 'crash.event'" | sort -u)
ncommitted=$(printf '%s\n' "$committed" | grep -c .)
missing=$(comm -23 <(printf '%s\n' "$committed") <(printf '%s\n' "$present") | grep -c .)
[ "$ncommitted" -gt 20 ] && [ "$missing" = 0 ]
ok $? "every one of the $ncommitted acknowledged transactions is present ($missing missing)"
extra=$(comm -13 <(printf '%s\n' "$committed" "$inflight" | sort -u) <(printf '%s\n' "$present") | grep -c .)
rolled=$(psql -X -At -c "SELECT count(*) FROM compmap.evidence WHERE event_type = 'crash.rolled_back'")
[ "$extra" = 0 ] && [ "$rolled" = 0 ]
ok $? "nothing uncommitted is present (unexpected: $extra, rolled back: $rolled)"
bad=$(psql -X -At -c "SELECT count(*) FROM compmap.tenant t, compmap.verify(t.tenant_id) v WHERE NOT v.ok")
findings=$(psql -X -At -c "SELECT count(*) FROM compmap.finding")
[ "$bad" = 0 ] && [ "$findings" -ge "$ncommitted" ]
ok $? "compmap.verify passes for every tenant after recovery ($findings findings)"
exit 0
