#!/usr/bin/env bash
# bench/pack.sh: auditor packs per second, for findings with 20 evidence
# entries each in a tenant of BENCH_LEAVES entries (default 1,000,000),
# against reading the same findings' entries with a plain SELECT in the same
# run; proof length and time at growing log sizes show O(log n).
# Uses the PG* environment of a running cluster whose database has compmap.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
leaves=${BENCH_LEAVES:-1000000}
packs=${BENCH_PACKS:-200}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t=$(q -c "SELECT compmap.create_tenant('pack bench ' || clock_timestamp())")
pub=$(bash "$top/tools/sign-checkpoint.sh" keygen "$tmp/key.pem")
q -c "SELECT compmap.register_signing_key('$t', 'bench', decode('$pub', 'base64'))" >/dev/null
# The findings, each created with its first entry.
q -c "SELECT count(*) FROM generate_series(1, $packs) g,
        LATERAL compmap.record_finding('$t', 'bench finding ' || g, 'bench', scanner => 'bench', rule_id => 'r' || g)" >/dev/null
# Fill the log: batches of noise with 19 more entries per finding spread through it.
batches=$(( leaves / 10000 ))
q -c "DO \$\$
DECLARE fids uuid[] := ARRAY(SELECT finding_id FROM compmap.finding WHERE tenant_id = '$t' ORDER BY finding_id);
BEGIN
  FOR b IN 1..$batches LOOP
    INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
    SELECT '$t', CASE WHEN g % (10000 / greatest(1, 19 * array_length(fids, 1) / $batches)) = 0 AND b <= $batches
                       THEN fids[1 + (g + b) % array_length(fids, 1)] ELSE gen_random_uuid() END,
           'bench.event', 'bench', jsonb_build_object('b', b, 'g', g)
      FROM generate_series(1, 10000) g;
    COMMIT;
  END LOOP;
END \$\$" >/dev/null
size=$(q -c "SELECT compmap.tree_size('$t')")
q -c "SELECT compmap.checkpoint_body('$t')" | python3 -c 'import sys; sys.stdout.write(sys.stdin.read()[:-1])' > "$tmp/body"
bash "$top/tools/sign-checkpoint.sh" sign "$tmp/key.pem" bench < "$tmp/body" > "$tmp/signed"
echo "SELECT compmap.record_checkpoint('$t', :'s' || E'\\n')" | q -v s="$(cat "$tmp/signed")" >/dev/null
per=$(q -c "SELECT round(avg(n), 1) FROM (SELECT count(*) n FROM compmap.evidence e JOIN compmap.finding f
            ON f.tenant_id = e.tenant_id AND f.finding_id = e.subject_id WHERE f.tenant_id = '$t' GROUP BY f.finding_id) s")

s=$(now); q -c "SELECT count(*) FROM compmap.finding f, compmap.evidence e
                 WHERE f.tenant_id = '$t' AND e.tenant_id = f.tenant_id AND e.subject_id = f.finding_id" >/dev/null; e=$(now)
base=$(echo "$e - $s" | bc -l)
s=$(now); q -c "SELECT sum(length(compmap.auditor_pack(f.finding_id)::text)) FROM compmap.finding f WHERE f.tenant_id = '$t'" >/dev/null; e=$(now)
pk=$(echo "$e - $s" | bc -l)
printf 'auditor packs, tenant of %d entries, %d findings with %s entries each:\n' "$size" "$packs" "$per"
printf '  plain SELECT of the same entries   %.3f s\n' "$base"
printf '  auditor_pack for every finding     %.3f s = %.0f packs/s (%.1f x the SELECT)\n' "$pk" "$(echo "$packs / $pk" | bc -l)" "$(echo "$pk / $base" | bc -l)"
q -c "SELECT compmap.auditor_pack(finding_id) FROM compmap.finding WHERE tenant_id = '$t' LIMIT 1" > "$tmp/pack.json"
python3 "$top/test/verifier/compmap_verify.py" pack "$tmp/pack.json" --key "bench:$pub" | tail -1 | sed 's/^/  one pack verified offline: /'
echo "inclusion proof size and time by log size:"
for n in 1000 10000 100000 1000000; do
    [ "$n" -le "$size" ] || continue
    s=$(now)
    len=$(q -c "SELECT avg(array_length(compmap.inclusion_proof('$t', (random() * ($n - 1))::bigint, $n), 1)) FROM generate_series(1, 200)")
    e=$(now)
    printf '  %8d entries: %.1f hashes, %.3f ms per proof\n' "$n" "$len" "$(echo "($e - $s) * 1000 / 200" | bc -l)"
done
