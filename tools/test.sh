#!/usr/bin/env bash
# tools/test.sh: runs every compmap test suite against a throw-away cluster.
#
#   pg_regress  (make installcheck: sql/ + expected/, and the isolation
#                specs in test/isolation/)
#   pgTAP       (pg_prove over test/pgtap/*.sql)
#   scripts     (prove over test/scripts/*.sh: dump/restore, replica, the external
#                verifier, signer, upgrade, commits of the evidence log)
#   demo        (tools/demo.sh, README's first command, against this cluster:
#                it must finish, verify its auditor pack offline and catch
#                the tampered one)
#
# Prints one closing line "N passed, N failed" and exits non-zero when
# anything failed or nothing ran.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/lib.sh"

ensure_deps || exit 1
build_install "$top" || exit 1
start_cluster test || exit 1

# The tests run from a postgres-owned copy so that results/ never lands in
# the checkout and the checkout may sit under a root-only folder.
mkdir -p "$WORK/src"
tar -C "$top" --exclude=.git --exclude=results --exclude=output_iso -cf - . | tar -C "$WORK/src" -xf -
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK/src"
export COMPMAP_SHARED=${COMPMAP_SHARED:-$(cd "$top/../shared" 2>/dev/null && pwd)}
export COMPMAP_SRC=$WORK/src

passed=0 failed=0
count_regress() {  # pg_regress lines: "test name ... ok" / "... FAILED"
    local out=$1 p f
    p=$(grep -cE '\.\.\. ok( |$)' "$out")
    f=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$out")
    passed=$((passed + p)); failed=$((failed + f))
}
count_tap() {  # TAP lines from a verbose prove run, plus a failure for a dead file
    local out=$1 rc=$2 p f
    p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$out")
    f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
}

cd "$WORK/src"
echo "== pg_regress and isolation"
as_pg make -s installcheck >"$WORK/regress.out" 2>&1
rc_regress=$?
cat "$WORK/regress.out"
count_regress "$WORK/regress.out"
if [ $rc_regress -ne 0 ]; then
    [ -f regression.diffs ] && head -200 regression.diffs
    [ -f output_iso/regression.diffs ] && head -200 output_iso/regression.diffs
    grep -q '\.\.\. \(ok\|FAILED\|failed\)' "$WORK/regress.out" || failed=$((failed + 1))
fi

echo "== pgTAP"
as_pg createdb compmap_tap
as_pg psql -X -q -v ON_ERROR_STOP=1 -d compmap_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION compmap CASCADE' >/dev/null
as_pg pg_prove -v -d compmap_tap --ext .sql test/pgtap/ >"$WORK/pgtap.out" 2>&1
rc=$?
grep -vE '^[[:space:]]*ok [0-9]+' "$WORK/pgtap.out"
count_tap "$WORK/pgtap.out" $rc

echo "== script tests"
as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres COMPMAP_SHARED="$COMPMAP_SHARED" \
    COMPMAP_SRC="$WORK/src" prove -v --ext .sh test/scripts/ >"$WORK/scripts.out" 2>&1
rc=$?
grep -vE '^[[:space:]]*ok [0-9]+' "$WORK/scripts.out"
count_tap "$WORK/scripts.out" $rc

echo "== demo"
COMPMAP_DEMO_DB=compmap_demo_test bash "$top/tools/demo.sh" >"$WORK/demo.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qE '^   OK finding=[0-9a-f-]+ entries=[0-9]+ checkpoint_size=[0-9]+ signed_by=demo-signer$' "$WORK/demo.out" \
    && grep -qE '^   FAIL first_bad_index=[0-9]+ reason=' "$WORK/demo.out"; then
    echo "ok - tools/demo.sh ran, its pack verified offline and the tampered pack was caught"
    passed=$((passed + 1))
else
    echo "not ok - tools/demo.sh (exit $rc)"; tail -20 "$WORK/demo.out"
    failed=$((failed + 1))
fi

if [ $rc_regress -ne 0 ] || [ $failed -ne 0 ]; then
    echo "--- server log (tail)"; tail -40 "$WORK/server.log"
fi
[ $((passed + failed)) -gt 0 ] || { echo "no test ran"; failed=1; }
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
