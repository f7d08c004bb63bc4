#!/usr/bin/env bash
# tools/sanitize.sh: runs the regression suites against compmap built with
# AddressSanitizer and UBSan (make sanitize).
#
#   1. copies the source to a temporary folder and builds it there with
#      gcc -fsanitize=address,undefined -fno-omit-frame-pointer (the
#      checkout's own objects are left alone);
#   2. installs it into a private copy of PostgreSQL (/usr/lib/postgresql and
#      /usr/share/postgresql copied under a temporary prefix: PostgreSQL finds
#      its lib and share folders relative to its binary), never into the
#      system one;
#   3. starts a throw-away cluster from that copy with the ASan runtime in
#      LD_PRELOAD, every sanitizer report going to files under the cluster
#      folder;
#   4. runs make installcheck (pg_regress and isolation), pg_prove over
#      test/pgtap and the input readers' comparison scripts against it;
#   5. fails when a suite fails, when any sanitizer report was written, or
#      when the server log shows a report or a backend killed by a signal.
#
# Environment: SANITIZE_CC (default gcc), SANITIZE_KEEP=1 keeps the folder,
# PG_BINDIR as in tools/lib.sh.  Prints "N passed, N failed" last.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/lib.sh"

CC=${SANITIZE_CC:-gcc}
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"

ensure_deps || exit 1
asan_rt=$($CC -print-file-name=libasan.so)
case $CC in clang*) asan_rt=$($CC -print-file-name=libclang_rt.asan-x86_64.so) ;; esac
[ -f "$asan_rt" ] || { log "no ASan runtime for $CC ($asan_rt)"; exit 1; }

sys_bindir=$($PG_CONFIG --bindir)
sys_pkglibdir=$($PG_CONFIG --pkglibdir)
sys_sharedir=$($PG_CONFIG --sharedir)
# The copy holds the folders that contain bindir/pkglibdir and sharedir
# (/usr/lib/postgresql and /usr/share/postgresql on Debian).
lib_root=$(dirname "$(dirname "$sys_bindir")")
share_root=$(dirname "$sys_sharedir")

SAN=$(mktemp -d /tmp/compmap-sanbuild.XXXXXX)
chmod 755 "$SAN"
cleanup() {
    stop_cluster
    if [ -z "${SANITIZE_KEEP:-}" ]; then rm -rf "$SAN"; else log "kept $SAN"; fi
}
trap cleanup EXIT
t0=$SECONDS

echo "== build with $CC $SAN_FLAGS"
mkdir -p "$SAN/build" "$SAN/prefix$lib_root" "$SAN/prefix$share_root"
tar -C "$top" --exclude=.git --exclude=results --exclude=output_iso --exclude='*.o' --exclude='*.bc' \
    --exclude='*.so' -cf - . | tar -C "$SAN/build" -xf -
cp -a "$lib_root/." "$SAN/prefix$lib_root/"
cp -a "$share_root/." "$SAN/prefix$share_root/"
# with_llvm=no: no JIT bitcode, which the sanitized objects could not match.
make -C "$SAN/build" -s -j2 CC="$CC" with_llvm=no COPT="$SAN_FLAGS" COMPMAP_WERROR=-Werror \
    >"$SAN/build.log" 2>&1 || { cat "$SAN/build.log" >&2; exit 1; }
make -C "$SAN/build" -s with_llvm=no install DESTDIR="$SAN/prefix" >>"$SAN/build.log" 2>&1 \
    || { cat "$SAN/build.log" >&2; exit 1; }
[ "$(nm -D "$SAN/prefix$sys_pkglibdir/compmap.so" | grep -c __asan_)" -gt 0 ] \
    || { log "compmap.so is not instrumented"; exit 1; }
echo "built in $((SECONDS - t0)) s"

echo "== throw-away cluster with the ASan runtime preloaded"
PG_BINDIR=$SAN/prefix$sys_bindir
export PATH="$PG_BINDIR:$PATH"
start_cluster asan || exit 1
trap cleanup EXIT  # start_cluster set its own
# The runtime must initialise before any other library's constructor runs:
# when its first intercepted call comes from inside glibc (libp11-kit's
# newlocale, a bindtextdomain in a Kerberos library), that call leaves a
# glibc locale lock held and the server hangs in setlocale.  Libraries in
# LD_PRELOAD initialise in reverse order, so every library the server
# needs is listed before the runtime, which therefore comes up first; the
# runtime still precedes libc in symbol lookup, so malloc and the string
# functions are still intercepted.
deps=$(ldd "$PG_BINDIR/postgres" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v '/libc\.so' | tac | tr '\n' ' ')
preload="$deps$asan_rt"
mkdir -p "$SAN/reports"
chmod 777 "$SAN/reports"
# Reports go to files <log_path>.<pid> or to the server log.  UBSan errors
# do not stop the backend, so a run collects every one; an ASan error ends
# the backend (the suite then fails too).  Leaks are not checked: backends
# exit with memory contexts still allocated, by design.
as_pg pg_ctl -D "$WORK/data" -m fast -w -t 60 stop >/dev/null || exit 1
as_pg env LD_PRELOAD="$preload" \
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:verify_asan_link_order=0:log_path=$SAN/reports/asan" \
    UBSAN_OPTIONS="print_stacktrace=1:log_path=$SAN/reports/ubsan" \
    pg_ctl -D "$WORK/data" -l "$WORK/server.log" -w -t 120 start >/dev/null \
    || { tail -30 "$WORK/server.log" >&2; exit 1; }
grep -q "$(readlink -f "$asan_rt")" "/proc/$(head -1 "$WORK/data/postmaster.pid")/maps" \
    || { log "the postmaster did not load $asan_rt"; exit 1; }

mkdir -p "$WORK/src"
tar -C "$SAN/build" -cf - . | tar -C "$WORK/src" -xf -
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK/src"
cd "$WORK/src"
# sql/ingest.sql, sql/cvss.sql and sql/catalogue.sql read the shared fixtures.
export COMPMAP_SHARED=${COMPMAP_SHARED:-$(cd "$top/../shared" 2>/dev/null && pwd)}

passed=0 failed=0
echo "== pg_regress and isolation"
as_pg make -s installcheck PG_CONFIG="$PG_BINDIR/pg_config" >"$WORK/regress.out" 2>&1
rc=$?
cat "$WORK/regress.out"
p=$(grep -cE '\.\.\. ok( |$)' "$WORK/regress.out")
f=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$WORK/regress.out")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
passed=$((passed + p)); failed=$((failed + f))
if [ $rc -ne 0 ]; then
    [ -f regression.diffs ] && head -200 regression.diffs
    [ -f output_iso/regression.diffs ] && head -200 output_iso/regression.diffs
fi

echo "== pgTAP"
as_pg createdb compmap_tap
as_pg psql -X -q -v ON_ERROR_STOP=1 -d compmap_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION compmap CASCADE' >/dev/null
as_pg pg_prove -v -d compmap_tap --ext .sql test/pgtap/ >"$WORK/pgtap.out" 2>&1
rc=$?
grep -vE '^[[:space:]]*ok [0-9]+' "$WORK/pgtap.out"
p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$WORK/pgtap.out")
f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$WORK/pgtap.out")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
passed=$((passed + p)); failed=$((failed + f))

# The readers of untrusted input, over the generated and damaged documents
# of their comparison scripts (canonical JSON, SARIF from jsonb and from
# text, Trivy and Grype from jsonb and from text, Nessus, OpenVAS, ZAP XML,
# ZAP JSON and Nuclei from text).
echo "== input readers (comparison scripts)"
as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres COMPMAP_SHARED="$COMPMAP_SHARED" \
    COMPMAP_SRC="$WORK/src" COMPMAP_SANITIZED=1 prove -v test/scripts/jcs_reference.sh test/scripts/sarif_reference.sh \
    test/scripts/sarif_stream.sh test/scripts/trivy_grype_reference.sh test/scripts/trivy_grype_stream.sh \
    test/scripts/nessus_stream.sh test/scripts/openvas_stream.sh test/scripts/zap_xml_stream.sh \
    test/scripts/zap_nuclei_stream.sh \
    >"$WORK/scripts.out" 2>&1
rc=$?
grep -vE '^[[:space:]]*ok [0-9]+' "$WORK/scripts.out"
p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$WORK/scripts.out")
f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$WORK/scripts.out")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
passed=$((passed + p)); failed=$((failed + f))

cd "$top"
# Stop first, so that every backend has exited and written its reports.
as_pg pg_ctl -D "$WORK/data" -m fast -w -t 60 stop >/dev/null 2>&1
echo "== sanitizer reports"
reports=0
for r in "$SAN"/reports/*; do
    [ -s "$r" ] || continue
    reports=$((reports + 1))
    echo "--- $r"; head -60 "$r"
done
# Backends' reports usually land in the server log rather than in the
# log_path files, so both are scanned.
if grep -nE 'AddressSanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer|==ABORTING|terminated by signal' "$WORK/server.log"; then
    reports=$((reports + 1))
fi
if [ $reports -eq 0 ]; then
    echo "no sanitizer report, no backend killed by a signal"
    passed=$((passed + 1))
else
    echo "$reports sanitizer report(s)"
    failed=$((failed + 1))
    tail -40 "$WORK/server.log"
fi
echo "took $((SECONDS - t0)) s"
[ $((passed + failed)) -gt 1 ] || { echo "no test ran"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
