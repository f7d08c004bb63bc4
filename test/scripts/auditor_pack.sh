#!/usr/bin/env bash
# Auditor packs end to end: a finding with a lifecycle in a log with two
# signed checkpoints; the pack verifies offline with the independent
# verifier; it is deterministic; and every tampering the pack can suffer is
# caught with a reason.  Needs PGHOST/PGPORT of a running cluster.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
verifier="python3 $top/test/verifier/compmap_verify.py"
signer="bash $top/tools/sign-checkpoint.sh"
db=cm_pack
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..13"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
t=80000000-0000-4000-8000-000000000001

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
pub=$($signer keygen "$tmp/key.pem")
checkpoint() {
    q -c "SELECT compmap.checkpoint_body('$t')" | python3 -c 'import sys; sys.stdout.write(sys.stdin.read()[:-1])' > "$tmp/body"
    $signer sign "$tmp/key.pem" pack-signer < "$tmp/body" > "$tmp/signed.$1"
    echo "SELECT compmap.record_checkpoint('$t', :'signed' || E'\\n')" | q -v signed="$(cat "$tmp/signed.$1")" >/dev/null
}
q >/dev/null <<SQL
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$t', 'pack test');
SELECT compmap.register_signing_key('$t', 'pack-signer', decode('$pub', 'base64'));
SELECT compmap.record_finding('$t', 'Outdated OpenSSL in base image', 'trivy', scanner => 'trivy', rule_id => 'CVE-2024-5535',
       cvss => 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', asset_kind => 'image', asset_name => 'registry.example/shop:1.4',
       cve_ids => '{CVE-2024-5535}');
SELECT count(compmap.record_event('$t', gen_random_uuid(), 'noise.event', 'x', jsonb_build_object('i', g))) FROM generate_series(1, 37) g;
SELECT compmap.set_status(finding_id, 'triaged', 'alice', note => 'affects production') FROM compmap.finding;
SQL
checkpoint 1
q >/dev/null <<SQL
SELECT count(compmap.record_event('$t', gen_random_uuid(), 'noise.event', 'x', jsonb_build_object('i', g))) FROM generate_series(1, 120) g;
SELECT compmap.set_status(finding_id, 'assigned', 'alice', assignee => 'platform') FROM compmap.finding;
SELECT compmap.set_status(finding_id, 'fixed', 'platform', note => 'rebuilt on openssl 3.0.14') FROM compmap.finding;
SQL
checkpoint 2
f=$(q -c "SELECT finding_id FROM compmap.finding")
q -c "SELECT compmap.auditor_pack('$f')" > "$tmp/pack.json"

$verifier pack "$tmp/pack.json" --key "pack-signer:$pub" > "$tmp/report" 2>&1
ok $? "a real pack verifies offline with the independent verifier"
sed 's/^/# /' "$tmp/report"
$verifier pack "$tmp/pack.json" --key "pack-signer:$pub" --trusted-checkpoint "$tmp/signed.1" >/dev/null 2>&1
ok $? "the pack proves its checkpoint extends the auditor's earlier checkpoint"

PGOPTIONS='-c TimeZone=Asia/Kathmandu -c DateStyle=SQL,DMY -c extra_float_digits=-3 -c bytea_output=escape' \
    q -c "SELECT compmap.auditor_pack('$f')" > "$tmp/pack2.json"
cmp -s "$tmp/pack.json" "$tmp/pack2.json"; ok $? "the same data and checkpoint give byte-identical packs, whatever the session settings"

mutate() {  # mutate NAME PYTHON-EXPRESSION-ON-p ; expect the verifier to fail with REASON-RE
    python3 - "$tmp/pack.json" "$tmp/$1.json" "$2" <<'PY'
import base64, json, sys
p = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(p, open(sys.argv[2], "w"))
PY
}
expect_fail() {  # expect_fail NAME REASON-RE DESCRIPTION [verifier args, default: the signer's key]
    local name=$1 re=$2 desc=$3; shift 3
    [ $# -gt 0 ] || set -- --key "pack-signer:$pub"
    $verifier pack "$tmp/$name.json" "$@" > "$tmp/$name.out" 2>&1
    local rc=$?
    [ $rc -ne 0 ] && tail -1 "$tmp/$name.out" | grep -qE "$re"
    ok $? "$desc"
    tail -1 "$tmp/$name.out" | sed 's/^/# /'
}
mutate leafbyte 'e = p["entries"][1]; b = bytearray(base64.b64decode(e["leaf_bytes"])); b[-1] ^= 1; e["leaf_bytes"] = base64.b64encode(bytes(b)).decode()'
expect_fail leafbyte 'leaf_bytes' "a changed byte in a leaf is caught"
mutate actor 'p["entries"][2]["actor"] = "mallory"'
expect_fail actor 'disagree with the listed actor' "a changed listed field is caught"
mutate payload 'p["entries"][1]["payload"]["note"] = "affects nothing"'
expect_fail payload 'payload' "a changed payload is caught"
mutate removed 'del p["entries"][1]'
expect_fail removed 'subject_seq|chain' "a removed entry breaks the finding's chain"
mutate swapped 'pr = p["entries"][0]["inclusion_proof"]; pr[0], pr[1] = pr[1], pr[0]'
expect_fail swapped 'inclusion proof' "a swapped proof element is caught"
mutate consistency 'pr = p["earlier_checkpoints"][0]["consistency_proof"]; pr[0], pr[-1] = pr[-1], pr[0]'
expect_fail consistency 'does not extend' "an earlier checkpoint the pack's checkpoint does not extend is caught"
mutate same ''
expect_fail same 'no signature by a trusted key' "a pack checked against the wrong key is refused" --key "pack-signer:$($signer keygen "$tmp/other.pem")"

# A forked history: the same key signs another root for the first checkpoint's size.
python3 - "$tmp/signed.1" "$tmp/fork.body" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
root = bytearray(base64.b64decode(lines[2])); root[0] ^= 0xFF
lines[2] = base64.b64encode(bytes(root)).decode()
open(sys.argv[2], "w").write("\n".join(lines[:5]) + "\n")
PY
$signer sign "$tmp/key.pem" pack-signer < "$tmp/fork.body" > "$tmp/fork.signed"
cp "$tmp/pack.json" "$tmp/fork.json"
expect_fail fork 'does not prove|split view' "a pack that does not extend the auditor's own checkpoint is refused" --key "pack-signer:$pub" --trusted-checkpoint "$tmp/fork.signed"

err=$(q -c "SELECT compmap.auditor_pack(gen_random_uuid())" 2>&1)
echo "$err" | grep -q 'does not exist or is not visible'; ok $? "an unknown finding gets a clear error"
q -c "INSERT INTO compmap.tenant (tenant_id, name) VALUES ('80000000-0000-4000-8000-000000000002', 'no checkpoint')" >/dev/null
g=$(q -c "SELECT finding_id FROM compmap.record_finding('80000000-0000-4000-8000-000000000002', 'x', 'y', scanner => 's', rule_id => 'r')")
err=$(q -c "SELECT compmap.auditor_pack('$g')" 2>&1)
echo "$err" | grep -q 'has no signed checkpoint'; ok $? "a tenant without a signed checkpoint gets a clear error"
exit 0
