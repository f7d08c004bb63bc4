#!/usr/bin/env bash
# tools/sign-checkpoint.sh: signs compmap evidence checkpoints with Ed25519,
# using nothing but bash, coreutils and the openssl command-line tool.
#
# Why it exists: compmap stores only *public* keys.  A checkpoint body (tenant,
# tree size, root, time, previous checkpoint hash; docs/evidence-format.md §4)
# is produced by the database, signed here, outside it, and the signed note
# is handed back to compmap.record_checkpoint.  The private key stays in the
# PEM file on the signing machine and never goes to the database.
#
# Usage:
#   sign-checkpoint.sh keygen KEYFILE
#       Creates a new Ed25519 private key as PEM (PKCS#8) in KEYFILE, mode
#       600, refusing to overwrite an existing file, and prints the raw
#       32-byte public key in base64: the value to register with
#       compmap.register_signing_key.
#   sign-checkpoint.sh pubkey KEYFILE
#       Prints KEYFILE's raw 32-byte public key in base64.
#   sign-checkpoint.sh sign KEYFILE KEYNAME < body > signed
#       Reads a checkpoint body on stdin and writes the signed note: the
#       body, an empty line, and the line
#           "— KEYNAME base64(key_id ‖ signature)"
#       where key_id = first 4 bytes of SHA-256(KEYNAME ‖ 0x0A ‖ 0x01 ‖
#       public key) and signature is the pure Ed25519 (RFC 8032) signature
#       of the body bytes.  KEYNAME must match the name registered with the
#       public key.
#
# Requires OpenSSL 3.0 or later (pkeyutl -rawin for Ed25519).
# Exit status: 0 on success, 1 on errors, 2 on usage errors.

set -euo pipefail
umask 077

# DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw public
# key is the 32 bytes that follow it.
ED25519_SPKI_PREFIX="302a300506032b6570032100"

usage() {
    sed -n '/^# Usage:/,/^# Requires/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

die() {
    printf 'sign-checkpoint.sh: %s\n' "$*" >&2
    exit 1
}

# Writes KEYFILE's raw 32-byte public key to stdout (binary).
raw_public_key() {
    local keyfile=$1 der
    [ -r "$keyfile" ] || die "cannot read key file $keyfile"
    der=$(openssl pkey -in "$keyfile" -pubout -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n') \
        || die "$keyfile is not a private key openssl can read"
    if [ "${#der}" -ne 88 ] || [ "${der:0:24}" != "$ED25519_SPKI_PREFIX" ]; then
        die "$keyfile is not an Ed25519 key"
    fi
    openssl pkey -in "$keyfile" -pubout -outform DER | tail -c 32
}

cmd_keygen() {
    local keyfile=$1
    [ -e "$keyfile" ] && die "$keyfile exists; not overwriting a key"
    openssl genpkey -algorithm ED25519 -out "$keyfile" 2>/dev/null || die "openssl genpkey failed"
    chmod 600 "$keyfile"
    raw_public_key "$keyfile" | openssl base64 -A
    echo
}

cmd_pubkey() {
    raw_public_key "$1" | openssl base64 -A
    echo
}

cmd_sign() {
    local keyfile=$1 keyname=$2 tmp blank
    # Signed-note key names: non-empty, no white space, no "+".
    [[ "$keyname" =~ ^[^[:space:]+]+$ ]] || die "key name must be non-empty, without spaces or '+'"

    tmp=$(mktemp -d)
    # shellcheck disable=SC2064  # expand $tmp now
    trap "rm -rf '$tmp'" EXIT

    raw_public_key "$keyfile" >"$tmp/pub"
    cat >"$tmp/body"

    # A body is one or more non-empty lines, each ending in "\n": an empty
    # line would end the body early for every verifier.
    [ -s "$tmp/body" ] || die "empty checkpoint body on stdin"
    [ "$(tail -c 1 "$tmp/body" | od -An -tx1 | tr -d ' ')" = "0a" ] \
        || die "checkpoint body must end with a newline"
    blank=$(grep -c '^$' "$tmp/body" || true)
    [ "$blank" -eq 0 ] || die "checkpoint body must not contain empty lines"

    { printf '%s\n\001' "$keyname"; cat "$tmp/pub"; } \
        | openssl dgst -sha256 -binary | head -c 4 >"$tmp/keyid"
    openssl pkeyutl -sign -inkey "$keyfile" -rawin -in "$tmp/body" -out "$tmp/sig" \
        || die "openssl pkeyutl -sign failed"
    [ "$(wc -c <"$tmp/sig")" -eq 64 ] || die "unexpected signature length"
    # Check our own work before anyone relies on it.
    openssl pkeyutl -verify -inkey "$keyfile" -rawin -in "$tmp/body" -sigfile "$tmp/sig" >/dev/null \
        || die "the new signature does not verify"

    cat "$tmp/body"
    printf '\n\342\200\224 %s %s\n' "$keyname" "$(cat "$tmp/keyid" "$tmp/sig" | openssl base64 -A)"
}

[ $# -ge 1 ] || usage
command -v openssl >/dev/null || die "openssl not found"
case "$1" in
    keygen) [ $# -eq 2 ] || usage; cmd_keygen "$2" ;;
    pubkey) [ $# -eq 2 ] || usage; cmd_pubkey "$2" ;;
    sign)   [ $# -eq 3 ] || usage; cmd_sign "$2" "$3" ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
