#!/usr/bin/env bash
# End to end: a real log with a signed checkpoint is exported by the
# database and verified offline by the independent Python verifier; edits
# to the export are caught with the first bad index.  Needs PGHOST/PGPORT.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
verifier="python3 $top/test/verifier/compmap_verify.py"
signer="bash $top/tools/sign-checkpoint.sh"
db=cm_verifier
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..6"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
t=50000000-0000-4000-8000-000000000001

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
pub=$($signer keygen "$tmp/key.pem")
q >/dev/null <<SQL
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$t', 'verifier');
SELECT compmap.register_signing_key('$t', 'ci-signer', decode('$pub', 'base64'));
SELECT count(compmap.record_event('$t', ('50000000-0000-4000-8000-0000000000' || lpad((g % 5)::text, 2, '0'))::uuid,
       'finding.status_changed', 'user ' || g, jsonb_build_object('g', g, 'score', g / 4.0, 'name', 'Ünïcödé ' || g)))
  FROM generate_series(1, 57) g;
SQL
q -c "SELECT compmap.checkpoint_body('$t')" > "$tmp/body"
# psql -At adds a newline after the value, which already ends in one.
python3 -c 'import sys; d = open(sys.argv[1]).read(); open(sys.argv[1], "w").write(d[:-1])' "$tmp/body"
$signer sign "$tmp/key.pem" ci-signer < "$tmp/body" > "$tmp/signed"
echo "SELECT compmap.record_checkpoint('$t', :'signed' || E'\\n')" | q -v signed="$(cat "$tmp/signed")" >/dev/null
ok $? "a checkpoint signed outside the database is recorded"
q -c "SELECT count(compmap.record_event('$t', '$t', 'app.after', 'x', jsonb_build_object('i', g))) FROM generate_series(1, 5) g" >/dev/null
q -c "SELECT compmap.export_log('$t')" > "$tmp/export.json"

$verifier log "$tmp/export.json" --key "ci-signer:$pub" > "$tmp/report" 2>&1
ok $? "the independent verifier accepts the database's export"
tail -1 "$tmp/report" | sed 's/^/# /'

python3 - "$tmp/export.json" "$tmp/bad_actor.json" "$tmp/bad_order.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
a = json.loads(json.dumps(e)); a["entries"][20]["actor"] = "mallory"
json.dump(a, open(sys.argv[2], "w"))
b = json.loads(json.dumps(e)); b["entries"][30]["payload"]["g"] = 999
json.dump(b, open(sys.argv[3], "w"))
PY
$verifier log "$tmp/bad_actor.json" --key "ci-signer:$pub" > "$tmp/r1" 2>&1
[ $? -ne 0 ] && tail -1 "$tmp/r1" | grep -q 'first_bad_index=20'; ok $? "an edited actor is reported at index 20"
$verifier log "$tmp/bad_order.json" --key "ci-signer:$pub" > "$tmp/r2" 2>&1
[ $? -ne 0 ] && tail -1 "$tmp/r2" | grep -q 'first_bad_index=30'; ok $? "an edited payload is reported at index 30"
$verifier log "$tmp/export.json" --key "ci-signer:$($signer keygen "$tmp/other.pem")" > "$tmp/r3" 2>&1
[ $? -ne 0 ]; ok $? "a checkpoint signed by an untrusted key is refused"
[ "$(q -c "SELECT ok FROM compmap.verify('$t')")" = t ]; ok $? "compmap.verify agrees the log is intact"
exit 0
