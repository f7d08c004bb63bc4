#!/usr/bin/env bash
# Stress: concurrent pgbench clients append to one tenant and to several
# tenants at once, under READ COMMITTED and under REPEATABLE READ (with
# pgbench retrying serialization failures), with multi-row transactions and
# savepoint rollbacks; afterwards every log verifies and is gapless.
# Needs PGHOST/PGPORT of a running cluster.  About 10 seconds.
set -u
db=cm_stress
secs=${STRESS_SECONDS:-4}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..6"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -c "INSERT INTO compmap.tenant (tenant_id, name)
      SELECT ('70000000-0000-4000-8000-00000000000' || i)::uuid, 'stress ' || i FROM generate_series(1, 5) i"

cat > "$tmp/same.sql" <<'SQL'
\set s random(1, 50)
BEGIN;
SELECT compmap.record_event('70000000-0000-4000-8000-000000000001', ('70000000-0000-4000-8000-0000000100' || lpad(:s::text, 2, '0'))::uuid, 'stress.append', 'pgbench', jsonb_build_object('client', :client_id));
SAVEPOINT sp;
SELECT compmap.record_event('70000000-0000-4000-8000-000000000001', ('70000000-0000-4000-8000-0000000100' || lpad(:s::text, 2, '0'))::uuid, 'stress.rolled_back', 'pgbench', '{}');
ROLLBACK TO SAVEPOINT sp;
INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
SELECT '70000000-0000-4000-8000-000000000001', ('70000000-0000-4000-8000-0000000100' || lpad(((:s + g) % 50 + 1)::text, 2, '0'))::uuid, 'stress.batch', 'pgbench', jsonb_build_object('g', g)
  FROM generate_series(1, 5) g;
COMMIT;
SQL
cat > "$tmp/spread.sql" <<'SQL'
\set t random(2, 5)
\set s random(1, 20)
SELECT compmap.record_event(('70000000-0000-4000-8000-00000000000' || :t)::uuid, ('70000000-0000-4000-8000-0000000200' || lpad(:s::text, 2, '0'))::uuid, 'stress.append', 'pgbench', jsonb_build_object('client', :client_id));
SQL

pgbench -n -c 4 -j 2 -T "$secs" -f "$tmp/same.sql" $db > "$tmp/same.out" 2>&1 &
p1=$!
pgbench -n -c 4 -j 2 -T "$secs" -f "$tmp/spread.sql" $db > "$tmp/spread.out" 2>&1 &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ]; ok $? "READ COMMITTED: 4 clients on one tenant and 4 across four tenants ran without errors"
grep -E '^number of (transactions actually processed|failed)' "$tmp/same.out" "$tmp/spread.out" | sed 's/^/# /'

PGOPTIONS='-c default_transaction_isolation=repeatable\ read' \
    pgbench -n -c 4 -j 2 -T "$secs" --max-tries=1000 -f "$tmp/same.sql" $db > "$tmp/rr.out" 2>&1
ok $? "REPEATABLE READ: 4 clients on one tenant, serialization failures retried"
grep -E '^number of (transactions actually processed|failed|transactions retried)' "$tmp/rr.out" | sed 's/^/# /'

bad=$(q -c "SELECT count(*) FROM compmap.tenant t, compmap.verify(t.tenant_id) v WHERE NOT v.ok")
[ "$bad" = 0 ]; ok $? "every tenant's log verifies"
gaps=$(q -c "SELECT count(*) FROM (SELECT tenant_id, count(*) AS n, max(leaf_index) AS m FROM compmap.evidence GROUP BY 1) s WHERE n <> m + 1")
[ "$gaps" = 0 ]; ok $? "indexes are gapless in every tenant"
heads=$(q -c "SELECT count(*) FROM compmap.evidence_head h WHERE h.size <> (SELECT count(*) FROM compmap.evidence e WHERE e.tenant_id = h.tenant_id)")
[ "$heads" = 0 ]; ok $? "every head matches its log"
rolled=$(q -c "SELECT count(*) FROM compmap.evidence WHERE event_type = 'stress.rolled_back'")
total=$(q -c "SELECT count(*) FROM compmap.evidence")
[ "$rolled" = 0 ] && [ "$total" -gt 100 ]; ok $? "no rolled-back entry survived ($total entries)"
exit 0
