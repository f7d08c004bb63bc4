#!/usr/bin/env bash
# test/fuzz/build.sh OUTDIR: builds compmap's libFuzzer targets outside the
# server with clang-14, AddressSanitizer and UBSan.
#
#   fuzz_merkle          src/merkle.c + src/sha256.c: proof verification
#   fuzz_checkpoint      src/checkpoint_core.c: signed note parser, base64
#   fuzz_cvss            src/cvss.c: vector parser, normaliser, scores
#   fuzz_finding_status  src/finding_status.c: text input/output
#   fuzz_jcs             src/jcs_core.c: RFC 8785 strings, numbers, key order
#
# fuzz_cvss and fuzz_finding_status include the C file itself and run on
# test/fuzz/pgstub.c in place of the server; fuzz_jcs links libpgcommon for
# its shortest double-to-decimal conversion.  Needs clang-14, libclang-rt-14-dev,
# postgresql-server-dev-15 and libssl-dev (tools/lib.sh COMPMAP_DEPS).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
CC=${FUZZ_CC:-clang-14}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
srvinc=$("$PG_CONFIG" --includedir-server)
libdir=$("$PG_CONFIG" --libdir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
pgcommon=$libdir/libpgcommon.a; [ -f "$pgcommon" ] || pgcommon=$pkglibdir/libpgcommon.a
pgport=$libdir/libpgport.a; [ -f "$pgport" ] || pgport=$pkglibdir/libpgport.a
flags=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-unused-function
       -I"$top/src" -I"$here")
pgflags=(-I"$srvinc" -Wno-ignored-attributes -Wno-missing-braces -Wno-gnu-statement-expression -Wno-sign-compare -Wno-compound-token-split-by-macro)

$CC "${flags[@]}" -o "$out/fuzz_merkle" "$here/fuzz_merkle.c" "$top/src/merkle.c" "$top/src/sha256.c" -lcrypto
$CC "${flags[@]}" -o "$out/fuzz_checkpoint" "$here/fuzz_checkpoint.c" "$top/src/checkpoint_core.c"
$CC "${flags[@]}" -I"$srvinc" -o "$out/fuzz_jcs" "$here/fuzz_jcs.c" "$top/src/jcs_core.c" "$pgcommon" "$pgport" -lm
for t in cvss finding_status; do
    $CC "${flags[@]}" "${pgflags[@]}" -o "$out/fuzz_$t" "$here/fuzz_$t.c" "$here/pgstub.c" \
        "$pgcommon" "$pgport" -lm
done
