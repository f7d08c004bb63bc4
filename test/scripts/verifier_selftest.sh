#!/usr/bin/env bash
# test/scripts/verifier_selftest.sh: TAP test of the external evidence
# verifier (test/verifier/compmap_verify.py) and the checkpoint signer
# (tools/sign-checkpoint.sh), without a database.
#
# Why: the two tools are what an operator and an auditor use outside
# PostgreSQL, so they must agree with each other: a note signed with openssl
# by the shell signer must verify in the pure-Python verifier, and a one-byte
# change to its body or signature must not.  The C side's agreement with the
# verifier's known-answer vectors is tested separately, with a database.
#
# Run by `prove` from the repository root (as the postgres OS user in
# tools/test.sh); every path is relative to this script's own directory.

set -u
here=$(cd "$(dirname "$0")" && pwd)
verifier="$here/../verifier/compmap_verify.py"
signer="$here/../../tools/sign-checkpoint.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/compmap-verifier.XXXXXX") || { echo "1..0 # SKIP no temporary directory"; exit 0; }
trap 'rm -rf "$tmp"' EXIT

echo "1..16"
n=0
ok() {      # ok CONDITION-STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        [ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out" | head -20
    fi
    : >"$tmp/out"
}

verify() {  # verify NOTE-FILE KEYNAME PUBKEY: the Python verifier's verdict
    python3 "$verifier" checkpoint "$1" --key "$2:$3" >"$tmp/out" 2>&1
}

# flip_byte FILE OFFSET: XOR the byte at OFFSET with 0x01, in place.
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059  # the format is the octal escape of the new byte
    printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

# hex_to_file HEX FILE
hex_to_file() {
    # shellcheck disable=SC2059  # the format is the \xHH escapes of the bytes
    printf "$(printf '%s' "$1" | sed 's/../\\x&/g')" >"$2"
}

# 1. The verifier's own known-answer and negative tests.
python3 "$verifier" selftest >"$tmp/selftest" 2>&1
rc=$?
grep -v '^ok ' "$tmp/selftest" | grep -v '^1\.\.' >"$tmp/out"
tests=$(grep -c '^ok ' "$tmp/selftest")
[ $rc -eq 0 ] && ! grep -q '^not ok' "$tmp/selftest" && [ "$tests" -gt 50 ]
ok $? "compmap_verify.py selftest passes ($tests checks)"

# 2-4. Key generation.
pub=$("$signer" keygen "$tmp/key.pem" 2>"$tmp/out")
rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %a "$tmp/key.pem")" = 600 ] && [ "$(printf '%s' "$pub" | openssl base64 -d -A | wc -c)" -eq 32 ]
ok $? "keygen writes a mode-600 key and prints a 32-byte public key"
[ "$("$signer" pubkey "$tmp/key.pem" 2>"$tmp/out")" = "$pub" ]
ok $? "pubkey prints the public key keygen printed"
cp "$tmp/key.pem" "$tmp/key.copy"
! "$signer" keygen "$tmp/key.pem" >"$tmp/ignored" 2>&1 && cmp -s "$tmp/key.pem" "$tmp/key.copy"
ok $? "keygen refuses to overwrite an existing key"

# 5-6. Signing a sample body (the verifier's KAT checkpoint body).
python3 "$verifier" example body >"$tmp/body"
"$signer" sign "$tmp/key.pem" ops-key <"$tmp/body" >"$tmp/signed" 2>"$tmp/out"
rc=$?
[ $rc -eq 0 ] && [ "$(head -c "$(wc -c <"$tmp/body")" "$tmp/signed")" = "$(cat "$tmp/body")" ] \
    && tail -n 1 "$tmp/signed" | grep -q "^— ops-key [A-Za-z0-9+/]\{91\}=\$" \
    && [ "$(wc -l <"$tmp/signed")" -eq "$(($(wc -l <"$tmp/body") + 2))" ]
ok $? "sign writes body, empty line and one '— ops-key base64' line"
verify "$tmp/signed" ops-key "$pub" && grep -q '^OK .*signed_by=ops-key' "$tmp/out"
ok $? "the Python verifier accepts the shell signer's signature"

# 7. One flipped byte in the body (the last digit of the time line, so the
# body still parses and only the signature can catch it).
cp "$tmp/signed" "$tmp/bad-body"
offset=$(grep -bo '^time [0-9]*' "$tmp/bad-body" | head -n 1 | awk -F: '{ print $1 + length($2) - 1 }')
flip_byte "$tmp/bad-body" "$offset"
! cmp -s "$tmp/signed" "$tmp/bad-body" && ! verify "$tmp/bad-body" ops-key "$pub" \
    && grep -q 'FAIL reason=signature by key .ops-key. does not verify' "$tmp/out"
ok $? "a body with one flipped byte is rejected"

# 8-9. One flipped byte in the signature (R half, then S half), re-encoded
# so that the note is still well-formed.
sigline=$(tail -n 1 "$tmp/signed")
printf '%s' "${sigline##* }" | openssl base64 -d -A >"$tmp/blob"
for half in R S; do
    cp "$tmp/blob" "$tmp/blob.bad"
    if [ $half = R ]; then flip_byte "$tmp/blob.bad" 10; else flip_byte "$tmp/blob.bad" 50; fi
    { head -n -1 "$tmp/signed"; printf '%s %s\n' "${sigline% *}" "$(openssl base64 -A <"$tmp/blob.bad")"; } >"$tmp/bad-sig"
    ! verify "$tmp/bad-sig" ops-key "$pub" && grep -q 'does not verify' "$tmp/out"
    ok $? "a signature with one flipped byte in its $half half is rejected"
done

# 10. A wrong key name gives a different key id: no trusted signature.
! verify "$tmp/signed" other-key "$pub" && grep -q 'no signature by a trusted key' "$tmp/out"
ok $? "the signature is not accepted under another key name"

# 11. openssl itself agrees that the signature is over exactly the body.
tail -c 64 "$tmp/blob" >"$tmp/sig"
openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem" 2>"$tmp/out" \
    && openssl pkeyutl -verify -pubin -inkey "$tmp/pub.pem" -rawin -in "$tmp/body" -sigfile "$tmp/sig" >"$tmp/out" 2>&1
ok $? "openssl verifies the signature over the body bytes"

# 12. Ed25519 is deterministic: with the RFC 8032 TEST 1 key (public test
# data) the shell signer must reproduce the verifier's KAT note byte for byte.
hex_to_file 302e020100300506032b657004220420 "$tmp/prefix.der"
hex_to_file 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 "$tmp/seed"
cat "$tmp/prefix.der" "$tmp/seed" >"$tmp/test1.der"
openssl pkey -inform DER -in "$tmp/test1.der" -out "$tmp/test1.pem" 2>"$tmp/out" \
    && "$signer" sign "$tmp/test1.pem" compmap-kat <"$tmp/body" >"$tmp/kat-shell" 2>>"$tmp/out" \
    && python3 "$verifier" example note >"$tmp/kat-python" \
    && cmp "$tmp/kat-shell" "$tmp/kat-python" >>"$tmp/out" 2>&1
ok $? "shell signer reproduces the KAT signed note (RFC 8032 TEST 1 key)"

# 13-14. End to end: an export of the KAT log with the shell-signed checkpoint.
python3 "$verifier" example export "$tmp/signed" ops-key "$pub" >"$tmp/export.json" 2>"$tmp/out" \
    && python3 "$verifier" log "$tmp/export.json" >"$tmp/out" 2>&1 \
    && tail -n 1 "$tmp/out" | grep -q '^OK tenant=00000000-0000-4000-8000-000000000001 entries=2 checkpoints=1 signed_size=2$'
ok $? "compmap_verify.py log accepts the KAT export with the shell-signed checkpoint"
sed 's/"actor": "bob"/"actor": "eve"/' "$tmp/export.json" >"$tmp/export-bad.json"
python3 "$verifier" log "$tmp/export-bad.json" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && tail -n 1 "$tmp/out" | grep -q '^FAIL first_bad_index=1 reason=.*actor'
ok $? "compmap_verify.py log reports first_bad_index=1 after the actor of leaf 1 is changed"

# 15. Pinning a key on the command line (here the RFC 8032 TEST 2 public key)
# overrides the export's key list.
hex_to_file 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c "$tmp/other.pub"
python3 "$verifier" log --key "ops-key:$(openssl base64 -A <"$tmp/other.pub")" "$tmp/export.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] && tail -n 1 "$tmp/out" | grep -q 'FAIL first_bad_index=0 reason=checkpoint 0: no signature by a trusted key'
ok $? "a pinned key that did not sign the checkpoint makes the log fail"

# 16. The KAT printout carries the same size-2 root as the checkpoint body.
root=$(sed -n 3p "$tmp/body")
python3 "$verifier" kat >"$tmp/kat.md" 2>"$tmp/out" && grep -qF "base64: \`$root\`" "$tmp/kat.md"
ok $? "compmap_verify.py kat prints the tree root of the checkpoint body"
