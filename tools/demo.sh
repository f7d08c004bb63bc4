#!/usr/bin/env bash
# tools/demo.sh: compmap's main job on real data, end to end.
#
# Builds and installs compmap, starts a throw-away cluster (or uses the one
# named by the standard PG* variables when PGHOST is set), creates a demo
# tenant, runs flawfinder (Debian package) over compmap's own C sources to
# get real SARIF 2.1.0 output, records the scan and each result in the
# tenant's evidence log, signs a checkpoint outside the database, exports
# the log and verifies it offline with the independent verifier.
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

as_pg dropdb --if-exists "$db" >/dev/null 2>&1 || true
as_pg createdb "$db"
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null

echo "== 1. real scanner output: flawfinder --sarif over compmap's src/"
flawfinder --sarif --minlevel=1 "$top/src" > "$out/flawfinder.sarif" 2>/dev/null
python3 - "$out/flawfinder.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]
print(f"   {run['tool']['driver']['name']} {run['tool']['driver'].get('version', '')}: {len(run['results'])} results, SARIF {d['version']}")
PY

echo "== 2. tenant, signing key and evidence"
tenant=$(q -c "SELECT compmap.create_tenant('Demo GmbH')")
pub=$(bash "$top/tools/sign-checkpoint.sh" keygen "$out/signer.pem")
q -c "SELECT compmap.register_signing_key('$tenant', 'demo-signer', decode('$pub', 'base64'))" >/dev/null
chmod 644 "$out/flawfinder.sarif"
as_pg env PGDATABASE="$db" psql -X -q -At -v ON_ERROR_STOP=1 -v tenant="$tenant" -v sarif="$(cat "$out/flawfinder.sarif")" <<'SQL'
WITH doc AS (SELECT :'sarif'::jsonb AS j),
scan AS (
    SELECT gen_random_uuid() AS id, j, sha256(convert_to(:'sarif', 'UTF8')) AS digest FROM doc),
logged_scan AS (
    SELECT compmap.record_event(:'tenant', id, 'scan.ingested', 'demo',
           jsonb_build_object('format', 'sarif', 'tool', j #>> '{runs,0,tool,driver,name}',
                              'sha256', encode(digest, 'hex'), 'bytes', octet_length(:'sarif'),
                              'results', jsonb_array_length(j #> '{runs,0,results}'))) AS leaf
    FROM scan)
SELECT 'scan recorded at leaf ' || leaf FROM logged_scan;
SELECT count(compmap.record_event(:'tenant',
           uuid_generate_v5_stub, 'finding.created', 'flawfinder',
           jsonb_build_object('rule', r->>'ruleId', 'level', r->>'level',
                              'message', r #>> '{message,text}',
                              'file', r #>> '{locations,0,physicalLocation,artifactLocation,uri}',
                              'line', (r #>> '{locations,0,physicalLocation,region,startLine}')::int)))
       || ' findings recorded'
  FROM (SELECT r, md5(r::text)::uuid AS uuid_generate_v5_stub
          FROM jsonb_array_elements((:'sarif'::jsonb) #> '{runs,0,results}') r) s;
SELECT '   by rule: ' || string_agg(rule || ' ×' || n, ', ' ORDER BY n DESC, rule)
  FROM (SELECT payload->>'rule' AS rule, count(*) AS n FROM compmap.evidence
         WHERE event_type = 'finding.created' GROUP BY 1) s;
SQL

echo "== 3. signed checkpoint (the private key stays outside the database)"
q -c "SELECT compmap.checkpoint_body('$tenant')" | python3 -c 'import sys; sys.stdout.write(sys.stdin.read()[:-1])' > "$out/body"
bash "$top/tools/sign-checkpoint.sh" sign "$out/signer.pem" demo-signer < "$out/body" > "$out/signed"
chmod 644 "$out/signed"
echo "SELECT 'checkpoint #' || compmap.record_checkpoint('$tenant', :'signed' || E'\\n') || ' recorded'" \
    | q -v signed="$(cat "$out/signed")"
sed 's/^/   /' "$out/signed"

echo "== 4. verification inside the database"
q -c "SELECT '   ok=' || ok || ' entries=' || checked FROM compmap.verify('$tenant')"
q -c "SELECT '   inclusion proof of entry 1: ' || array_length(p, 1) || ' hashes, verifies=' ||
             compmap.verify_inclusion((SELECT leaf_hash FROM compmap.evidence WHERE tenant_id = '$tenant' AND leaf_index = 1),
                                      1, compmap.tree_size('$tenant'), p, compmap.tree_root('$tenant'))
        FROM compmap.inclusion_proof('$tenant', 1, compmap.tree_size('$tenant')) p"

echo "== 5. offline verification of the exported log (independent verifier, Python stdlib only)"
q -c "SELECT compmap.export_log('$tenant')" > "$out/export.json"
python3 "$top/test/verifier/compmap_verify.py" log "$out/export.json" --key "demo-signer:$pub" | tail -1 | sed 's/^/   /'

echo "== 6. a tampered copy is caught"
python3 - "$out/export.json" "$out/tampered.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); e["entries"][3]["payload"]["line"] = 99999
json.dump(e, open(sys.argv[2], "w"))
PY
python3 "$top/test/verifier/compmap_verify.py" log "$out/tampered.json" --key "demo-signer:$pub" | tail -1 | sed 's/^/   /' || true
echo "files in $out (SARIF, signed checkpoint, export)"
