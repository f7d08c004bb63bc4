#!/usr/bin/env bash
# The tenant export command: one folder with every pack, the log, the SoA,
# scores, control outcomes, OSCAL documents, the latest checkpoint and a
# manifest; it verifies itself; a changed file or a changed pack is caught.
# Needs PGHOST/PGPORT and COMPMAP_SHARED.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$(cd "$top/../shared" && pwd)}
signer="bash $top/tools/sign-checkpoint.sh"
db=cm_export
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..5"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
t=90000000-0000-4000-8000-000000000002

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
pub=$($signer keygen "$tmp/key.pem")
q >/dev/null <<SQL
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$t', 'Export GmbH');
SELECT compmap.register_signing_key('$t', 'export-signer', decode('$pub', 'base64'));
SELECT * FROM compmap.ingest('$t', pg_read_file('$shared/fixtures/scans/grype/keycloak-test.json'), source_label => 'keycloak');
SELECT compmap.set_status(finding_id, 'triaged', 'alice') FROM compmap.finding WHERE tenant_id = '$t' ORDER BY finding_id LIMIT 2;
SQL
q -c "SELECT compmap.checkpoint_body('$t')" | python3 -c 'import sys; sys.stdout.write(sys.stdin.read()[:-1])' > "$tmp/body"
$signer sign "$tmp/key.pem" export-signer < "$tmp/body" > "$tmp/signed"
echo "SELECT compmap.record_checkpoint('$t', :'s' || E'\\n')" | q -v s="$(cat "$tmp/signed")" >/dev/null

PGDATABASE=$db bash "$top/tools/compmap-export" -t $t -o "$tmp/out" -k "export-signer:$pub" > "$tmp/log" 2>&1
ok $? "the export writes and verifies itself"
tail -3 "$tmp/log" | sed 's/^/# /'
[ "$(ls "$tmp/out/packs" | wc -l)" = 6 ] && [ -s "$tmp/out/statement_of_applicability.csv" ] && [ -s "$tmp/out/oscal/poam.json" ] \
    && [ "$(wc -l < "$tmp/out/statement_of_applicability.csv")" = 94 ]
ok $? "one pack per open finding, the SoA (93 controls and a header), the POA&M"
python3 -c 'import sys; print(open(sys.argv[1]).read().replace("Export", "Exp0rt"), end="")' "$tmp/out/oscal/poam.json" > "$tmp/x" && cp "$tmp/x" "$tmp/out/oscal/poam.json"
(cd "$tmp/out" && sha256sum --quiet -c MANIFEST.sha256) >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "a changed file no longer matches the manifest"
p=$(ls "$tmp/out/packs" | head -1)
python3 - "$tmp/out/packs/$p" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["entries"][0]["actor"] = "mallory"; json.dump(d, open(sys.argv[1], "w"))
PY
python3 "$top/test/verifier/compmap_verify.py" pack "$tmp/out/packs/$p" --key "export-signer:$pub" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "a changed pack fails verification"
PGDATABASE=$db bash "$top/tools/compmap-export" -t $t -o "$tmp/out" >/dev/null 2>&1
[ $? -eq 2 ]; ok $? "the export refuses to write into a folder that is not empty"
exit 0
