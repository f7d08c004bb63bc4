#!/usr/bin/env bash
# tools/demo.sh: compmap's main job on real data, end to end.
#
# Builds and installs compmap, starts a throw-away cluster (or uses the one
# named by the standard PG* variables when PGHOST is set), creates a demo
# tenant, runs flawfinder (Debian package) over compmap's own C sources to
# get real SARIF 2.1.0 output, ingests it, walks one finding through its
# lifecycle, prints framework scores and the controls that fail, signs a
# checkpoint outside the database, writes one finding's auditor pack and
# verifies it offline with the independent verifier.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/lib.sh"

ensure_deps flawfinder
build_install "$top"
if [ -z "${PGHOST:-}" ]; then
    start_cluster demo
fi
db=${COMPMAP_DEMO_DB:-compmap_demo}
out=$(mktemp -d /tmp/compmap-demo-out.XXXXXX)
chmod 755 "$out"
q() { as_pg psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
show() { as_pg psql -X -q -P footer=off -v ON_ERROR_STOP=1 -d "$db" "$@"; }

as_pg dropdb --if-exists "$db" >/dev/null 2>&1 || true
as_pg createdb "$db"
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null

echo "== 1. real scanner output: flawfinder --sarif over compmap's own src/"
flawfinder --sarif --minlevel=1 "$top/src" > "$out/flawfinder.sarif" 2>/dev/null
chmod 644 "$out/flawfinder.sarif"
python3 - "$out/flawfinder.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]
print(f"   {run['tool']['driver']['name']} {run['tool']['driver'].get('version', '')}: "
      f"{len(run['results'])} results, SARIF {d['version']}")
PY

echo "== 2. a tenant, its checkpoint key (kept outside the database), and the ingest"
tenant=$(q -c "SELECT compmap.create_tenant('Demo GmbH')")
pub=$(bash "$top/tools/sign-checkpoint.sh" keygen "$out/signer.pem")
q -c "SELECT compmap.register_signing_key('$tenant', 'demo-signer', decode('$pub', 'base64'))" >/dev/null
# (through the operators' command, which sends the file by COPY: a log of
# this size no longer fits in one command-line argument)
as_pg env PGDATABASE="$db" bash "$top/tools/compmap-ingest" -t "$tenant" -l compmap/src "$out/flawfinder.sarif"
show -c "SELECT format, results, document_bytes, encode(document_sha256, 'hex') AS sha256 FROM compmap.scan WHERE tenant_id = '$tenant'"

echo "== 3. one finding through its lifecycle (found -> assigned -> fixed -> confirmed fixed)"
f=$(q -c "SELECT finding_id FROM compmap.finding WHERE tenant_id = '$tenant' ORDER BY severity, title, finding_id LIMIT 1")
q >/dev/null <<SQL
SELECT compmap.set_status('$f', 'triaged', 'alice', note => 'real: unchecked buffer length');
SELECT compmap.set_status('$f', 'assigned', 'alice', assignee => 'bob');
SELECT compmap.set_status('$f', 'in_progress', 'bob');
SELECT compmap.set_status('$f', 'fixed', 'bob', note => 'bounded copy, commit abc123');
SELECT compmap.set_status('$f', 'verified', 'ci', note => 'rescan clean');
SQL
show -c "SELECT seq, event_type, actor, from_status, to_status FROM compmap.finding_history WHERE finding_id = '$f' ORDER BY seq"

echo "== 4. honest scores: what the scan shows, and what it cannot"
show -c "SELECT framework, applicable, passed, attested, partially_evidenced AS partial, failed, not_assessed, score, coverage
           FROM compmap.framework_score WHERE tenant_id = '$tenant' ORDER BY framework"
show -c "SELECT control_ref, testability, failing_findings FROM compmap.control_status
          WHERE tenant_id = '$tenant' AND outcome = 'failed' ORDER BY control_ref LIMIT 10"

echo "== 5. NIS2: in scope?  what does the ISO work not cover?  which report is due?"
q >/dev/null <<SQL
SELECT compmap.set_entity_profile('$tenant', 'Demo GmbH', '{cloud_computing_provider}',
       staff_headcount => 120, annual_turnover_eur => 18e6, balance_sheet_eur => 12e6,
       member_states => '{DE}', reporting_time_zone => 'Europe/Berlin');
SELECT compmap.attest('$tenant', 'iso27001_2022:A.5.24', 'ciso', 'incident management process approved and exercised',
                      'DMS-2026-017', CURRENT_DATE + 365);
SQL
show -c "SELECT classification, size_class, rule, legal_basis FROM compmap.nis2_scope WHERE tenant_id = '$tenant'"
show -c "SELECT verdict, count(*) AS items FROM compmap.nis2_gap WHERE tenant_id = '$tenant' GROUP BY verdict ORDER BY verdict"
show -c "SELECT ref, duty_status, action FROM compmap.nis2_gap WHERE tenant_id = '$tenant' AND duty_status IS NOT NULL ORDER BY sort_order"
q -c "SELECT compmap.open_incident('$tenant', 'ransomware on the build server', now() - interval '5 hours', significant => true)" >/dev/null
show -c "SELECT regime, stage, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS due, status, legal_basis
           FROM compmap.incident_deadlines WHERE tenant_id = '$tenant' AND status IN ('due', 'overdue') ORDER BY due_at"

echo "== 6. a signed checkpoint and the finding's auditor pack, verified offline"
q -c "SELECT compmap.checkpoint_body('$tenant')" | python3 -c 'import sys; sys.stdout.write(sys.stdin.read()[:-1])' > "$out/body"
bash "$top/tools/sign-checkpoint.sh" sign "$out/signer.pem" demo-signer < "$out/body" > "$out/signed"
chmod 644 "$out/signed"
echo "SELECT 'checkpoint #' || compmap.record_checkpoint('$tenant', :'signed' || E'\\n') || ' recorded; log verifies: ' || (SELECT ok FROM compmap.verify('$tenant'))" \
    | q -v signed="$(cat "$out/signed")" | sed 's/^/   /'
q -c "SELECT compmap.auditor_pack('$f')" > "$out/pack.json"
python3 "$top/test/verifier/compmap_verify.py" pack "$out/pack.json" --key "demo-signer:$pub" | sed 's/^/   /'

echo "== 7. a tampered pack is caught"
python3 - "$out/pack.json" "$out/tampered.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["entries"][-1]["actor"] = "mallory"
json.dump(p, open(sys.argv[2], "w"))
PY
python3 "$top/test/verifier/compmap_verify.py" pack "$out/tampered.json" --key "demo-signer:$pub" | tail -1 | sed 's/^/   /' || true
echo "files in $out (SARIF, signed checkpoint, auditor pack)"
