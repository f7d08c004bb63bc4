#!/usr/bin/env bash
# bench/evidence.sh: cost of compmap's evidence log, measured in one run on
# one table shape, against baselines measured in the same run.
#
#   (a) plain:   INSERT into a table of compmap.evidence's shape and indexes,
#                no trigger (values the log would assign are filled in SQL:
#                sequence numbers, and constants of the hashes' 32 bytes)
#   (b) compmap: INSERT into compmap.evidence (C trigger, head locked once per
#                transaction, head and nodes written once at commit)
#   (c) plpgsql: the straightforward design: a PL/pgSQL BEFORE trigger that
#                locks a head row, hashes with pgcrypto digest() and updates
#                the head for every row
#
# Workload: single client, BENCH_TXNS transactions of 1,000 rows each
# (INSERT ... SELECT), 8-key payloads of about 190 bytes; the three variants
# run interleaved BENCH_ROUNDS times and the best round of each counts.
# Then: compmap.verify over a log of BENCH_VERIFY_LEAVES leaves (leaves per
# second), beside reading the same rows' payloads and leaf hashes in index
# order (the filter on them keeps the read from becoming an index-only scan
# once the visibility map is set), and inclusion-proof generation at tree
# sizes 10^4, 10^5, 10^6.
#
# Uses the PG* environment of a running cluster whose database has compmap
# installed (bench/run.sh provides one).
set -euo pipefail
txns=${BENCH_TXNS:-20}
rounds=${BENCH_ROUNDS:-3}
verify_leaves=${BENCH_VERIFY_LEAVES:-1000000}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }

q >/dev/null <<'SQL'
DROP TABLE IF EXISTS bench_plain, bench_chain, bench_head;
CREATE TABLE bench_plain (LIKE compmap.evidence INCLUDING DEFAULTS, PRIMARY KEY (tenant_id, leaf_index));
CREATE UNIQUE INDEX ON bench_plain (tenant_id, subject_id, subject_seq);
CREATE SEQUENCE IF NOT EXISTS bench_plain_seq;
CREATE TABLE bench_chain (LIKE compmap.evidence INCLUDING DEFAULTS, PRIMARY KEY (tenant_id, leaf_index));
CREATE UNIQUE INDEX ON bench_chain (tenant_id, subject_id, subject_seq);
CREATE TABLE bench_head (tenant_id uuid PRIMARY KEY, seq bigint NOT NULL, hash bytea NOT NULL);
CREATE OR REPLACE FUNCTION bench_chain_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    h_seq bigint;
    h_hash bytea;
BEGIN
    SELECT seq, hash INTO h_seq, h_hash FROM bench_head WHERE tenant_id = NEW.tenant_id FOR UPDATE;
    NEW.leaf_index := h_seq;
    NEW.subject_seq := h_seq + 1;
    NEW.subject_prev := h_hash;
    NEW.recorded_at := clock_timestamp();
    NEW.payload_digest := digest(NEW.payload::text, 'sha256');
    NEW.leaf_hash := digest(h_hash || NEW.payload_digest || convert_to(NEW.event_type || NEW.actor, 'UTF8'), 'sha256');
    UPDATE bench_head SET seq = h_seq + 1, hash = NEW.leaf_hash WHERE tenant_id = NEW.tenant_id;
    RETURN NEW;
END $$;
CREATE TRIGGER chain BEFORE INSERT ON bench_chain FOR EACH ROW EXECUTE FUNCTION bench_chain_trigger();
SQL
tenant=$(q -c "SELECT compmap.create_tenant('bench ' || clock_timestamp())")
q -c "INSERT INTO bench_head VALUES ('$tenant', 0, '\\x00')" >/dev/null

payload="jsonb_build_object('scanner', 'trivy', 'rule', 'CVE-2024-' || g, 'severity', 'high', 'package', 'openssl', 'version', '3.0.' || (g % 20), 'fixed_in', '3.0.21', 'asset', 'registry.example/app:1.' || (g % 7), 'seen', g)"
subject="('60000000-0000-4000-8000-' || lpad(to_hex(g % 1000), 12, '0'))::uuid"
# (a) stores constant 32-byte values where the log stores its three hashes,
# so that both variants write rows of the same size.
hash32=$(printf '%064d' 0)
run() {  # run VARIANT -> seconds for $txns transactions of 1,000 rows
    local sql
    case $1 in
        plain) sql="INSERT INTO bench_plain (tenant_id, leaf_index, subject_id, subject_seq, subject_prev, event_type, actor, recorded_at, payload, payload_digest, leaf_hash)
                    SELECT '$tenant', nextval('bench_plain_seq'), $subject, nextval('bench_plain_seq'), '\\x$hash32', 'bench.event', 'bench', now(), $payload, '\\x$hash32', '\\x$hash32' FROM generate_series(1, 1000) g" ;;
        compmap) sql="INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
                    SELECT '$tenant', $subject, 'bench.event', 'bench', $payload FROM generate_series(1, 1000) g" ;;
        plpgsql) sql="INSERT INTO bench_chain (tenant_id, subject_id, event_type, actor, payload)
                    SELECT '$tenant', $subject, 'bench.event', 'bench', $payload FROM generate_series(1, 1000) g" ;;
    esac
    local t0 t1
    t0=$(now)
    q -c "DO \$\$ BEGIN FOR i IN 1..$txns LOOP $sql; COMMIT; END LOOP; END \$\$" >/dev/null
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}
declare -A best
for r in $(seq "$rounds"); do
    for v in plain compmap plpgsql; do
        s=$(run $v)
        if [ -z "${best[$v]:-}" ] || [ "$(echo "$s < ${best[$v]}" | bc -l)" = 1 ]; then best[$v]=$s; fi
    done
done
rows=$((txns * 1000))
rate() { printf '%.0f' "$(echo "$rows / $1" | bc -l)"; }
echo "insert, 1 client, ${txns} transactions x 1,000 rows, best of $rounds rounds:"
printf '  (a) plain INSERT, no trigger     %8s rows/s\n' "$(rate "${best[plain]}")"
printf '  (b) compmap C trigger            %8s rows/s\n' "$(rate "${best[compmap]}")"
printf '  (c) PL/pgSQL head-row + digest() %8s rows/s\n' "$(rate "${best[plpgsql]}")"
printf '  ratio b/a = %.2f   b/c = %.1f\n' "$(echo "${best[plain]} / ${best[compmap]}" | bc -l)" "$(echo "${best[plpgsql]} / ${best[compmap]}" | bc -l)"

# Verification rate and proof cost on a larger log.
have=$(q -c "SELECT compmap.tree_size('$tenant')")
need=$((verify_leaves - have))
if [ "$need" -gt 0 ]; then
    batches=$(( (need + 9999) / 10000 ))
    q -c "DO \$\$ BEGIN FOR i IN 1..$batches LOOP
            INSERT INTO compmap.evidence (tenant_id, subject_id, event_type, actor, payload)
            SELECT '$tenant', $subject, 'bench.event', 'bench', $payload FROM generate_series(1, 10000) g; COMMIT; END LOOP; END \$\$" >/dev/null
fi
size=$(q -c "SELECT compmap.tree_size('$tenant')")
q -c "SELECT count(*) FROM compmap.evidence WHERE tenant_id = '$tenant'" >/dev/null   # warm the cache
t0=$(now); result=$(q -c "SELECT ok || ' ' || checked FROM compmap.verify('$tenant')"); t1=$(now)
secs=$(echo "$t1 - $t0" | bc -l)
baseline_t0=$(now); q -c "SELECT count(*) FROM (SELECT payload, leaf_hash FROM compmap.evidence WHERE tenant_id = '$tenant' ORDER BY leaf_index) s WHERE payload IS NOT NULL AND leaf_hash IS NOT NULL" >/dev/null; baseline_t1=$(now)
bsecs=$(echo "$baseline_t1 - $baseline_t0" | bc -l)
printf 'verify: %s leaves in %.2f s = %.0f leaves/s (result: %s); reading the same rows in index order alone: %.2f s (ratio %.1f)\n' \
    "$size" "$secs" "$(echo "$size / $secs" | bc -l)" "$result" "$bsecs" "$(echo "$secs / $bsecs" | bc -l)"

echo "inclusion proof generation (200 random leaves each):"
for n in 10000 100000 1000000; do
    [ "$n" -le "$size" ] || continue
    t0=$(now)
    len=$(q -c "SELECT avg(array_length(compmap.inclusion_proof('$tenant', (random() * ($n - 1))::bigint, $n), 1)) FROM generate_series(1, 200)")
    t1=$(now)
    printf '  size %8d: %.3f ms per proof, %.1f hashes per proof\n' "$n" "$(echo "($t1 - $t0) * 1000 / 200" | bc -l)" "$len"
done
