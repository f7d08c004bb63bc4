#!/usr/bin/env bash
# bench/scoring.sh: compmap.control_status and compmap.framework_score for
# one tenant with BENCH_FINDINGS findings (default 1,000,000; three quarters
# open) over the ten shipped frameworks, against a plain count(*) over the
# same findings in the same run.
#
# The findings are loaded with triggers off (session_replication_role =
# replica) so that setting up takes a minute, not an hour of evidence
# logging; the views read them exactly as they would read ingested ones.
# Uses the PG* environment of a running cluster whose database has compmap.
set -euo pipefail
n=${BENCH_FINDINGS:-1000000}
runs=${BENCH_RUNS:-3}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }

t=$(q -c "SELECT compmap.create_tenant('scoring bench ' || clock_timestamp())")
q >/dev/null <<SQL
SET session_replication_role = replica;
INSERT INTO compmap.finding (tenant_id, fingerprint, title, scanner, rule_id, cwe_ids, category, severity, status)
SELECT '$t', sha256(('$t' || g)::bytea), 'finding ' || g,
       (ARRAY['trivy', 'grype', 'sarif', 'zap', 'nuclei', 'nessus'])[1 + g % 6], 'rule ' || (g % 500),
       ARRAY['CWE-' || (ARRAY[79, 89, 22, 78, 502, 918, 798, 327, 20, 200])[1 + g % 10]],
       (ARRAY['code_weakness', 'misconfiguration', 'missing_patch', 'secret', 'vulnerable_dependency', 'weak_tls'])[1 + g % 6],
       'high', (ARRAY['new', 'triaged', 'verified', 'fixed'])[1 + g % 4]::compmap.finding_status
  FROM generate_series(1, $n) g;
INSERT INTO compmap.scan (tenant_id, scanner, format, scanned_at, document_sha256, document_bytes)
SELECT '$t', f, f, now(), sha256(f::bytea), 1 FROM unnest(ARRAY['trivy', 'grype', 'sarif', 'zap', 'nuclei']) f;
RESET session_replication_role;
ANALYZE compmap.finding;
SQL
best() {  # best SQL -> fastest of $runs runs, in seconds
    local b= s e d
    for _ in $(seq "$runs"); do
        s=$(now); q -c "$1" >/dev/null; e=$(now)
        d=$(echo "$e - $s" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$d < $b" | bc -l)" = 1 ]; then b=$d; fi
    done
    echo "$b"
}
base=$(best "SELECT count(*) FROM compmap.finding WHERE tenant_id = '$t'")
cs=$(best "SELECT count(*), count(*) FILTER (WHERE outcome = 'failed') FROM (SELECT outcome, reasons FROM compmap.control_status WHERE tenant_id = '$t') s")
fs=$(best "SELECT * FROM compmap.framework_score WHERE tenant_id = '$t'")
printf 'scoring, one tenant, %d findings, 10 frameworks, best of %d:\n' "$n" "$runs"
printf '  plain count(*) over the findings   %.3f s\n' "$base"
printf '  control_status (every row)         %.3f s  (%.1f x the count)\n' "$cs" "$(echo "$cs / $base" | bc -l)"
printf '  framework_score                    %.3f s  (%.1f x the count)\n' "$fs" "$(echo "$fs / $base" | bc -l)"
