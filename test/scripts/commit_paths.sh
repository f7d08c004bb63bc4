#!/usr/bin/env bash
# The evidence log's write at commit, on paths a single-transaction test
# cannot reach: heads are written by a transaction callback just before
# commit (src/evidence.c), so each case here commits for real, in a
# database of its own.  Needs PGHOST/PGPORT.
set -u
db=cm_commit_paths
trap 'dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..5"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
t=51000000-0000-4000-8000-000000000001

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -c "INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$t', 'commit paths')"

# Appends, then DROP EXTENSION in the same transaction: the commit has no
# log left to write to and must still succeed.
q >/dev/null 2>&1 <<SQL
BEGIN;
SELECT compmap.record_event('$t', '$t', 'commit.dropped', 'tester', '{}');
DROP EXTENSION compmap CASCADE;
COMMIT;
SQL
ok $? "a transaction that appends and then drops the extension commits"
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q -c "INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$t', 'commit paths')"

# A deferred trigger that appends runs before the heads are written.
q >/dev/null 2>&1 <<SQL
CREATE TABLE app_order (id int PRIMARY KEY);
CREATE FUNCTION app_order_logged() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    PERFORM compmap.record_event('$t', '$t', 'app.order_committed', 'app', jsonb_build_object('id', NEW.id));
    RETURN NULL;
END \$\$;
CREATE CONSTRAINT TRIGGER app_order_logged AFTER INSERT ON app_order
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app_order_logged();
BEGIN;
SELECT compmap.record_event('$t', '$t', 'app.order_started', 'app', '{}');
INSERT INTO app_order SELECT generate_series(1, 40);
COMMIT;
SQL
ok $? "appends made by a deferred trigger at commit are accepted"
[ "$(q -c "SELECT size FROM compmap.evidence_head WHERE tenant_id = '$t'")" = 41 ]
ok $? "and the head written at commit counts them (41 entries)"
[ "$(q -c "SELECT ok FROM compmap.verify('$t')")" = t ]
ok $? "the log verifies after commits of appends made by deferred triggers"

# A failed append to a tenant that does not exist, caught by the caller,
# leaves nothing to write at commit.
q >/dev/null 2>&1 <<SQL
BEGIN;
DO \$\$ BEGIN
    PERFORM compmap.record_event('51000000-0000-4000-8000-0000000000ff', '$t', 'x.y', 'app', '{}');
EXCEPTION WHEN OTHERS THEN NULL;
END \$\$;
SELECT compmap.record_event('$t', '$t', 'after.failure', 'app', '{}');
COMMIT;
SQL
rc=$?
[ $rc = 0 ] && [ "$(q -c "SELECT ok FROM compmap.verify('$t')")" = t ]
ok $? "a caught append to an unknown tenant does not stop the commit of the others"
