#!/usr/bin/env bash
# OSCAL exports validate against NIST's official OSCAL 1.0.6 JSON Schemas
# (shared/reference/oscal), are deterministic, and a document with a
# required field removed does not validate.  Needs PGHOST/PGPORT and
# COMPMAP_SHARED.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$(cd "$top/../shared" && pwd)}
# Debian's interpreter: python3-jsonschema and python3-regex are its packages.
validate="/usr/bin/python3 $top/test/oscal/validate.py"
ar_schema=$shared/reference/oscal/oscal_assessment-results_schema.json
poam_schema=$shared/reference/oscal/oscal_poam_schema.json
db=cm_oscal
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..8"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
t=90000000-0000-4000-8000-000000000001

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
q >/dev/null <<SQL
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('$t', 'OSCAL GmbH');
SELECT * FROM compmap.ingest('$t', pg_read_file('$shared/fixtures/scans/grype/keycloak-test.json'), source_label => 'keycloak');
SELECT * FROM compmap.ingest('$t', pg_read_file('$shared/fixtures/scans/zap/report_json.json'), source_label => 'web');
SELECT compmap.attest('$t', 'iso27001_2022:A.5.1', 'ciso', 'information security policy approved', 'DMS-7', CURRENT_DATE + 180);
SELECT compmap.set_applicability('$t', 'iso27001_2022:A.7.5', false, 'no own premises');
SELECT compmap.set_status(finding_id, 'triaged', 'ciso'),
       compmap.set_status(finding_id, 'risk_accepted', 'ciso', note => 'compensating control', approver => 'ciso',
                          valid_until => CURRENT_DATE + 60)
  FROM compmap.finding WHERE tenant_id = '$t' ORDER BY finding_id LIMIT 1;
SQL
asof="'2026-11-27 12:00:00+00'"
q -c "SELECT compmap.oscal_assessment_results('$t', 'iso27001_2022', $asof)" > "$tmp/ar.json"
q -c "SELECT compmap.oscal_poam('$t', $asof)" > "$tmp/poam.json"

$validate "$ar_schema" "$tmp/ar.json" > "$tmp/ar.out" 2>&1
ok $? "assessment results validate against the OSCAL 1.0.6 schema"
sed 's/^/# /' "$tmp/ar.out" | tail -3
$validate "$poam_schema" "$tmp/poam.json" > "$tmp/poam.out" 2>&1
ok $? "the POA&M validates against the OSCAL 1.0.6 schema"
sed 's/^/# /' "$tmp/poam.out" | tail -3
q -c "SELECT compmap.oscal_assessment_results('$t', 'nist_csf_2', $asof)" > "$tmp/ar2.json"
$validate "$ar_schema" "$tmp/ar2.json" >/dev/null 2>&1
ok $? "assessment results for another framework (NIST CSF 2.0) validate too"

python3 - "$tmp/ar.json" "$tmp/poam.json" > "$tmp/facts" <<'PY'
import json, sys
ar = json.load(open(sys.argv[1]))["assessment-results"]; p = json.load(open(sys.argv[2]))["plan-of-action-and-milestones"]
r = ar["results"][0]
sat = {f["target"]["target-id"] for f in r["findings"] if f["target"]["status"]["state"] == "satisfied"}
print("satisfied", sorted(sat))
print("controls", len(r["reviewed-controls"]["control-selections"][0]["include-controls"]))
print("attestation", len(r.get("attestations", [])))
print("items", len(p["poam-items"]), "deviation", sum(1 for x in p["risks"] if x["status"] == "deviation-approved"))
PY
grep -q "satisfied \['iso27001_2022-A.5.1'\]" "$tmp/facts" && grep -q "controls 133" "$tmp/facts" && grep -q "attestation 1" "$tmp/facts"
ok $? "only the attested control is satisfied; 133 reviewed controls (one excluded); the attestation is an attestation part"
grep -q "deviation 1" "$tmp/facts"; ok $? "a risk-accepted finding is a deviation-approved POA&M risk"
sed 's/^/# /' "$tmp/facts"

q -c "SELECT compmap.oscal_assessment_results('$t', 'iso27001_2022', $asof)" > "$tmp/ar.again"
cmp -s "$tmp/ar.json" "$tmp/ar.again"; ok $? "the same data and as_of give the same document"

python3 - "$tmp/ar.json" "$tmp/broken.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); del d["assessment-results"]["results"][0]["findings"][0]["target"]
json.dump(d, open(sys.argv[2], "w"))
PY
$validate "$ar_schema" "$tmp/broken.json" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "a document with a required field removed does not validate"
err=$(q -c "SELECT compmap.oscal_assessment_results('$t', 'no_such_framework')" 2>&1)
echo "$err" | grep -q 'is not in the catalogue'; ok $? "an unknown framework gets a clear error"
exit 0
