#!/usr/bin/env bash
# tools/fuzz-long.sh [SECONDS] [TARGET...]: long libFuzzer runs of compmap's
# parsing cores (default: one hour per target, every target), keeping the
# growing corpus in fuzz-out/corpus/<target> and any crash in fuzz-out/.
# Runs on the machine it is started on; uses both cores with -fork=2.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-3600}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(merkle checkpoint cvss finding_status jcs)
out=$top/fuzz-out
bash "$top/test/fuzz/build.sh" "$out/bin"
for t in "${targets[@]}"; do
    mkdir -p "$out/corpus/$t"
    [ -d "$top/test/fuzz/corpus/$t" ] && cp -rn "$top/test/fuzz/corpus/$t/." "$out/corpus/$t/"
    echo "== fuzz_$t for ${secs}s"
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$out/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
        -fork=2 -ignore_crashes=0 -artifact_prefix="$out/" "$out/corpus/$t"
done
