#!/usr/bin/env bash
# tools/compmap-ingest, the operators' command: every fixture in
# ../shared/fixtures/scans in one run (a progress line per file with the
# result count of counts.csv, the totals line), the recorded SHA-256 and
# size equal to the file's, bytes that a text transport could change (no
# final newline, CRLF, a byte order mark, a line holding only "\."), a file
# read from a pipe, a re-scan's counts, the options, every refusal (exit
# status, message on stderr, nothing written), and the peak memory of the
# ingesting backend for a big file.
# Needs PGHOST/PGPORT; COMPMAP_SHARED names shared/ (else ../shared).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
shared=${COMPMAP_SHARED:-$top/../shared}
scans=$shared/fixtures/scans
cli=$top/tools/compmap-ingest
db=cm_cli_ingest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
echo "1..12"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
# the database's state that a refused ingest must leave as it was
state() { q -c "SELECT (SELECT count(*) FROM compmap.scan) || '/' || (SELECT count(*) FROM compmap.finding) || '/' || (SELECT count(*) FROM compmap.evidence) || '/' || (SELECT count(*) FROM compmap.asset)"; }
export PGDATABASE=$db

dropdb --if-exists $db >/dev/null 2>&1; createdb $db
q -c 'CREATE EXTENSION compmap CASCADE' 2>/dev/null
t=$(q -c "SELECT compmap.create_tenant('cli')")

# 1-2: every fixture, in counts.csv's order, one run
files=() expect=()
while IFS=, read -r f _ c; do files+=("$scans/$f"); expect+=("$c"); done < <(tail -n +2 "$scans/counts.csv")
"$cli" -t "$t" -l fixtures "${files[@]}" >"$tmp/all.out" 2>"$tmp/all.err"
rc=$?
bad=""
for i in "${!files[@]}"; do
    line=$(grep -F "[$((i + 1))/${#files[@]}] ${files[$i]}: " "$tmp/all.out")
    got=$(echo "$line" | sed -n 's/.* bytes, \([0-9]*\) results: .*/\1/p')
    [ "$got" = "${expect[$i]}" ] || bad="$bad ${files[$i]#$scans/}(${got:-none}/${expect[$i]})"
done
[ $rc = 0 ] && [ -z "$bad" ] && [ ! -s "$tmp/all.err" ]
ok $? "every fixture ingests with the result count of counts.csv, a progress line each${bad:+; wrong:$bad}"
total=$(printf '%s\n' "${expect[@]}" | paste -sd+ | bc)
grep -qxE "total: ${#files[@]} files \(0 failed\), $total results: [0-9]+ new, [0-9]+ updated, 0 reopened, 0 resolved, [0-9]+ skipped" "$tmp/all.out"
ok $? "the totals line: ${#files[@]} files, $total results"

# 3: digests and sizes as sha256sum and wc see the files
for f in "${files[@]}"; do echo "$(sha256sum < "$f" | cut -c1-64) $(wc -c < "$f")"; done | sort >"$tmp/files.sum"
q -c "SELECT encode(document_sha256, 'hex') || ' ' || document_bytes FROM compmap.scan WHERE tenant_id = '$t' ORDER BY 1" >"$tmp/scans.sum"
cmp -s "$tmp/files.sum" "$tmp/scans.sum"
ok $? "each scan records the SHA-256 and size of its file"

# 4: bytes a text transport could change: no final newline, CRLF, a BOM, a line
# that is only "\." (the end-of-data marker of COPY's text format) inside a
# Nessus description
python3 - "$scans" "$tmp" <<'PY'
import sys
scans, tmp = sys.argv[1], sys.argv[2]
sarif = open(scans + '/njsscan/njsscan.sarif', 'rb').read()
open(tmp + '/nonl.sarif', 'wb').write(sarif.rstrip(b'\n'))
open(tmp + '/crlf.sarif', 'wb').write(sarif.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n') + b'\r\n')
open(tmp + '/bom.sarif', 'wb').write(b'\xef\xbb\xbf' + sarif)
nessus = open(scans + '/nessus/example.nessus', 'rb').read()
i = nessus.index(b'<description>', nessus.index(b'<ReportItem ')) + len(b'<description>')
open(tmp + '/marker.nessus', 'wb').write(nessus[:i] + b'first\n\\.\nlast ' + nessus[i:])
PY
odd=("$tmp/nonl.sarif" "$tmp/crlf.sarif" "$tmp/bom.sarif" "$tmp/marker.nessus")
t2=$(q -c "SELECT compmap.create_tenant('cli bytes')")
"$cli" -t "$t2" "${odd[@]}" >"$tmp/odd.out" 2>&1
rc=$?
for f in "${odd[@]}"; do echo "$(sha256sum < "$f" | cut -c1-64) $(wc -c < "$f")"; done | sort >"$tmp/odd.sum"
q -c "SELECT encode(document_sha256, 'hex') || ' ' || document_bytes FROM compmap.scan WHERE tenant_id = '$t2' ORDER BY 1" >"$tmp/odd.scans"
marker=$(q -c "SELECT count(*) FROM compmap.finding WHERE tenant_id = '$t2' AND scanner = 'nessus' AND strpos(description, E'first\n\\\\.\nlast ') > 0")
[ $rc = 0 ] && cmp -s "$tmp/odd.sum" "$tmp/odd.scans" && [ "$marker" -gt 0 ] && [ "$(grep -c ' 2 results: ' "$tmp/odd.out")" = 3 ]
ok $? "no final newline, CRLF, a byte order mark and a line of \\. arrive byte for byte (marker in $marker descriptions)"

# 5: a pipe (read once, its size unknown beforehand) and the re-scan counts
out=$(cat "$scans/grype/keycloak-test.json" | "$cli" -t "$t" -l fixtures /dev/stdin 2>&1)
echo "$out" | grep -qE '^\[1/1\] /dev/stdin: grype, [0-9]+ bytes, 6 results: 0 new, 6 updated, 0 reopened, 0 resolved, 0 skipped \([0-9.]+ s\)$'
ok $? "a file read from a pipe ingests; seen again, its 6 results count as updated"

# 6: the options: format, label, scan time
"$cli" -t "$t" -f zap -l 'zap label' -s '2026-01-02 03:04:05+00' "$scans/zap/some_2.9.0.xml" >/dev/null 2>&1
rc=$?
got=$(q -c "SELECT format || ' ' || scanned_at AT TIME ZONE 'UTC' FROM compmap.scan WHERE tenant_id = '$t' AND source_label = 'zap label'")
[ $rc = 0 ] && [ "$got" = "zap 2026-01-02 03:04:05" ]
ok $? "-f, -l and -s reach the scan row ($got)"

# 7-11: refusals: exit status, the server's words on stderr, nothing written
refused() {  # refused RC STATE_BEFORE: a non-zero exit and the database as it was
    [ "$1" != 0 ] && [ "$2" = "$(state)" ]
}
before=$(state)
printf '{"version": "2.1.0", "runs": [' >"$tmp/truncated.sarif"
"$cli" -t "$t" "$tmp/truncated.sarif" >"$tmp/o" 2>"$tmp/e"
refused $? "$before" && grep -qE '^\[1/1\] .*truncated.sarif: FAILED: malformed JSON document: ' "$tmp/e" && grep -qE '^        DETAIL: ' "$tmp/e"
ok $? "a truncated file fails with the parser's message and detail, and writes nothing"
printf '{"version": "2.1.0", "runs": [], "x": "\xff"}' >"$tmp/latin.sarif"
"$cli" -t "$t" "$tmp/latin.sarif" "$tmp/missing.json" "$scans/grype/no_vuln.json" >"$tmp/o" 2>"$tmp/e"
rc=$?
after=$(q -c "SELECT count(*) FROM compmap.scan")
[ $rc != 0 ] && grep -qF 'latin.sarif: FAILED: invalid byte sequence for encoding "UTF8": 0xff' "$tmp/e" \
    && grep -qF '[2/3] '"$tmp"'/missing.json: cannot read the file' "$tmp/e" \
    && grep -qE '^\[3/3\] .*no_vuln.json: grype, [0-9]+ bytes, 0 results' "$tmp/o" \
    && grep -qE '^total: 3 files \(2 failed\), 0 results' "$tmp/o" \
    && [ "$after" = "$(( ${before%%/*} + 1 ))" ]
ok $? "invalid UTF-8 and a missing file fail, the next file still ingests (one scan more), the totals count the failures"
before=$(state)
"$cli" -t 00000000-0000-4000-8000-00000000dead "$scans/grype/no_vuln.json" >/dev/null 2>"$tmp/e"
refused $? "$before" && grep -qE 'FAILED: tenant 00000000-0000-4000-8000-00000000dead does not exist' "$tmp/e"
ok $? "an unknown tenant fails: $(sed -n 's/.*FAILED: //p' "$tmp/e")"
"$cli" -t "$t" -f csv "$scans/grype/no_vuln.json" >/dev/null 2>"$tmp/e"
refused $? "$before" && grep -qF 'FAILED: unknown scanner format "csv"' "$tmp/e"
r1=$?
"$cli" -t "$t" -s 'not a time' "$scans/grype/no_vuln.json" >/dev/null 2>"$tmp/e"
refused $? "$before" && grep -qF 'FAILED: invalid input syntax for type timestamp with time zone: "not a time"' "$tmp/e"
[ $r1 = 0 ] && [ $? = 0 ]
ok $? "an unknown format and an invalid scan time fail with the server's message and write nothing"
"$cli" "$scans/grype/no_vuln.json" >"$tmp/o" 2>&1
rc=$?
[ $rc = 2 ] && grep -q 'compmap-ingest -t TENANT' "$tmp/o" && [ "$before" = "$(state)" ]
ok $? "no tenant: the usage text, exit 2, nothing written"

# 12: the backend's memory for a big file: the document is held once (it
# was a literal several times its size, then a base64 decode of one)
q -v results=90000 -f "$top/bench/sarif_doc.sql" >/dev/null
q -c "\\copy (SELECT doc FROM bench_ingest_doc) TO '$tmp/big.sarif'"
q -c "DROP TABLE bench_ingest_doc, bench_ingest_plain"
size=$(wc -c < "$tmp/big.sarif")
PGAPPNAME=cm_cli_memory "$cli" -t "$t" "$tmp/big.sarif" >"$tmp/big.out" 2>&1 &
cli_pid=$!
peak=0 pid=""
while kill -0 $cli_pid 2>/dev/null; do
    [ -z "$pid" ] && pid=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'cm_cli_memory'" 2>/dev/null)
    if [ -n "$pid" ]; then
        # private memory: the peak resident set less the shared buffers touched
        m=$(awk '/^VmHWM/ {h = $2} /^RssShmem/ {s = $2} END {if (h) print h - s}' "/proc/$pid/status" 2>/dev/null)
        [ -n "$m" ] && [ "$m" -gt "$peak" ] && peak=$m
    fi
    sleep 0.05
done
wait $cli_pid
rc=$?
if [ -n "${COMPMAP_SANITIZED:-}" ]; then
    [ $rc = 0 ]
    ok $? "a $((size / 1048576)) MB file ingests (peak memory not checked under the sanitizers: $((peak / 1024)) MB)"
else
    # An ingest's own work (sorts in 64 MB of work_mem, temporary tables)
    # takes about 170 MB whatever the size; the document itself should
    # count about once (about 6.5 x it when sent as a literal).
    [ $rc = 0 ] && [ -n "$pid" ] && [ "$peak" -gt 0 ] && [ "$((peak * 1024))" -lt "$((size * 2 + 200 * 1048576))" ]
    ok $? "a $((size / 1048576)) MB file: the ingesting backend's private peak $((peak / 1024)) MB, under 2 x the file + 200 MB"
fi
