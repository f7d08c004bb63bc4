#!/usr/bin/env bash
# Dump and restore round trips (pg_dump custom format + pg_restore, and a
# plain SQL dump + psql) keep every leaf index, leaf hash and root, and
# compmap.verify passes afterwards.  Needs PGHOST/PGPORT of a running
# cluster with compmap installed.
set -u
db=cm_dump_src
echo "1..9"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1; dropdb --if-exists ${db}_c >/dev/null 2>&1; dropdb --if-exists ${db}_p >/dev/null 2>&1' EXIT

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -d $db -c 'CREATE EXTENSION compmap CASCADE' >/dev/null
q -d $db >/dev/null <<'SQL'
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('40000000-0000-4000-8000-000000000001', 'dump one'),
                                                    ('40000000-0000-4000-8000-000000000002', 'dump two');
SELECT count(compmap.record_event(('40000000-0000-4000-8000-00000000000' || (1 + g % 2))::uuid,
       ('40000000-0000-4000-8000-0000000000' || lpad((g % 7)::text, 2, '0'))::uuid,
       'dump.event', 'actor ' || g, jsonb_build_object('g', g, 'half', g / 2.0, 'text', 'zoë ' || g)))
  FROM generate_series(1, 300) g;
SELECT compmap.redact('40000000-0000-4000-8000-000000000001', 3, 'dpo', 'test redaction');
-- user catalogue rows (extension configuration data) must survive too
SELECT compmap.add_framework('acme_isms', 'ACME internal control set');
SELECT compmap.add_mapping_source('acme_mapping', 'ACME internal mapping');
SELECT compmap.add_control('acme_isms:AC-1', 'access reviews', testability => 'manual');
SELECT compmap.add_edge('acme_isms:AC-1', 'iso27001_2022:A.5.18', 'equal', 'acme_mapping');
SELECT compmap.attest('40000000-0000-4000-8000-000000000001', 'acme_isms:AC-1', 'ciso', 'reviewed quarterly', 'TICKET-1', CURRENT_DATE + 30);
SQL
fingerprint() {
    q -d "$1" -c "SELECT t, compmap.tree_size(t), encode(compmap.tree_root(t), 'hex'),
                          (SELECT encode(sha256(convert_to(string_agg(leaf_index::text || encode(leaf_hash, 'hex'), ',' ORDER BY leaf_index), 'UTF8')), 'hex')
                             FROM compmap.evidence WHERE tenant_id = t)
                     FROM unnest(ARRAY['40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000002']::uuid[]) t"
}
verified() { q -d "$1" -c "SELECT bool_and(v.ok) FROM unnest(ARRAY['40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000002']::uuid[]) t, compmap.verify(t) v"; }
before=$(fingerprint $db)
[ "$(verified $db)" = t ]; ok $? "source verifies"

pg_dump -Fc -f "$tmp/dump.c" $db; ok $? "pg_dump custom format"
createdb ${db}_c && pg_restore -d ${db}_c --exit-on-error "$tmp/dump.c" 2>"$tmp/restore.err"
ok $? "pg_restore into a new database"
[ "$(fingerprint ${db}_c)" = "$before" ]; ok $? "custom restore keeps every index, leaf hash and root"
[ "$(verified ${db}_c)" = t ]; ok $? "compmap.verify passes after pg_restore"

pg_dump -Fp -f "$tmp/dump.sql" $db && createdb ${db}_p && q -d ${db}_p -f "$tmp/dump.sql" >/dev/null 2>"$tmp/plain.err"
ok $? "plain SQL dump replays with psql"
[ "$(fingerprint ${db}_p)" = "$before" ] && [ "$(verified ${db}_p)" = t ]; ok $? "plain restore keeps roots and verifies"
# Appending after a restore continues the same log.
size_before=$(q -d ${db}_c -c "SELECT compmap.tree_size('40000000-0000-4000-8000-000000000001')")
q -d ${db}_c -c "SELECT compmap.record_event('40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001', 'dump.after', 'x', '{}')" >/dev/null
[ "$(verified ${db}_c)" = t ] && [ "$(q -d ${db}_c -c "SELECT compmap.tree_size('40000000-0000-4000-8000-000000000001')")" = $((size_before + 1)) ]
ok $? "appends after restore extend the restored log"
user_rows() { q -d "$1" -c "SELECT (SELECT count(*) FROM compmap.framework WHERE origin = 'user') || '/' ||
                                     (SELECT count(*) FROM compmap.control_edge WHERE origin = 'user') || '/' ||
                                     (SELECT outcome FROM compmap.control_status WHERE control_ref = 'iso27001_2022:A.5.18'
                                         AND tenant_id = '40000000-0000-4000-8000-000000000001')"; }
[ "$(user_rows ${db}_c)" = "$(user_rows $db)" ] && [ "$(user_rows $db)" = "1/1/attested" ]
ok $? "user frameworks, edges and attestations survive and still score after restore"
[ -s "$tmp/restore.err" ] && cat "$tmp/restore.err" | head -5 | sed 's/^/# /'
exit 0
