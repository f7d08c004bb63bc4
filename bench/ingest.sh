#!/usr/bin/env bash
# bench/ingest.sh: compmap.ingest() throughput on a generated SARIF 2.1.0 log,
# against a baseline measured in the same run:
#
#   (a) plain:   INSERT INTO an unindexed table SELECT ... FROM
#                jsonb_array_elements(document->'runs'->0->'results'),
#                the same document already in the database
#   (b) ingest:  compmap.ingest() of the document (parse, map, fingerprint,
#                assets, findings with their evidence entries, scan row and
#                scan event), first ingest (every result new)
#   (c) rescan:  compmap.ingest() of the same document again (every result
#                seen again, nothing created)
#
# The document: BENCH_RESULTS results (default 50,000) of 50 rules over
# 2,000 files, with levels, security-severity, CWE tags and
# partialFingerprints, about 16 MB (bench/sarif_doc.sql).  Each variant
# runs BENCH_ROUNDS times on a fresh tenant and the best round counts.
# Times are psql's \timing of each statement in its own transaction,
# commit included: the evidence log writes its Merkle nodes and deferred
# constraints are checked at commit.
# Also prints the backend's peak resident memory (VmHWM) after the
# ingests, against the document's size.
#
# Then, where a first scan's time goes (BENCH_FLOOR=0 skips it): in a
# scratch database, the first scan again with parts of the design taken
# away one after the other, each against (a) measured beside it:
#   (d1) as shipped;
#   (d2) without the three foreign keys of compmap.finding that a new
#        finding is checked against (tenant, asset, scan);
#   (d3) also without the finding.created evidence entries (the
#        finding_log_created trigger disabled);
#   (d4) also without the two finding indexes that serve lookups rather
#        than the ingest's own conflict checks (finding_id_key: a finding
#        by its id; finding_scope_idx: the not-seen rule of a re-scan).
# None of these is a configuration compmap offers: they show what the
# target of 4 x (a) would cost in integrity checks and evidence.
#
# Uses the PG* environment of a running cluster whose database has compmap
# installed (bench/run.sh provides one).
set -euo pipefail
results=${BENCH_RESULTS:-50000}
rounds=${BENCH_ROUNDS:-3}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

q -v results="$results" -f "$(dirname "$0")/sarif_doc.sql" >/dev/null
# (a): the results of the log into the unindexed table, five fields each.
plain_sql="INSERT INTO bench_ingest_plain
    SELECT e->>'ruleId', e->'message'->>'text', e->'locations'->0->'physicalLocation'->'artifactLocation'->>'uri',
           (e->'locations'->0->'physicalLocation'->'region'->>'startLine')::int, e->'partialFingerprints'->>'primaryLocationLineHash'
      FROM bench_ingest_doc d, jsonb_array_elements(d.doc::jsonb->'runs'->0->'results') e"
bytes=$(q -c "SELECT octet_length(doc) FROM bench_ingest_doc")
q -c "SELECT pg_prewarm('bench_ingest_doc')" >/dev/null 2>&1 || true

ms() {  # ms SQL -> milliseconds of the statement and its commit, as psql's \timing sees them
    # (deferred constraint checks and the evidence log's Merkle nodes are
    # written at commit, so the commit belongs to the ingest's cost)
    q -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}
best() { printf '%s\n' "$@" | sort -g | head -1; }

plain=() first=() again=()
for r in $(seq "$rounds"); do
    q -c "TRUNCATE bench_ingest_plain" >/dev/null
    plain+=("$(ms "$plain_sql")")
    tenant=$(q -c "SELECT compmap.create_tenant('bench ingest ' || clock_timestamp())")
    first+=("$(ms "SELECT count(*) FROM bench_ingest_doc d, compmap.ingest('$tenant', d.doc, 'sarif', now(), 'bench') i")")
    again+=("$(ms "SELECT count(*) FROM bench_ingest_doc d, compmap.ingest('$tenant', d.doc, 'sarif', now() + interval '1 hour', 'bench') i")")
done
rate() { printf '%.0f' "$(echo "$results * 1000 / $1" | bc -l)"; }
p=$(best "${plain[@]}") f=$(best "${first[@]}") a=$(best "${again[@]}")
printf 'ingest of a generated SARIF log: %d results, %d bytes, best of %d rounds:\n' "$results" "$bytes" "$rounds"
printf '  (a) plain INSERT ... SELECT FROM jsonb_array_elements  %8.0f ms  %8s results/s\n' "$p" "$(rate "$p")"
printf '  (b) compmap.ingest, first scan (all new)               %8.0f ms  %8s results/s\n' "$f" "$(rate "$f")"
printf '  (c) compmap.ingest, same scan again (all seen)         %8.0f ms  %8s results/s\n' "$a" "$(rate "$a")"
printf '  ratio b/a = %.1f   c/a = %.1f\n' "$(echo "$f / $p" | bc -l)" "$(echo "$a / $p" | bc -l)"

# Peak memory of one backend that ingests the document once.
hwm=$(q <<SQL
SELECT compmap.create_tenant('bench ingest memory') AS t \gset
SELECT count(*) FROM bench_ingest_doc d, compmap.ingest(:'t', d.doc, 'sarif', now(), 'memory') i \g /dev/null
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+([0-9]+) kB'))[1]
       || ' ' || (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'RssShmem:\s+([0-9]+) kB'))[1];
SQL
)
if [ -n "$hwm" ]; then
    # VmHWM counts the shared buffers the backend touched too (RssShmem,
    # bounded by shared_buffers, not by the document).
    shm=${hwm#* } hwm=${hwm% *}
    printf 'backend peak resident memory after one ingest: %d MB for a %d MB document (%.1f x); shared buffers touched by then: %d MB\n' \
        "$((hwm / 1024))" "$((bytes / 1048576))" "$(echo "$hwm * 1024 / $bytes" | bc -l)" "$((shm / 1024))"
fi
q -c "DROP TABLE bench_ingest_doc, bench_ingest_plain" >/dev/null

[ "${BENCH_FLOOR:-1}" = 0 ] && exit 0
floor_db=compmap_bench_floor
dropdb --if-exists $floor_db >/dev/null 2>&1; createdb $floor_db
qf() { q -d $floor_db "$@"; }
msf() { qf -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
qf -c 'CREATE EXTENSION compmap CASCADE' >/dev/null 2>&1
qf -v results="$results" -f "$(dirname "$0")/sarif_doc.sql" >/dev/null
printf 'where a first scan goes (scratch database, best of %d rounds each, ratio to (a) of the same round):\n' "$rounds"
floor() {  # floor LABEL: first scans on fresh tenants against the baseline
    local best_ratio='' p f r
    for r in $(seq "$rounds"); do
        qf -c "TRUNCATE bench_ingest_plain" >/dev/null
        p=$(msf "$plain_sql")
        tenant=$(qf -c "SELECT compmap.create_tenant('bench floor ' || clock_timestamp())")
        f=$(msf "SELECT count(*) FROM bench_ingest_doc d, compmap.ingest('$tenant', d.doc, 'sarif', now(), 'floor') i")
        r=$(echo "$f / $p" | bc -l)
        if [ -z "$best_ratio" ] || [ "$(echo "$r < $best_ratio" | bc -l)" = 1 ]; then best_ratio=$r best_f=$f; fi
    done
    printf '  %-58s %8.0f ms  %8s results/s  %4.1f x (a)\n' "$1" "$best_f" "$(rate "$best_f")" "$best_ratio"
}
floor '(d1) as shipped'
qf -c "ALTER TABLE compmap.finding DROP CONSTRAINT finding_tenant_id_fkey,
           DROP CONSTRAINT finding_tenant_id_asset_id_fkey, DROP CONSTRAINT finding_tenant_id_last_scan_id_fkey" >/dev/null
floor '(d2) without the foreign keys tenant, asset, scan'
qf -c "ALTER TABLE compmap.finding DISABLE TRIGGER finding_log_created" >/dev/null
floor '(d3) ... and without the finding.created evidence entries'
qf -c "DROP INDEX compmap.finding_id_key, compmap.finding_scope_idx" >/dev/null
floor '(d4) ... and without two of the four finding indexes'
dropdb $floor_db
