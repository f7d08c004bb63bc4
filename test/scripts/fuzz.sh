#!/usr/bin/env bash
# Short libFuzzer runs of compmap's parsing cores, built outside the server
# with AddressSanitizer and UBSan (test/fuzz/build.sh): Merkle proof
# verification, the signed checkpoint note parser, the CVSS parser, the
# finding_status input and the RFC 8785 core (src/jcs_core.c).  FUZZ_SECONDS per target (default 6).  Longer runs:
# tools/fuzz-long.sh (docs/security.md).  Any crash, sanitizer report,
# property violation or timeout fails the target.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${FUZZ_SECONDS:-6}
targets=(merkle checkpoint cvss finding_status jcs)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..$(( ${#targets[@]} + 1 ))"
if bash "$top/test/fuzz/build.sh" "$tmp/bin" >"$tmp/build.log" 2>&1; then
    echo "ok 1 - fuzz targets build with clang, ASan and UBSan"
else
    echo "not ok 1 - fuzz targets build with clang, ASan and UBSan"
    sed 's/^/# /' "$tmp/build.log" | head -30
fi
n=1
for t in "${targets[@]}"; do
    n=$((n + 1))
    mkdir -p "$tmp/corpus/$t"
    [ -d "$top/test/fuzz/corpus/$t" ] && cp -r "$top/test/fuzz/corpus/$t/." "$tmp/corpus/$t/"
    if [ ! -x "$tmp/bin/fuzz_$t" ]; then echo "not ok $n - fuzz_$t (not built)"; continue; fi
    # The pgstub targets abandon palloc'd memory on ERROR by design.
    # fuzz_finding_status abandons about 1.5 KB per rejected input and runs
    # more than 600,000 inputs in 6 s on a fast machine, past the RSS
    # limit: cap its inputs instead of the limit.
    extra=()
    [ "$t" = finding_status ] && extra=(-runs=400000)
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$tmp/bin/fuzz_$t" -max_total_time="$secs" "${extra[@]}" -timeout=10 -rss_limit_mb=1024 -detect_leaks=0 \
        -artifact_prefix="$tmp/" "$tmp/corpus/$t" >"$tmp/$t.log" 2>&1
    rc=$?
    runs=$(grep -oE 'Done [0-9]+ runs' "$tmp/$t.log" | grep -oE '[0-9]+' | tail -1)
    if [ $rc -eq 0 ]; then
        echo "ok $n - fuzz_$t: ${runs:-?} inputs in ${secs}s, no crash or sanitizer report"
    else
        echo "not ok $n - fuzz_$t (exit $rc)"
        grep -E 'ERROR|SUMMARY|property|#[0-9]+ ' "$tmp/$t.log" | head -15 | sed 's/^/# /'
        for a in "$tmp"/crash-* "$tmp"/timeout-* "$tmp"/oom-*; do
            [ -f "$a" ] && echo "# input (base64): $(base64 -w0 "$a" | head -c 300)"
        done
        rm -f "$tmp"/crash-* "$tmp"/timeout-* "$tmp"/oom-*
    fi
done
exit 0
