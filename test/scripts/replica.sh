#!/usr/bin/env bash
# Streaming replica: a primary and a hot standby (pg_basebackup -R) on
# loopback, both throw-away clusters of this script (never the shared test
# cluster).  Evidence for three tenants, findings, a redaction and a signed
# checkpoint are written on the primary; once the standby has replayed them,
# every tenant's log verifies on the standby, read-only, with the same size
# and root as on the primary.  Then more evidence: the standby follows, and
# its consistency proof links the old root to the new one.  Honours
# PG_BINDIR (tools/lib.sh).  About 5 seconds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tools/lib.sh"
echo "1..11"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
bail() { echo "Bail out! $1"; exit 0; }

export COMPMAP_PG_CONF="wal_level = replica
max_wal_senders = 4
hot_standby = on"
start_cluster replica >/dev/null 2>&1 || bail "the primary does not start"
primary_port=$PGPORT
STANDBY=$WORK/standby
stop_both() {
    [ -n "${WORK:-}" ] && [ -f "$STANDBY/postmaster.pid" ] \
        && as_pg pg_ctl -D "$STANDBY" -m immediate -w -t 30 stop >/dev/null 2>&1
    stop_cluster
}
trap stop_both EXIT
export PGDATABASE=replica
T1=72000000-0000-4000-8000-000000000001
T2=72000000-0000-4000-8000-000000000002
T3=72000000-0000-4000-8000-000000000003
tenants="'$T1', '$T2', '$T3'"

createdb replica && psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$WORK/setup.err" <<SQL
CREATE EXTENSION compmap CASCADE;
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$T1', 'replica one'), ('$T2', 'replica two'), ('$T3', 'replica three');
SELECT count(compmap.record_event(t, gen_random_uuid(), 'replica.event', 'writer ' || g,
                                  jsonb_build_object('g', g, 'half', g / 2.0, 'text', 'zoë ' || g, 'nested', jsonb_build_object('b', g % 3, 'a', null))))
  FROM unnest(ARRAY[$tenants]::uuid[]) t, generate_series(1, 200) g;
SELECT count(*) FROM unnest(ARRAY[$tenants]::uuid[]) t, generate_series(1, 20) g,
       compmap.record_finding(t, 'replica finding ' || g, 'scanner', scanner => 'replica', rule_id => 'r' || g,
                              asset_kind => 'host', asset_name => 'h' || (g % 4));
SELECT compmap.set_status(f.finding_id, 'triaged', 'alice') FROM compmap.finding f WHERE f.tenant_id = '$T2';
SELECT compmap.redact('$T3', 5, 'dpo', 'replica test redaction');
SQL
rc=$?
ok $rc "primary with compmap, three tenants, 600 events, 60 findings, triage and a redaction"
[ $rc != 0 ] && sed 's/^/# /' "$WORK/setup.err" | head -5

# A signed checkpoint for the first tenant (Ed25519 with the openssl CLI).
key=$WORK/checkpoint_key.pem
signed=1
{
    bash "$top/tools/sign-checkpoint.sh" keygen "$key" >"$WORK/pub.b64" \
    && psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT compmap.register_signing_key('$T1', 'replica-signer', decode('$(cat "$WORK/pub.b64")', 'base64'))" \
    && psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT compmap.checkpoint_body('$T1')" >"$WORK/body" \
    && truncate -s -1 "$WORK/body" \
    && bash "$top/tools/sign-checkpoint.sh" sign "$key" replica-signer <"$WORK/body" >"$WORK/signed" \
    && psql -X -q -At -v ON_ERROR_STOP=1 -v signed="$(cat "$WORK/signed")" <<<"SELECT compmap.record_checkpoint('$T1', :'signed' || E'\\n')"
} >/dev/null 2>"$WORK/sign.err" || signed=0
[ $signed = 1 ]; ok $? "a signed checkpoint is recorded on the primary"
[ $signed = 0 ] && sed 's/^/# /' "$WORK/sign.err" | head -5

as_pg pg_basebackup -h 127.0.0.1 -p "$primary_port" -U postgres -D "$STANDBY" -R -X stream -c fast \
    >"$WORK/basebackup.log" 2>&1
ok $? "pg_basebackup -R clones the primary"
standby_port=$(free_port $((primary_port + 1)))
cat >>"$STANDBY/postgresql.conf" <<CONF
port = $standby_port
CONF
as_pg pg_ctl -D "$STANDBY" -l "$WORK/standby.log" -w -t 60 start >/dev/null 2>&1
ok $? "the standby starts (port $standby_port)"

P() { psql -X -q -At -p "$primary_port" "$@"; }
S() { psql -X -q -At -p "$standby_port" "$@"; }
catch_up() {  # waits until the standby has replayed the primary's current WAL
    local lsn i
    lsn=$(P -c "SELECT pg_current_wal_lsn()")
    for i in $(seq 1 300); do
        [ "$(S -c "SELECT coalesce(pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn, false)" 2>/dev/null)" = t ] && return 0
        sleep 0.1
    done
    return 1
}
catch_up
ok $? "the standby replays the primary's WAL"
[ "$(S -c "SELECT pg_is_in_recovery()")" = t ]
ok $? "the standby is in recovery (hot standby, read-only)"

# Per tenant: size, root, and the tip's inclusion proof.
roots() {
    "$@" -c "SELECT t, compmap.tree_size(t), encode(compmap.tree_root(t), 'hex'),
                    md5(array_to_string(compmap.inclusion_proof(t, 0, compmap.tree_size(t)), ','))
               FROM unnest(ARRAY[$tenants]::uuid[]) t ORDER BY t"
}
on_primary=$(roots P)
on_standby=$(roots S)
[ -n "$on_primary" ] && [ "$on_primary" = "$on_standby" ]
ok $? "every tenant has the same size, root and inclusion proofs on the standby"
# compmap.verify inside a READ ONLY transaction on the standby: it recomputes
# every leaf and node and checks the head and the signed checkpoint.
verified=$(S -v ON_ERROR_STOP=1 2>"$WORK/verify.err" <<SQL
BEGIN TRANSACTION READ ONLY;
SELECT count(*) FILTER (WHERE v.ok), sum(v.checked) FROM unnest(ARRAY[$tenants]::uuid[]) t, compmap.verify(t) v;
COMMIT;
SQL
)
[ "$verified" = "3|$(P -c "SELECT count(*) FROM compmap.evidence")" ]
ok $? "compmap.verify passes for every tenant on the standby, read-only ($verified)"
[ -s "$WORK/verify.err" ] && sed 's/^/# /' "$WORK/verify.err" | head -5
S -c "SELECT checkpoint_no, tree_size FROM compmap.checkpoint" >/dev/null 2>&1 \
    && [ "$(S -c "SELECT count(*) FROM compmap.checkpoint WHERE tenant_id = '$T1'")" = $signed ]
ok $? "the signed checkpoint is on the standby"
S -c "SELECT compmap.record_event('$T1', '$T1', 'replica.write', 'x', '{}')" >/dev/null 2>"$WORK/write.err"
[ $? != 0 ] && grep -q 'read-only transaction' "$WORK/write.err"
ok $? "writing evidence on the standby is refused (read-only transaction)"

# The standby follows further appends; its consistency proof links the roots.
old=$(S -c "SELECT compmap.tree_size('$T2') || ' ' || encode(compmap.tree_root('$T2'), 'hex')")
P -c "SELECT count(compmap.record_event('$T2', gen_random_uuid(), 'replica.more', 'w', jsonb_build_object('g', g))) FROM generate_series(1, 77) g" >/dev/null
catch_up
read -r old_size old_root <<<"$old"
[ "$(S -c "SELECT compmap.tree_size('$T2') = $old_size + 77
                AND compmap.verify_consistency($old_size, compmap.tree_size('$T2'), '\\x$old_root'::bytea,
                                               compmap.tree_root('$T2'), compmap.consistency_proof('$T2', $old_size, compmap.tree_size('$T2')))
                AND (SELECT bool_and(ok) FROM compmap.verify('$T2'))")" = t ] \
    && [ "$(roots S)" = "$(roots P)" ]
ok $? "after 77 more events the standby verifies, proves consistency with its old root and matches the primary"
exit 0
