#!/usr/bin/env python3
"""compmap_verify.py: independent verifier for compmap's evidence log.

What it does
    Recomputes, from an exported evidence log, every leaf encoding, leaf hash,
    payload digest (RFC 8785 JCS), per-subject chain link, Merkle tree root
    (RFC 9162), consistency proof and signed checkpoint (Ed25519 signed note),
    and reports the first entry that does not verify.

Why it exists
    compmap's C code computes the same values inside PostgreSQL.  An auditor
    must not have to trust that code (or the database) to check the log, so
    this program is a second implementation written only from
    docs/evidence-format.md and the RFCs it cites.  It shares no code with the
    C side and needs nothing but the Python 3.11 standard library; the test
    suite checks that both implementations agree on known-answer vectors.

Commands
    selftest              known-answer and negative tests of every primitive
    log EXPORT.json       verify an exported log (format: README.md here)
    checkpoint FILE --key NAME:PUBKEY
                          verify one signed checkpoint note
    kat                   print the known-answer vectors for the format doc
    example body|note|export ...
                          the KAT log's checkpoint body, its signed note, or
                          its export around a given signed note (for tests)

Exit status: 0 when everything verifies, 1 when something does not, 2 on
usage errors.
"""

import argparse
import base64
import binascii
import decimal
import hashlib
import io
import json
import math
import re
import struct
import sys
import uuid

HASH_LEN = 32
ZERO_HASH = bytes(HASH_LEN)
EXPORT_FORMAT = "compmap.evidence-export/1"
ORIGIN_PREFIX = "compmap.evidence/"
EM_DASH = "\u2014"

# All patterns are used with fullmatch(), so a trailing newline never slips through.
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2})*")


class VerifyError(Exception):
    """A value that is malformed or does not verify; the message says why."""


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text, what: str) -> bytes:
    """Standard base64 with padding, and only its one canonical spelling."""
    if not isinstance(text, str):
        raise VerifyError(f"{what}: not a string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerifyError(f"{what}: invalid base64") from None
    if b64encode(raw) != text:
        raise VerifyError(f"{what}: non-canonical base64")
    return raw


def hex_decode(text, what: str, length: int = HASH_LEN) -> bytes:
    if not isinstance(text, str) or not _HEX_RE.fullmatch(text):
        raise VerifyError(f"{what}: not a hex string")
    raw = bytes.fromhex(text)
    if len(raw) != length:
        raise VerifyError(f"{what}: {len(raw)} bytes, expected {length}")
    return raw


def uuid_bytes(text, what: str) -> bytes:
    """The 16 bytes of a UUID in RFC 4122 (network) byte order."""
    if not isinstance(text, str) or not _UUID_RE.fullmatch(text):
        raise VerifyError(f"{what}: not a UUID in 8-4-4-4-12 form")
    return uuid.UUID(text).bytes


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------------------
# Ed25519 signature verification, RFC 8032 §5.1 (pure Ed25519).
#
# Points are kept in extended homogeneous coordinates (X, Y, Z, T) with
# x = X/Z, y = Y/Z, x*y = T/Z on the twisted Edwards curve
# -x^2 + y^2 = 1 + d*x^2*y^2 over GF(p), p = 2^255 - 19.
# Speed is irrelevant here (a verification takes milliseconds); clarity is
# not.  Nothing here handles secrets in constant time, so the signing
# function exists for self-tests and known-answer vectors only.
# ---------------------------------------------------------------------------

ED_P = 2**255 - 19
ED_L = 2**252 + 27742317777372353535851937790883648493   # order of the base point
ED_D = (-121665 * pow(121666, -1, ED_P)) % ED_P
ED_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)                  # a square root of -1
ED_IDENTITY = (0, 1, 1, 0)


def _ed_add(p1, p2):
    """Point addition, RFC 8032 §5.1.4 (complete: also valid for doubling)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    p = ED_P
    a = (y1 - x1) * (y2 - x2) % p
    b = (y1 + x1) * (y2 + x2) % p
    c = 2 * t1 * t2 * ED_D % p
    d = 2 * z1 * z2 % p
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _ed_mul(k: int, point):
    """[k]point by double-and-add, least significant bit first."""
    result = ED_IDENTITY
    while k > 0:
        if k & 1:
            result = _ed_add(result, point)
        point = _ed_add(point, point)
        k >>= 1
    return result


def _ed_equal(p1, p2) -> bool:
    """Projective equality: x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    x1, y1, z1, _ = p1
    x2, y2, z2, _ = p2
    return (x1 * z2 - x2 * z1) % ED_P == 0 and (y1 * z2 - y2 * z1) % ED_P == 0


def _ed_recover_x(y: int, sign: int):
    """RFC 8032 §5.1.3 steps 1-4: x from y and the sign bit, or None."""
    p = ED_P
    if y >= p:
        return None                       # non-canonical encoding of y
    u = (y * y - 1) % p
    v = (ED_D * y * y + 1) % p
    # Candidate root x = (u/v)^((p+3)/8), computed without an inversion as
    # u * v^3 * (u * v^7)^((p-5)/8).
    x = u * pow(v, 3, p) * pow(u * pow(v, 7, p), (p - 5) // 8, p) % p
    vxx = v * x * x % p
    if vxx == u:
        pass
    elif vxx == (-u) % p:
        x = x * ED_SQRT_M1 % p
    else:
        return None                       # u/v has no square root: not a point
    if x == 0 and sign == 1:
        return None                       # "-0" is a non-canonical encoding
    if x & 1 != sign:
        x = p - x
    return x


def ed_decode_point(encoded: bytes):
    """RFC 8032 §5.1.3: 32 bytes to a point, or None when invalid."""
    if len(encoded) != 32:
        return None
    n = int.from_bytes(encoded, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    x = _ed_recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % ED_P)


def ed_encode_point(point) -> bytes:
    """RFC 8032 §5.1.2."""
    x, y, z, _ = point
    zinv = pow(z, -1, ED_P)
    x = x * zinv % ED_P
    y = y * zinv % ED_P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


_ED_BY = 4 * pow(5, -1, ED_P) % ED_P
_ED_BX = _ed_recover_x(_ED_BY, 0)
ED_BASE = (_ED_BX, _ED_BY, 1, _ED_BX * _ED_BY % ED_P)


def _sha512_int(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7, with the cofactorless equation [S]B = R + [k]A."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a_point = ed_decode_point(public_key)
    r_point = ed_decode_point(signature[:32])
    if a_point is None or r_point is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= ED_L:
        return False                      # S must be reduced (malleability)
    k = _sha512_int(signature[:32] + public_key + message) % ED_L
    return _ed_equal(_ed_mul(s, ED_BASE), _ed_add(r_point, _ed_mul(k, a_point)))


def _ed_secret_scalar(secret: bytes):
    h = hashlib.sha512(secret).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8                   # clear bits 0-2 and 255
    a |= 1 << 254                         # set bit 254
    return a, h[32:]


def ed25519_public_key(secret: bytes) -> bytes:
    """RFC 8032 §5.1.5 (self-tests only)."""
    a, _ = _ed_secret_scalar(secret)
    return ed_encode_point(_ed_mul(a, ED_BASE))


def ed25519_sign(secret: bytes, message: bytes) -> bytes:
    """RFC 8032 §5.1.6.  Not constant time: for self-tests and KATs only."""
    a, prefix = _ed_secret_scalar(secret)
    public_key = ed_encode_point(_ed_mul(a, ED_BASE))
    r = _sha512_int(prefix + message) % ED_L
    r_enc = ed_encode_point(_ed_mul(r, ED_BASE))
    k = _sha512_int(r_enc + public_key + message) % ED_L
    s = (r + k * a) % ED_L
    return r_enc + s.to_bytes(32, "little")


# ---------------------------------------------------------------------------
# JSON input and RFC 8785 JSON Canonicalization Scheme (docs §2).
# ---------------------------------------------------------------------------

def _reject_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise VerifyError(f"duplicate JSON object key {key!r}")
        obj[key] = value
    return obj


def _reject_constant(name):
    raise VerifyError(f"{name} is not JSON")


def parse_json_strict(text: str):
    """json.loads that rejects duplicate keys and NaN/Infinity.

    Decimal fractions are kept exact (decimal.Decimal) and integers as int, so
    that the one conversion to an IEEE 754 double happens in JCS, exactly as
    docs/evidence-format.md §2 describes.
    """
    return json.loads(text, object_pairs_hook=_reject_duplicates,
                      parse_float=decimal.Decimal,
                      parse_constant=_reject_constant)


def jcs_number(value) -> str:
    """ECMAScript Number::toString of the nearest double (RFC 8785 §3.2.2.3)."""
    try:
        x = float(value)                  # correctly rounded for int and Decimal
    except OverflowError:
        raise VerifyError(f"number {value} is outside the double range") from None
    if not math.isfinite(x):
        raise VerifyError(f"number {value} is outside the double range")
    if x == 0:
        return "0"                        # also for -0
    sign = "-" if x < 0 else ""
    # repr() is the shortest string that round-trips (and, among those, the
    # closest to x).  Take its digits d1..dk and exponent n such that
    # |x| = 0.d1..dk * 10^n.
    mantissa, _, exp_text = repr(abs(x)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = int_part + frac_part
    n = len(int_part) + (int(exp_text) if exp_text else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


_JCS_SHORT_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r",
                      0x22: '\\"', 0x5C: "\\\\"}


def jcs_string(s: str) -> str:
    out = ['"']
    for ch in s:
        c = ord(ch)
        if c in _JCS_SHORT_ESCAPES:
            out.append(_JCS_SHORT_ESCAPES[c])
        elif c < 0x20:
            out.append("\\u%04x" % c)
        elif 0xD800 <= c <= 0xDFFF:
            raise VerifyError("string contains a lone surrogate (not valid Unicode)")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _utf16_key(name: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly like arrays of UTF-16 code units.
    return name.encode("utf-16-be")


def jcs(value) -> str:
    """RFC 8785 canonical form of a parsed JSON value, as a str."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        return jcs_number(value)
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        members = []
        for name in value:
            jcs_string(name)              # rejects lone surrogates first
        for name in sorted(value, key=_utf16_key):
            members.append(jcs_string(name) + ":" + jcs(value[name]))
        return "{" + ",".join(members) + "}"
    raise VerifyError(f"not a JSON value: {type(value).__name__}")


def jcs_bytes(value) -> bytes:
    return jcs(value).encode("utf-8")


def payload_digest(value) -> bytes:
    return sha256(jcs_bytes(value))


# ---------------------------------------------------------------------------
# Leaf encoding (docs §1).
# ---------------------------------------------------------------------------

LEAF_VERSION = 0x01
LEAF_DOMAIN = b"compmap.evidence"
NULL_LENGTH = 0xFFFFFFFF

# (tag, field name, kind); kinds: uuid = 16 bytes, i64, hash = 32 bytes, text.
LEAF_FIELDS = [
    (0x01, "tenant_id", "uuid"),
    (0x02, "leaf_index", "i64"),
    (0x03, "subject_id", "uuid"),
    (0x04, "subject_seq", "i64"),
    (0x05, "subject_prev", "hash"),
    (0x06, "event_type", "text"),
    (0x07, "actor", "text"),
    (0x08, "occurred_at_us", "i64"),
    (0x09, "recorded_at_us", "i64"),
    (0x0A, "payload_digest", "hash"),
]


def _field_value_bytes(name: str, kind: str, value) -> bytes:
    if kind == "uuid":
        if not isinstance(value, bytes) or len(value) != 16:
            raise VerifyError(f"{name}: expected 16 bytes")
        return value
    if kind == "hash":
        if not isinstance(value, bytes) or len(value) != HASH_LEN:
            raise VerifyError(f"{name}: expected {HASH_LEN} bytes")
        return value
    if kind == "i64":
        if not is_int(value) or not -2**63 <= value < 2**63:
            raise VerifyError(f"{name}: not a 64-bit integer")
        return struct.pack(">q", value)
    if kind == "text":
        if not isinstance(value, str):
            raise VerifyError(f"{name}: not a string")
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise VerifyError(f"{name}: not valid Unicode") from None
    raise AssertionError(kind)


def encode_leaf(fields: dict) -> bytes:
    """leaf_bytes from a dict with the LEAF_FIELDS names (uuids/hashes as bytes)."""
    out = [bytes([LEAF_VERSION]), LEAF_DOMAIN]
    for tag, name, kind in LEAF_FIELDS:
        value = _field_value_bytes(name, kind, fields[name])
        out.append(struct.pack(">BI", tag, len(value)))
        out.append(value)
    return b"".join(out)


def decode_leaf(data: bytes) -> dict:
    """Inverse of encode_leaf; strict: every deviation raises VerifyError."""
    if len(data) < 1 + len(LEAF_DOMAIN):
        raise VerifyError("leaf_bytes: too short")
    if data[0] != LEAF_VERSION:
        raise VerifyError(f"leaf_bytes: encoding version {data[0]}, expected {LEAF_VERSION}")
    if data[1:1 + len(LEAF_DOMAIN)] != LEAF_DOMAIN:
        raise VerifyError("leaf_bytes: wrong domain tag")
    pos = 1 + len(LEAF_DOMAIN)
    fields = {}
    fixed = {"uuid": 16, "i64": 8, "hash": HASH_LEN}
    for tag, name, kind in LEAF_FIELDS:
        if pos + 5 > len(data):
            raise VerifyError(f"leaf_bytes: truncated before field {name}")
        got_tag, length = struct.unpack(">BI", data[pos:pos + 5])
        pos += 5
        if got_tag != tag:
            raise VerifyError(f"leaf_bytes: tag 0x{got_tag:02x} where {name} (0x{tag:02x}) belongs")
        if length == NULL_LENGTH:
            raise VerifyError(f"leaf_bytes: {name} is NULL, which version 1 does not allow")
        if kind in fixed and length != fixed[kind]:
            raise VerifyError(f"leaf_bytes: {name} has length {length}, expected {fixed[kind]}")
        if pos + length > len(data):
            raise VerifyError(f"leaf_bytes: {name} runs past the end")
        raw = data[pos:pos + length]
        pos += length
        if kind == "i64":
            fields[name] = struct.unpack(">q", raw)[0]
        elif kind == "text":
            try:
                fields[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise VerifyError(f"leaf_bytes: {name} is not valid UTF-8") from None
        else:
            fields[name] = raw
    if pos != len(data):
        raise VerifyError(f"leaf_bytes: {len(data) - pos} bytes after the last field")
    return fields


def leaf_hash(leaf_bytes: bytes) -> bytes:
    return sha256(b"\x00" + leaf_bytes)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


# ---------------------------------------------------------------------------
# RFC 9162 Merkle tree (docs §3): root, proof generation, proof verification.
# ---------------------------------------------------------------------------

def _split_point(n: int) -> int:
    """The largest power of two strictly less than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """RFC 9162 §2.1 over a list of leaf hashes.

    Complete subtrees are memoised, so the root at any size, and any proof,
    costs O(log n) new hashes once the tree has been walked once.
    """

    def __init__(self, leaf_hashes):
        self.leaves = list(leaf_hashes)
        self._memo = {}

    def _mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 1:
            return self.leaves[start]
        cached = self._memo.get((start, end))
        if cached is not None:
            return cached
        k = _split_point(n)
        h = node_hash(self._mth(start, start + k), self._mth(start + k, end))
        if n & (n - 1) == 0:
            self._memo[(start, end)] = h
        return h

    def root(self, size: int = None) -> bytes:
        """MTH(D[0:size])."""
        if size is None:
            size = len(self.leaves)
        if not 0 <= size <= len(self.leaves):
            raise ValueError("tree size out of range")
        if size == 0:
            return sha256(b"")
        return self._mth(0, size)

    def inclusion_proof(self, index: int, size: int) -> list:
        """PATH(index, D[0:size]), RFC 9162 §2.1.3.1."""
        if not 0 <= index < size <= len(self.leaves):
            raise ValueError("index or size out of range")

        def path(m, start, end):
            n = end - start
            if n == 1:
                return []
            k = _split_point(n)
            if m < k:
                return path(m, start, start + k) + [self._mth(start + k, end)]
            return path(m - k, start + k, end) + [self._mth(start, start + k)]

        return path(index, 0, size)

    def consistency_proof(self, size1: int, size2: int) -> list:
        """PROOF(size1, D[0:size2]), RFC 9162 §2.1.4.1 (empty for size1 = 0)."""
        if not 0 <= size1 <= size2 <= len(self.leaves):
            raise ValueError("sizes out of range")
        if size1 == 0:
            return []

        def subproof(m, start, end, complete):
            n = end - start
            if m == n:
                return [] if complete else [self._mth(start, end)]
            k = _split_point(n)
            if m <= k:
                return subproof(m, start, start + k, complete) + [self._mth(start + k, end)]
            return subproof(m - k, start + k, end, False) + [self._mth(start, start + k)]

        return subproof(size1, 0, size2, True)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list, root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, step by step."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: list) -> bool:
    """RFC 9162 §2.1.4.2, plus the edge cases the RFC leaves to policy:
    equal sizes need an empty proof and equal roots; size1 = 0 (the empty
    tree, which every tree extends) needs an empty proof."""
    if not 0 <= size1 <= size2:
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:          # size1 is an exact power of two
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


# ---------------------------------------------------------------------------
# Checkpoints: body syntax and signed notes (docs §4).
# ---------------------------------------------------------------------------

_DECIMAL_RE = re.compile(r"0|[1-9][0-9]*")
_KEY_NAME_RE = re.compile(r"[^\s+]+")


def key_id(key_name: str, public_key: bytes) -> bytes:
    """First 4 bytes of H(key name ‖ 0x0A ‖ 0x01 ‖ public key)."""
    return sha256(key_name.encode("utf-8") + b"\n\x01" + public_key)[:4]


def checkpoint_body(tenant: str, size: int, root: bytes, time_us: int, prev_body) -> bytes:
    """The body text; prev_body is the previous checkpoint's body or None."""
    prev = "-" if prev_body is None else b64encode(sha256(prev_body))
    return (f"{ORIGIN_PREFIX}{tenant.lower()}\n{size}\n{b64encode(root)}\n"
            f"time {time_us}\nprev {prev}\n").encode("utf-8")


def parse_checkpoint_body(body: bytes) -> dict:
    """Strict parse of the five body lines; returns tenant, size, root, time, prev."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise VerifyError("checkpoint body is not UTF-8") from None
    if not text.endswith("\n"):
        raise VerifyError("checkpoint body does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) != 5:
        raise VerifyError(f"checkpoint body has {len(lines)} lines, expected 5")
    origin, size_text, root_text, time_line, prev_line = lines
    if not origin.startswith(ORIGIN_PREFIX):
        raise VerifyError(f"checkpoint origin {origin!r} is not {ORIGIN_PREFIX}<tenant>")
    tenant = origin[len(ORIGIN_PREFIX):]
    if not _UUID_RE.fullmatch(tenant) or tenant != tenant.lower():
        raise VerifyError(f"checkpoint origin {origin!r}: tenant is not a lower-case UUID")
    if not _DECIMAL_RE.fullmatch(size_text) or int(size_text) >= 2**63:
        raise VerifyError(f"checkpoint tree size {size_text!r} is not a decimal number")
    root = b64decode_strict(root_text, "checkpoint root")
    if len(root) != HASH_LEN:
        raise VerifyError(f"checkpoint root has {len(root)} bytes, expected {HASH_LEN}")
    if not time_line.startswith("time ") or not _DECIMAL_RE.fullmatch(time_line[5:]) \
            or int(time_line[5:]) >= 2**63:
        raise VerifyError(f"checkpoint time line {time_line!r} is malformed")
    if not prev_line.startswith("prev "):
        raise VerifyError(f"checkpoint prev line {prev_line!r} is malformed")
    prev = None
    if prev_line != "prev -":
        prev = b64decode_strict(prev_line[5:], "checkpoint prev")
        if len(prev) != HASH_LEN:
            raise VerifyError(f"checkpoint prev has {len(prev)} bytes, expected {HASH_LEN}")
    return {"tenant": tenant, "size": int(size_text), "root": root,
            "time": int(time_line[5:]), "prev": prev}


def parse_signed_note(note: bytes):
    """Split a signed note into (body bytes, [(key name, key id, signature)])."""
    try:
        text = note.decode("utf-8")
    except UnicodeDecodeError:
        raise VerifyError("signed note is not UTF-8") from None
    cut = text.find("\n\n")
    if cut < 0:
        raise VerifyError("signed note has no blank line after the body")
    body, sig_text = text[:cut + 1], text[cut + 2:]
    if not sig_text.endswith("\n"):
        raise VerifyError("signed note does not end with a newline")
    signatures = []
    for line in sig_text[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH or not _KEY_NAME_RE.fullmatch(parts[1]):
            raise VerifyError(f"malformed signature line {line!r}")
        blob = b64decode_strict(parts[2], "signature line")
        if len(blob) < 5:
            raise VerifyError(f"signature line {line!r} is too short")
        signatures.append((parts[1], blob[:4], blob[4:]))
    return body.encode("utf-8"), signatures


def verify_signed_note(note: bytes, keys: list):
    """Checks a signed note against trusted (name, public key) pairs.

    Returns (body, name of the verifying key).  Signature lines of unknown
    keys are ignored, as signed-note verifiers do; a line that names a trusted
    key but does not verify rejects the note.
    """
    body, signatures = parse_signed_note(note)
    verified_by = None
    for name, kid, sig in signatures:
        for key_name, public_key in keys:
            if name != key_name or kid != key_id(key_name, public_key):
                continue
            if len(sig) != 64 or not ed25519_verify(public_key, body, sig):
                raise VerifyError(f"signature by key {name!r} does not verify")
            verified_by = verified_by or name
    if verified_by is None:
        raise VerifyError("no signature by a trusted key")
    return body, verified_by


def sign_note(body: bytes, key_name: str, secret: bytes) -> bytes:
    """A signed note with one signature (self-tests and KATs only)."""
    blob = key_id(key_name, ed25519_public_key(secret)) + ed25519_sign(secret, body)
    return body + b"\n" + f"{EM_DASH} {key_name} {b64encode(blob)}\n".encode("utf-8")


# ---------------------------------------------------------------------------
# Export verification.
# ---------------------------------------------------------------------------

ENTRY_FIELDS = ("leaf_index", "subject_id", "subject_seq", "subject_prev", "event_type",
                "actor", "occurred_at_us", "recorded_at_us", "payload", "payload_digest",
                "leaf_hash", "leaf_bytes")


class Report:
    """Collects the human-readable report and the failures, in order found."""

    MAX_PROBLEM_LINES = 50

    def __init__(self, out):
        self.out = out
        self.failures = []                # (first_bad_index, reason)

    def line(self, text: str):
        print(text, file=self.out)

    def fail(self, index: int, reason: str):
        self.failures.append((index, reason))
        if len(self.failures) <= self.MAX_PROBLEM_LINES:
            self.line(f"  problem at index {index}: {reason}")
        elif len(self.failures) == self.MAX_PROBLEM_LINES + 1:
            self.line("  (further problems not listed)")


def load_export(path: str):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise VerifyError(f"cannot read {path}: {e.strerror}") from None
    try:
        return parse_json_strict(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise VerifyError("export is not UTF-8") from None
    except ValueError as e:                # json.JSONDecodeError and int limits
        raise VerifyError(f"export is not valid JSON: {e}") from None


def _parse_keys(items) -> list:
    keys = []
    if not isinstance(items, list):
        raise VerifyError("public_keys is not a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise VerifyError(f"public_keys[{i}] is not an object")
        name = item.get("key_name")
        if not isinstance(name, str) or not _KEY_NAME_RE.fullmatch(name):
            raise VerifyError(f"public_keys[{i}].key_name is missing or malformed")
        public_key = b64decode_strict(item.get("public_key"), f"public_keys[{i}].public_key")
        if len(public_key) != 32 or ed_decode_point(public_key) is None:
            raise VerifyError(f"public_keys[{i}].public_key is not an Ed25519 public key")
        keys.append((name, public_key))
    return keys


def _listed_fields(entry, tenant: bytes) -> dict:
    """The export's listed fields, converted to leaf-field values."""
    return {
        "tenant_id": tenant,
        "leaf_index": entry["leaf_index"],
        "subject_id": uuid_bytes(entry["subject_id"], "subject_id"),
        "subject_seq": entry["subject_seq"],
        "subject_prev": hex_decode(entry["subject_prev"], "subject_prev"),
        "event_type": entry["event_type"],
        "actor": entry["actor"],
        "occurred_at_us": entry["occurred_at_us"],
        "recorded_at_us": entry["recorded_at_us"],
        "payload_digest": hex_decode(entry["payload_digest"], "payload_digest"),
    }


def _check_entry(i: int, entry, tenant: bytes, chains: dict, report: Report, stats: dict):
    """All per-entry checks; returns the hash this entry contributes to the tree.

    The tree and the subject chains are built from the leaf bytes, which are
    what the hashes cover; the listed fields must agree with them.  Every
    check runs even after an earlier one failed, so that one bad entry does
    not make the following entries of its subject look bad too.
    """
    if not isinstance(entry, dict):
        report.fail(i, "entry is not a JSON object")
        return ZERO_HASH
    missing = [f for f in ENTRY_FIELDS if f not in entry]
    if missing:
        report.fail(i, "entry lacks field(s) " + ", ".join(missing))
        return ZERO_HASH
    try:
        leaf_bytes = b64decode_strict(entry["leaf_bytes"], "leaf_bytes")
    except VerifyError as e:
        report.fail(i, str(e))
        return ZERO_HASH
    computed_hash = leaf_hash(leaf_bytes)

    decoded = listed = None
    try:
        decoded = decode_leaf(leaf_bytes)
    except VerifyError as e:
        report.fail(i, str(e))
    try:
        listed = _listed_fields(entry, tenant)
        listed_bytes = encode_leaf(listed)
    except VerifyError as e:
        report.fail(i, str(e))
    if decoded is not None and listed is not None:
        differing = [name for _, name, _ in LEAF_FIELDS if decoded[name] != listed[name]]
        if differing == ["tenant_id"]:
            report.fail(i, "leaf_bytes name another tenant")
        elif differing:
            report.fail(i, "leaf_bytes disagree with the listed " + ", ".join(differing))
        elif listed_bytes != leaf_bytes:
            report.fail(i, "leaf_bytes are not the canonical encoding of the listed fields")
    try:
        if hex_decode(entry["leaf_hash"], "leaf_hash") != computed_hash:
            report.fail(i, "leaf_hash is not H(0x00 || leaf_bytes)")
    except VerifyError as e:
        report.fail(i, str(e))

    fields = decoded if decoded is not None else listed
    if fields is None:
        return computed_hash

    payload = entry["payload"]
    if payload is None:
        # SQL NULL (a redacted payload) and a jsonb null both export as
        # null; the latter is recognisable by its digest.
        if fields["payload_digest"] != sha256(b"null"):
            stats["redacted"] += 1
    else:
        try:
            if payload_digest(payload) != fields["payload_digest"]:
                report.fail(i, "payload_digest is not H(JCS(payload)): the payload was changed")
        except VerifyError as e:
            report.fail(i, f"payload cannot be canonicalised: {e}")

    subject = fields["subject_id"]
    subject_text = str(uuid.UUID(bytes=subject))
    last = chains.get(subject)            # (subject_seq, leaf hash) of its previous entry
    expected_seq, expected_prev = (1, ZERO_HASH) if last is None else (last[0] + 1, last[1])
    if fields["subject_seq"] != expected_seq:
        report.fail(i, f"subject {subject_text}: subject_seq {fields['subject_seq']}, expected {expected_seq}")
    elif fields["subject_prev"] != expected_prev:
        report.fail(i, f"subject {subject_text}: subject_prev is not the leaf hash of the subject's previous entry")
    chains[subject] = (fields["subject_seq"], computed_hash)
    return computed_hash


def verify_export(export, trusted_keys=None, out=sys.stdout):
    """Verifies a parsed export; returns a list of (first_bad_index, reason).

    trusted_keys, when given, replaces the export's own public_keys list.
    """
    report = Report(out)
    if not isinstance(export, dict) or export.get("format") != EXPORT_FORMAT:
        report.fail(0, f"not a {EXPORT_FORMAT} document")
        return report.failures
    try:
        tenant_text = export.get("tenant_id")
        tenant = uuid_bytes(tenant_text, "tenant_id")
        entries, checkpoints = export.get("entries"), export.get("checkpoints")
        if not isinstance(entries, list) or not isinstance(checkpoints, list):
            raise VerifyError("entries and checkpoints must be lists")
        keys = trusted_keys if trusted_keys is not None else _parse_keys(export.get("public_keys"))
    except VerifyError as e:
        report.fail(0, str(e))
        return report.failures
    tenant_text = tenant_text.lower()
    report.line(f"compmap evidence export, tenant {tenant_text}")
    source = "given on the command line" if trusted_keys is not None else "listed in the export"
    report.line(f"trusted keys ({source}): " + (", ".join(
        f"{name} ({key_id(name, pk).hex()})" for name, pk in keys) or "none"))

    # Leaves.
    report.line(f"entries: {len(entries)}")
    chains, stats = {}, {"redacted": 0}
    hashes = []
    expected_index = 0
    for pos, entry in enumerate(entries):
        listed_index = entry.get("leaf_index") if isinstance(entry, dict) else None
        if listed_index != expected_index:
            report.fail(pos, f"leaf_index {listed_index} where {expected_index} was expected (gap or reordering)")
            expected_index = listed_index if is_int(listed_index) else expected_index
        expected_index += 1
        hashes.append(_check_entry(pos, entry, tenant, chains, report, stats))
    report.line(f"  subjects: {len(chains)}, redacted payloads: {stats['redacted']}, "
                f"entries with problems: {len({i for i, _ in report.failures})}")
    tree = MerkleTree(hashes)

    # Checkpoints, oldest first.
    report.line(f"checkpoints: {len(checkpoints)}")
    covered = 0                           # size of the last fully verified checkpoint
    prev = None                           # (body, parsed) of the previous checkpoint
    for j, item in enumerate(checkpoints):
        failures_before = len(report.failures)

        def cfail(reason):
            report.fail(covered, f"checkpoint {j}: {reason}")

        note = item.get("signed") if isinstance(item, dict) else None
        if not isinstance(note, str):
            cfail("no signed note text")
            continue
        try:
            body, signer = verify_signed_note(note.encode("utf-8"), keys)
            cp = parse_checkpoint_body(body)
        except VerifyError as e:
            cfail(str(e))
            continue
        if cp["tenant"] != tenant_text:
            cfail(f"origin names tenant {cp['tenant']}, not {tenant_text}")
        if cp["size"] > len(hashes):
            cfail(f"tree size {cp['size']} exceeds the {len(hashes)} exported entries")
        elif tree.root(cp["size"]) != cp["root"]:
            cfail(f"root is not the tree root of the first {cp['size']} entries")
        if prev is None:
            if cp["prev"] is not None:
                cfail("first checkpoint has a prev hash (is the export complete?)")
        else:
            prev_body, prev_cp = prev
            if cp["prev"] != sha256(prev_body):
                cfail(f"prev is not the hash of checkpoint {j - 1}'s body")
            if cp["size"] < prev_cp["size"]:
                cfail(f"tree size shrank from {prev_cp['size']} to {cp['size']}")
            elif cp["size"] <= len(hashes):
                proof = tree.consistency_proof(prev_cp["size"], cp["size"])
                if not verify_consistency(prev_cp["size"], cp["size"], prev_cp["root"], cp["root"], proof):
                    cfail(f"not consistent with checkpoint {j - 1} ({prev_cp['size']} -> {cp['size']})")
            if cp["time"] <= prev_cp["time"]:
                cfail(f"time {cp['time']} is not after checkpoint {j - 1}'s {prev_cp['time']}")
        prev = (body, cp)
        ok = len(report.failures) == failures_before
        report.line(f"  checkpoint {j}: size {cp['size']}, time {cp['time']}, signed by {signer}: "
                    + ("ok" if ok else "FAILED"))
        if ok:
            covered = max(covered, cp["size"])

    if not report.failures:
        if covered < len(hashes):
            report.line(f"note: entries {covered}..{len(hashes) - 1} are not yet covered by a signed checkpoint")
        report.line(f"OK tenant={tenant_text} entries={len(hashes)} checkpoints={len(checkpoints)} "
                    f"signed_size={covered}")
    return report.failures


# ---------------------------------------------------------------------------
# Auditor packs (docs/auditor-pack.md): one finding's entries, each with an
# inclusion proof to a signed checkpoint, and consistency proofs from the
# earlier checkpoints the pack names.
# ---------------------------------------------------------------------------

PACK_FORMAT = "compmap.auditor-pack/1"


def _proof_list(value, what: str) -> list:
    if not isinstance(value, list):
        raise VerifyError(f"{what} is not a list")
    proof = [b64decode_strict(item, what) for item in value]
    if any(len(h) != HASH_LEN for h in proof):
        raise VerifyError(f"{what} holds a hash that is not {HASH_LEN} bytes")
    return proof


def verify_pack(pack, trusted_keys=None, trusted_notes=(), out=sys.stdout):
    """Verifies a parsed auditor pack; returns a list of (first_bad_index, reason).

    trusted_keys replaces the key the pack names; trusted_notes are signed
    checkpoints the auditor already holds, which the pack's checkpoint must
    provably extend.
    """
    report = Report(out)
    if not isinstance(pack, dict) or pack.get("format") != PACK_FORMAT:
        report.fail(0, f"not a {PACK_FORMAT} document")
        return report.failures
    try:
        tenant_text = str(pack.get("tenant_id")).lower()
        tenant = uuid_bytes(tenant_text, "tenant_id")
        finding = uuid_bytes(pack.get("finding_id"), "finding_id")
        entries, cp_item = pack.get("entries"), pack.get("checkpoint")
        earlier = pack.get("earlier_checkpoints", [])
        if not isinstance(entries, list) or not isinstance(cp_item, dict) or not isinstance(earlier, list):
            raise VerifyError("entries, checkpoint and earlier_checkpoints are required")
        if trusted_keys is not None:
            keys = trusted_keys
        else:
            keys = _parse_keys([{"key_name": cp_item.get("key_name"), "public_key": cp_item.get("public_key")}])
        body, signer = verify_signed_note(str(cp_item.get("signed")).encode("utf-8"), keys)
        cp = parse_checkpoint_body(body)
    except VerifyError as e:
        report.fail(0, f"checkpoint: {e}")
        return report.failures
    finding_text = str(uuid.UUID(bytes=finding))
    report.line(f"compmap auditor pack, tenant {tenant_text}, finding {finding_text}")
    source = "given on the command line" if trusted_keys is not None else "named by the pack itself (pin it with --key)"
    report.line(f"checkpoint: size {cp['size']}, time {cp['time']}, signed by {signer}, key {source}")
    if cp["tenant"] != tenant_text:
        report.fail(0, f"checkpoint origin names tenant {cp['tenant']}, not {tenant_text}")
    if cp_item.get("tree_size") != cp["size"]:
        report.fail(0, "checkpoint tree_size differs from the signed body")

    # The finding's entries: complete from its first entry, each proven.
    chains, stats = {}, {"redacted": 0}
    for pos, entry in enumerate(entries):
        index = entry.get("leaf_index") if isinstance(entry, dict) else None
        where = index if is_int(index) else pos
        computed = _check_entry(where, entry, tenant, chains, report, stats)
        if not isinstance(entry, dict):
            continue
        try:
            if uuid_bytes(entry.get("subject_id"), "subject_id") != finding:
                report.fail(where, "entry belongs to another subject than the pack's finding")
        except VerifyError as e:
            report.fail(where, str(e))
        payload = entry.get("payload")
        if payload is not None and entry.get("canonical_payload") != jcs(payload):
            report.fail(where, "canonical_payload is not JCS(payload)")
        if not is_int(index) or not 0 <= index < cp["size"]:
            report.fail(where, f"leaf_index is not inside the checkpoint's {cp['size']} entries")
            continue
        try:
            proof = _proof_list(entry.get("inclusion_proof"), "inclusion_proof")
            if not verify_inclusion(index, cp["size"], computed, proof, cp["root"]):
                report.fail(where, "inclusion proof does not lead to the checkpoint root")
        except VerifyError as e:
            report.fail(where, str(e))
    seqs = [e.get("subject_seq") for e in entries if isinstance(e, dict)]
    if seqs != list(range(1, len(entries) + 1)):
        report.fail(0, "entries are not the finding's chain from its first entry in order")
    report.line(f"entries: {len(entries)} (subject sequence 1..{len(entries)}), "
                f"later entries not yet covered by this checkpoint: {pack.get('entries_after_checkpoint', 0)}")

    # Earlier checkpoints: each signed, each extended by the pack's checkpoint.
    proven = {body: cp}
    for j, item in enumerate(earlier):
        try:
            ebody, esigner = verify_signed_note(str(item.get("signed")).encode("utf-8"), keys)
            ecp = parse_checkpoint_body(ebody)
            proof = _proof_list(item.get("consistency_proof"), "consistency_proof")
        except (VerifyError, AttributeError) as e:
            report.fail(0, f"earlier checkpoint {j}: {e}")
            continue
        if ecp["tenant"] != tenant_text:
            report.fail(0, f"earlier checkpoint {j}: names another tenant")
        elif ecp["size"] > cp["size"] or not verify_consistency(ecp["size"], cp["size"], ecp["root"], cp["root"], proof):
            report.fail(0, f"earlier checkpoint {j} (size {ecp['size']}): the pack's checkpoint does not extend it")
        else:
            proven[ebody] = ecp
            report.line(f"  earlier checkpoint {j}: size {ecp['size']}, extended by the pack's checkpoint: ok")

    # Checkpoints the auditor already trusts.
    for j, note in enumerate(trusted_notes):
        try:
            tbody, _ = verify_signed_note(note, keys)
            tcp = parse_checkpoint_body(tbody)
        except VerifyError as e:
            report.fail(0, f"trusted checkpoint {j}: {e}")
            continue
        if tbody in proven:
            report.line(f"  trusted checkpoint {j} (size {tcp['size']}): the pack proves it is extended: ok")
        elif tcp["size"] == cp["size"] and tcp["root"] != cp["root"]:
            report.fail(0, f"trusted checkpoint {j}: same size {tcp['size']} with a different root (split view)")
        else:
            report.fail(0, f"trusted checkpoint {j} (size {tcp['size']}): the pack does not prove that its "
                           "checkpoint extends it")

    if not report.failures:
        report.line(f"OK finding={finding_text} entries={len(entries)} checkpoint_size={cp['size']} signed_by={signer}")
    return report.failures


# ---------------------------------------------------------------------------
# Known-answer inputs, shared by `kat`, `example` and the self-tests.
# ---------------------------------------------------------------------------

KAT_TENANT = "00000000-0000-4000-8000-000000000001"
KAT_SUBJECT = "00000000-0000-4000-8000-0000000000aa"
KAT_EVENTS = [
    # (subject, event_type, actor, occurred_at_us, recorded_at_us, payload JSON text)
    (KAT_SUBJECT, "finding.created", "alice", 1700000000000000, 1700000000000001,
     '{"b":[1,2.5,"x"],"a":"\u00e9"}'),
    (KAT_SUBJECT, "finding.status_changed", "bob", 1700000001000000, 1700000001000001,
     '{"from":"new","to":"triaged"}'),
]
KAT_CHECKPOINT_TIME = 1700000002000000
# The published results (docs/evidence-format.md §5), pinned by the self-test.
KAT_LEAF_HASHES = ["d3372f95929e6f88a57f74fd6317877092aabb9706b62b38be0b476ea9752dd9",
                   "0ed1744b6100c57026da07ae41b2dac1fb3b7f2928b8fa65624b3c4b88537714"]
KAT_ROOT = "ffc209d94b8c56f7ffd2c5361728125c43f279c6e385cf71d7e0e0a98d0ecb9f"
KAT_KEY_NAME = "compmap-kat"
# RFC 8032 §7.1 TEST 1 key pair: public test data, never a real key.
RFC8032_TEST1_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def build_entries(tenant: str, events) -> list:
    """Export entries (as JSON-ready dicts) for a list of event tuples."""
    entries, chains = [], {}
    for index, (subject, event_type, actor, occurred, recorded, payload_text) in enumerate(events):
        payload = parse_json_strict(payload_text) if payload_text is not None else None
        digest = payload_digest(payload) if payload is not None else ZERO_HASH
        seq, prev = chains.get(subject, (0, ZERO_HASH))
        fields = {"tenant_id": uuid_bytes(tenant, "tenant"), "leaf_index": index,
                  "subject_id": uuid_bytes(subject, "subject"), "subject_seq": seq + 1,
                  "subject_prev": prev, "event_type": event_type, "actor": actor,
                  "occurred_at_us": occurred, "recorded_at_us": recorded,
                  "payload_digest": digest}
        data = encode_leaf(fields)
        chains[subject] = (seq + 1, leaf_hash(data))
        entries.append({
            "leaf_index": index, "subject_id": subject, "subject_seq": seq + 1,
            "subject_prev": prev.hex(), "event_type": event_type, "actor": actor,
            "occurred_at_us": occurred, "recorded_at_us": recorded,
            "payload": json.loads(payload_text) if payload_text is not None else None,
            "payload_digest": digest.hex(), "leaf_hash": leaf_hash(data).hex(),
            "leaf_bytes": b64encode(data),
        })
    return entries


def entries_tree(entries) -> MerkleTree:
    return MerkleTree(bytes.fromhex(e["leaf_hash"]) for e in entries)


def kat_checkpoint_body() -> bytes:
    entries = build_entries(KAT_TENANT, KAT_EVENTS)
    return checkpoint_body(KAT_TENANT, len(entries), entries_tree(entries).root(),
                           KAT_CHECKPOINT_TIME, None)


def make_export(tenant: str, entries, signed_notes, keys) -> dict:
    return {"format": EXPORT_FORMAT, "tenant_id": tenant, "entries": entries,
            "checkpoints": [{"signed": n} for n in signed_notes],
            "public_keys": [{"key_name": name, "public_key": b64encode(pk)} for name, pk in keys]}


# ---------------------------------------------------------------------------
# Self-tests.
# ---------------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, condition, description: str, detail: str = None):
        self.count += 1
        if condition:
            print(f"ok {self.count} - {description}")
        else:
            self.failed += 1
            print(f"not ok {self.count} - {description}")
            if detail:
                print(f"# {detail}")

    def finish(self) -> int:
        print(f"1..{self.count}")
        if self.failed:
            print(f"# {self.failed} of {self.count} self-tests failed")
        return 1 if self.failed else 0


def _raises(fn, *args) -> bool:
    try:
        fn(*args)
    except VerifyError:
        return True
    return False


def _flip(data: bytes, pos: int, bit: int = 0) -> bytes:
    b = bytearray(data)
    b[pos] ^= 1 << bit
    return bytes(b)


# RFC 6962/9162 test leaves and the roots of their prefixes (ledger-anchors §4.5).
CT_LEAVES = [bytes.fromhex(h) for h in
             ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PROOF_0_8 = ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
                "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]
# Consistency proof 3 -> 7, as (prefix, suffix) of each hex hash.
CT_CONSISTENCY_3_7 = [("0298d122", "7fe7"), ("07506a85", "87e7"), ("fac54203", "c125"),
                      ("837dbb15", "2d0e")]

# RFC 8032 §7.1 TEST 1 and TEST 2: (secret, public, message, signature), hex.
RFC8032_VECTORS = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
     "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
     "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
]

# JCS numbers: (JSON input text, canonical output).  The first group is from
# RFC 8785 §3.2.2.3's example, the rest follow from ECMA-262 Number::toString.
JCS_NUMBERS = [
    ("1e+30", "1e+30"), ("1E30", "1e+30"), ("4.50", "4.5"), ("2e-3", "0.002"),
    ("0.000001", "0.000001"), ("1e-7", "1e-7"), ("-0", "0"), ("-0.0", "0"),
    ("333333333.33333329", "333333333.3333333"), ("1e21", "1e+21"),
    ("999999999999999999999", "1e+21"), ("123456789012345678", "123456789012345680"),
    ("0.000000000000000000000000001", "1e-27"), ("100", "100"), ("-1.5", "-1.5"),
    ("1e20", "100000000000000000000"), ("123e-20", "1.23e-18"), ("0.1", "0.1"),
    ("9007199254740993", "9007199254740992"), ("5e-324", "5e-324"),
    ("1.7976931348623157e308", "1.7976931348623157e+308"), ("1e-6", "0.000001"),
    ("12.5e-7", "0.00000125"), ("1.25e-7", "1.25e-7"), ("2.5", "2.5"),
]

# RFC 8785 Appendix B: IEEE 754 bit patterns (hex) and their canonical text.
JCS_IEEE = [
    ("0000000000000000", "0"), ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"), ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"), ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"), ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"), ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"), ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"), ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"), ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"), ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"), ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"), ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _selftest_merkle(t: Tap):
    tree = MerkleTree(leaf_hash(d) for d in CT_LEAVES)
    for n, expected in enumerate(CT_ROOTS):
        t.check(tree.root(n).hex() == expected, f"RFC 9162 root of the {n} CT test leaves")
    proof = tree.inclusion_proof(0, 8)
    t.check([b64encode(p) for p in proof] == CT_PROOF_0_8, "inclusion proof index 0, size 8 matches the vector")
    t.check(verify_inclusion(0, 8, leaf_hash(CT_LEAVES[0]), proof, bytes.fromhex(CT_ROOTS[8])),
            "inclusion proof index 0, size 8 verifies")
    cproof = tree.consistency_proof(3, 7)
    t.check(len(cproof) == 4 and all(p.hex().startswith(a) and p.hex().endswith(b)
                                     for p, (a, b) in zip(cproof, CT_CONSISTENCY_3_7)),
            "consistency proof 3 -> 7 matches the vector")
    t.check(verify_consistency(3, 7, tree.root(3), tree.root(7), cproof), "consistency proof 3 -> 7 verifies")
    h = leaf_hash(b"L123456").hex()
    t.check(h.startswith("395aa064") and h.endswith("4d56"), "leaf hash of 'L123456'")
    h = node_hash(b"N123", b"N456").hex()
    t.check(h.startswith("aa217fe8") and h.endswith("6bbb"), "node hash of 'N123', 'N456'")

    # Exhaustive round trips with mutations, on trees of up to 33 leaves.
    big = MerkleTree(leaf_hash(b"leaf %d" % i) for i in range(33))
    bad = []
    for size in range(1, 34):
        root = big.root(size)
        for index in range(size):
            leaf = big.leaves[index]
            p = big.inclusion_proof(index, size)
            if not verify_inclusion(index, size, leaf, p, root):
                bad.append(f"incl {index}/{size} rejected")
            # (The same proof may verify for size + 1 against the same root:
            # the root does not commit to the size, the signed checkpoint does.)
            mutants = [(index, size, leaf_hash(b"x"), p),
                       (index, size * 2, leaf, p), (index, size // 2, leaf, p), (index ^ 2, size, leaf, p),
                       (index, size, leaf, p + [root]), (index, size, leaf, [root] + p)]
            if index + 1 < size:
                mutants.append((index + 1, size, leaf, p))
            if index > 0:
                mutants.append((index - 1, size, leaf, p))
            if p:
                mutants.append((index, size, leaf, p[:-1]))
                mutants += [(index, size, leaf, p[:e] + [_flip(p[e], 7)] + p[e + 1:]) for e in range(len(p))]
            for m in mutants:
                if (m[0], m[1]) != (index, size) and verify_inclusion(m[0], m[1], m[2], m[3], root):
                    bad.append(f"incl {index}/{size} mutant {m[:2]} accepted")
                elif m[2:] != (leaf, p) and verify_inclusion(*m[:4], root):
                    bad.append(f"incl {index}/{size} mutant proof accepted")
    t.check(not bad, "inclusion proofs for all indexes of trees of 1..33 leaves verify; mutants fail",
            "; ".join(bad[:5]))

    bad = []
    for size2 in range(1, 34):
        for size1 in range(1, size2 + 1):
            r1, r2 = big.root(size1), big.root(size2)
            p = big.consistency_proof(size1, size2)
            if not verify_consistency(size1, size2, r1, r2, p):
                bad.append(f"cons {size1}->{size2} rejected")
            if size1 == size2:
                continue
            mutants = [(size1, size2, r2, r1, p), (size1, size2, r1, r2, p[:-1]),
                       (size1, size2, r1, r2, p + [r2]), (size1, size2, r1, r2, [r1] + p),
                       (size1, size2, r1, leaf_hash(b"x"), p), (size1, size2, r1, r2, [])]
            mutants += [(size1, size2, r1, r2, p[:e] + [_flip(p[e], 0)] + p[e + 1:]) for e in range(len(p))]
            if size1 + 1 < size2:
                mutants.append((size1 + 1, size2, r1, r2, p))
            if size1 > 1:
                mutants.append((size1 - 1, size2, r1, r2, p))
            for m in mutants:
                if verify_consistency(*m):
                    bad.append(f"cons {size1}->{size2} mutant accepted")
    t.check(not bad, "consistency proofs for all size pairs up to 33 verify; mutants fail",
            "; ".join(bad[:5]))
    t.check(verify_consistency(0, 5, big.root(0), big.root(5), []) and
            not verify_consistency(5, 4, big.root(5), big.root(4), big.consistency_proof(4, 5)),
            "consistency edge cases: empty first tree; size1 > size2 rejected")


def _selftest_ed25519(t: Tap):
    for n, (sk, pk, msg, sig) in enumerate(RFC8032_VECTORS, 1):
        sk, pk, msg, sig = (bytes.fromhex(x) for x in (sk, pk, msg, sig))
        t.check(ed25519_verify(pk, msg, sig), f"RFC 8032 TEST {n}: signature verifies")
        t.check(ed25519_public_key(sk) == pk and ed25519_sign(sk, msg) == sig,
                f"RFC 8032 TEST {n}: public key and signature reproduced")
        t.check(not ed25519_verify(pk, msg + b"\x00", sig), f"RFC 8032 TEST {n}: other message rejected")
        t.check(not ed25519_verify(pk, msg, _flip(sig, 3)) and not ed25519_verify(pk, msg, _flip(sig, 40)),
                f"RFC 8032 TEST {n}: flipped bit in R or S rejected")
    sk, pk, msg, sig = (bytes.fromhex(x) for x in RFC8032_VECTORS[0])
    s = int.from_bytes(sig[32:], "little")
    t.check(not ed25519_verify(pk, msg, sig[:32] + (s + ED_L).to_bytes(32, "little")),
            "S + L (non-canonical S >= L) rejected")
    other_pk = bytes.fromhex(RFC8032_VECTORS[1][1])
    t.check(not ed25519_verify(other_pk, msg, sig), "signature under another key rejected")
    # The identity point y = 1 also fits in 255 bits as y = p + 1, and with
    # x = 0 the sign bit must be 0: both spellings are non-canonical.
    t.check(ed_decode_point((1).to_bytes(32, "little")) is not None and
            ed_decode_point((ED_P + 1).to_bytes(32, "little")) is None and
            ed_decode_point((1 | 1 << 255).to_bytes(32, "little")) is None,
            "non-canonical point encodings (y >= p, x = 0 with sign bit) rejected")
    t.check(not ed25519_verify((ED_P + 1).to_bytes(32, "little"), msg, sig) and
            ed_decode_point((2).to_bytes(32, "little")) is None,
            "non-canonical public key rejected; y without a curve point rejected")
    r_alt = int.from_bytes(sig[:32], "little") ^ (1 << 255)
    t.check(not ed25519_verify(pk, msg, r_alt.to_bytes(32, "little") + sig[32:]),
            "R with the wrong sign bit rejected")


def _selftest_jcs(t: Tap):
    bad = []
    for text, expected in JCS_NUMBERS:
        got = jcs(parse_json_strict(text))
        if got != expected:
            bad.append(f"{text} -> {got}, expected {expected}")
    t.check(not bad, f"JCS numbers ({len(JCS_NUMBERS)} cases)", "; ".join(bad))
    bad = []
    for bits, expected in JCS_IEEE:
        got = jcs(struct.unpack(">d", bytes.fromhex(bits))[0])
        if got != expected:
            bad.append(f"{bits} -> {got}, expected {expected}")
    t.check(not bad, f"JCS numbers, RFC 8785 Appendix B ({len(JCS_IEEE)} cases)", "; ".join(bad))
    rfc_input = ('{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n'
                 '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
                 '  "literals": [null, true, false]\n}')
    rfc_output = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                  '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    got = jcs(parse_json_strict(rfc_input))
    t.check(got == rfc_output, "JCS of the RFC 8785 §3.2.2 example", got)
    sort_input = '{"\\u20ac":1,"\\r":2,"\\ufb33":3,"1":4,"\\ud83d\\ude00":5,"\\u0080":6,"\\u00f6":7}'
    got = jcs(parse_json_strict(sort_input))
    expected = '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\U0001f600":5,"\ufb33":3}'
    t.check(got == expected, "JCS sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)", got)
    got = jcs({"\ue000": 1, "\U00010000": 2, "\uffff": 3, "z": 4})
    t.check(got == '{"z":4,"\U00010000":2,"\ue000":1,"\uffff":3}',
            "supplementary-plane key sorts before U+E000..U+FFFF keys", got)
    got = jcs(parse_json_strict('["\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\\u007f\\u00e9", {"a":{"c":1,"b":[]}}]'))
    t.check(got == '["\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u00e9",{"a":{"b":[],"c":1}}]',
            "JCS string escapes and nested objects", got)
    t.check(jcs_bytes({"a": "\u00e9"}) == b'{"a":"\xc3\xa9"}', "JCS output is UTF-8")
    t.check(_raises(parse_json_strict, '{"a":1,"a":2}'), "duplicate keys rejected")
    t.check(_raises(parse_json_strict, '[NaN]') and _raises(parse_json_strict, '[-Infinity]'),
            "NaN and Infinity rejected")
    t.check(_raises(jcs, parse_json_strict('[1e400]')) and _raises(jcs, 10**400),
            "numbers outside the double range rejected")
    t.check(_raises(jcs, parse_json_strict('["\\ud800"]')) and _raises(jcs, {"\udc00": 1}),
            "lone surrogates rejected")


def _kat_leaf_fields(index=0):
    return {"tenant_id": uuid_bytes(KAT_TENANT, "t"), "leaf_index": index,
            "subject_id": uuid_bytes(KAT_SUBJECT, "s"), "subject_seq": 1, "subject_prev": ZERO_HASH,
            "event_type": "finding.created", "actor": "alice",
            "occurred_at_us": 1700000000000000, "recorded_at_us": 1700000000000001,
            "payload_digest": sha256(b"{}")}


def _selftest_leaf(t: Tap):
    fields = _kat_leaf_fields()
    data = encode_leaf(fields)
    t.check(data[:17] == b"\x01compmap.evidence" and data[17:22] == b"\x01\x00\x00\x00\x10",
            "leaf starts with version, domain tag and field(0x01, 16 bytes)")
    t.check(decode_leaf(data) == fields, "leaf decode(encode(x)) == x")
    t.check(len(data) == 1 + 16 + 10 * 5 + 16 + 8 + 16 + 8 + 32 + 15 + 5 + 8 + 8 + 32,
            "leaf length is the sum of its fields")
    null_actor = data.replace(b"\x07\x00\x00\x00\x05alice", b"\x07\xff\xff\xff\xff")
    t.check(all(_raises(decode_leaf, d) for d in
                (data[:-1], data + b"\x00", b"\x02" + data[1:], data[:5] + b"X" + data[6:], null_actor,
                 data.replace(b"\x06\x00\x00\x00\x0f", b"\x0b\x00\x00\x00\x0f"))),
            "leaf decode rejects truncation, trailing bytes, version, domain, NULL, wrong tag")
    empty = dict(fields, actor="")
    t.check(decode_leaf(encode_leaf(empty))["actor"] == "" and encode_leaf(empty) != null_actor,
            "empty text and NULL encode differently")
    negative = dict(fields, occurred_at_us=-1)
    t.check(b"\x08\x00\x00\x00\x08" + b"\xff" * 8 in encode_leaf(negative), "negative i64 is two's complement")
    # The published known-answer vectors (docs §5) must never change.
    entries = build_entries(KAT_TENANT, KAT_EVENTS)
    t.check([e["leaf_hash"] for e in entries] == KAT_LEAF_HASHES and
            entries_tree(entries).root().hex() == KAT_ROOT, "known-answer leaf hashes and root unchanged")


def _selftest_checkpoint(t: Tap):
    pk = ed25519_public_key(RFC8032_TEST1_SECRET)
    keys = [(KAT_KEY_NAME, pk)]
    body = kat_checkpoint_body()
    note = sign_note(body, KAT_KEY_NAME, RFC8032_TEST1_SECRET)
    got_body, signer = verify_signed_note(note, keys)
    t.check(got_body == body and signer == KAT_KEY_NAME, "signed note verifies")
    cp = parse_checkpoint_body(body)
    t.check(cp["tenant"] == KAT_TENANT and cp["size"] == 2 and cp["prev"] is None, "checkpoint body parses")
    t.check(key_id(KAT_KEY_NAME, pk) == sha256(b"compmap-kat\n\x01" + pk)[:4], "key id")
    sig_line_start = note.index(EM_DASH.encode("utf-8"))
    t.check(_raises(verify_signed_note, _flip(note, 20), keys), "flipped body byte rejected")
    sig_text = note[sig_line_start:].split(b" ")[2].strip()
    blob = base64.b64decode(sig_text)
    for pos, what in ((2, "key id"), (10, "signature")):
        tampered = note.replace(sig_text, b64encode(_flip(blob, pos)).encode())
        t.check(_raises(verify_signed_note, tampered, keys), f"flipped {what} byte rejected")
    t.check(_raises(verify_signed_note, note, [("other-name", pk)]), "unknown key name rejected")
    extra = note + f"{EM_DASH} someone-else {b64encode(bytes(68))}\n".encode()
    t.check(verify_signed_note(extra, keys)[1] == KAT_KEY_NAME, "signature lines of unknown keys ignored")
    t.check(all(_raises(parse_checkpoint_body, b) for b in (
        body.replace(b"\nprev -\n", b"\n"), body[:-1], body.replace(b"\n2\n", b"\n02\n"),
        body.upper(), body.replace(b"time ", b"time -"), body + b"extra\n")),
        "malformed checkpoint bodies rejected")


def _selftest_export(t: Tap):
    """Builds a small signed log in memory, then tampers with it."""
    tenant = KAT_TENANT
    subjects = ["00000000-0000-4000-8000-%012x" % n for n in (0xa1, 0xa2, 0xa3)]
    events = []
    for i in range(20):
        payload = json.dumps({"i": i, "note": "x" * (i % 3), "score": i / 4})
        events.append((subjects[i % 3], "finding.updated", "auditor-%d" % (i % 2),
                       1700000000000000 + i, 1700000000000000 + 10 * i, payload))
    entries = build_entries(tenant, events)
    entries[7]["payload"] = None          # redaction removes the payload, keeps its digest
    tree = entries_tree(entries)
    pk = ed25519_public_key(RFC8032_TEST1_SECRET)
    keys = [(KAT_KEY_NAME, pk)]

    def signed_chain(specs):
        notes, prev = [], None
        for size, time_us in specs:
            root = tree.root(size) if size <= len(entries) else tree.root()
            body = checkpoint_body(tenant, size, root, time_us, prev)
            notes.append(sign_note(body, KAT_KEY_NAME, RFC8032_TEST1_SECRET).decode())
            prev = body
        return notes

    good_notes = signed_chain([(0, 10), (5, 20), (5, 30), (16, 40), (20, 50)])

    def run(mutate=None, notes=None):
        export = json.loads(json.dumps(make_export(tenant, entries, notes or good_notes, keys)))
        if mutate:
            mutate(export)
        return verify_export(parse_json_strict(json.dumps(export)), out=io.StringIO())

    t.check(run() == [], "a well-formed signed export verifies")

    def expect(name, mutate=None, notes=None, index=None, reason=""):
        failures = run(mutate, notes)
        good = bool(failures) and failures[0][0] == index and reason in failures[0][1]
        t.check(good, f"tamper detected: {name}", repr(failures[:2]))

    def set_field(i, field, value):
        return lambda ex: ex["entries"][i].__setitem__(field, value)

    def rebuild(i, **changes):
        def mutate(ex):
            ex["entries"][i].update(changes)
            fix_entry(tenant, ex["entries"], i)
        return mutate

    expect("payload edited", set_field(4, "payload", {"i": 5}), index=4, reason="payload_digest")
    expect("actor edited in the listing only", set_field(6, "actor", "mallory"), index=6, reason="actor")
    expect("leaf_hash edited", set_field(9, "leaf_hash", "00" * 32), index=9, reason="leaf_hash")
    expect("leaf re-encoded and re-hashed after an edit", rebuild(9, actor="mallory"),
           index=12, reason="subject_prev")
    expect("last leaf re-encoded (only the checkpoint catches it)", rebuild(19, actor="mallory"),
           index=16, reason="root")
    expect("entry deleted", lambda ex: ex["entries"].pop(3), index=3, reason="leaf_index")
    expect("entries swapped", lambda ex: ex["entries"].__setitem__(
        slice(2, 4), [ex["entries"][3], ex["entries"][2]]), index=2, reason="leaf_index")
    expect("leaf moved to another tenant", lambda ex: ex.__setitem__(
        "tenant_id", "00000000-0000-4000-8000-000000000002"), index=0, reason="tenant")
    expect("subject_seq skipped", rebuild(10, subject_seq=5), index=10, reason="subject_seq")
    expect("checkpoint body edited", lambda ex: ex["checkpoints"][1].__setitem__(
        "signed", ex["checkpoints"][1]["signed"].replace("time 20", "time 21")), index=0, reason="signature")
    other_key = b64encode(bytes.fromhex(RFC8032_VECTORS[1][1]))
    expect("checkpoint key replaced", lambda ex: ex.__setitem__(
        "public_keys", [{"key_name": KAT_KEY_NAME, "public_key": other_key}]), index=0, reason="trusted key")
    bad = signed_chain([(0, 10), (5, 20), (4, 30)])
    expect("tree size shrinks", notes=bad, index=5, reason="shrank")
    bad = signed_chain([(0, 10), (5, 20), (16, 20)])
    expect("checkpoint time not increasing", notes=bad, index=5, reason="time")
    bad = signed_chain([(5, 20), (16, 40)])[1:]
    expect("first checkpoint with a prev hash", notes=bad, index=0, reason="prev")
    bad = good_notes[:2] + good_notes[3:]
    expect("checkpoint removed from the chain", notes=bad, index=5, reason="prev")
    bad = signed_chain([(0, 10), (21, 20)])
    expect("checkpoint beyond the exported entries", notes=bad, index=0, reason="exceeds")


def fix_entry(tenant: str, entries, i: int):
    """Recomputes entry i's leaf_bytes and leaf_hash from its listed fields,
    as a forger with write access to the rows would (self-tests only)."""
    e = entries[i]
    fields = {"tenant_id": uuid_bytes(tenant, "t"), "leaf_index": e["leaf_index"],
              "subject_id": uuid_bytes(e["subject_id"], "s"), "subject_seq": e["subject_seq"],
              "subject_prev": bytes.fromhex(e["subject_prev"]), "event_type": e["event_type"],
              "actor": e["actor"], "occurred_at_us": e["occurred_at_us"],
              "recorded_at_us": e["recorded_at_us"], "payload_digest": bytes.fromhex(e["payload_digest"])}
    data = encode_leaf(fields)
    e["leaf_bytes"] = b64encode(data)
    e["leaf_hash"] = leaf_hash(data).hex()


def cmd_selftest(_args) -> int:
    t = Tap()
    _selftest_merkle(t)
    _selftest_ed25519(t)
    _selftest_jcs(t)
    _selftest_leaf(t)
    _selftest_checkpoint(t)
    _selftest_export(t)
    return t.finish()


# ---------------------------------------------------------------------------
# Commands.
# ---------------------------------------------------------------------------

def _parse_key_args(values) -> list:
    keys = []
    for value in values or []:
        name, sep, b64 = value.rpartition(":")
        if not sep or not _KEY_NAME_RE.fullmatch(name):
            raise VerifyError(f"--key {value!r}: expected NAME:BASE64")
        public_key = b64decode_strict(b64, f"--key {name}")
        if len(public_key) != 32 or ed_decode_point(public_key) is None:
            raise VerifyError(f"--key {name}: not an Ed25519 public key")
        keys.append((name, public_key))
    return keys


def cmd_log(args) -> int:
    try:
        keys = _parse_key_args(args.key) if args.key else None
        export = load_export(args.export)
    except VerifyError as e:
        print(f"FAIL first_bad_index=0 reason={e}")
        return 1
    failures = verify_export(export, trusted_keys=keys)
    if failures:
        index, reason = failures[0]
        print(f"FAIL first_bad_index={index} reason={reason}")
        return 1
    return 0


def cmd_pack(args) -> int:
    try:
        keys = _parse_key_args(args.key) if args.key else None
        pack = load_export(args.pack)
        notes = []
        for path in args.trusted_checkpoint or []:
            with open(path, "rb") as f:
                notes.append(f.read())
    except (VerifyError, OSError) as e:
        print(f"FAIL first_bad_index=0 reason={e}")
        return 1
    failures = verify_pack(pack, trusted_keys=keys, trusted_notes=notes)
    if failures:
        index, reason = failures[0]
        print(f"FAIL first_bad_index={index} reason={reason}")
        return 1
    return 0


def cmd_checkpoint(args) -> int:
    try:
        keys = _parse_key_args(args.key)
        if args.file == "-":
            note = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                note = f.read()
        body, signer = verify_signed_note(note, keys)
        cp = parse_checkpoint_body(body)
        if args.tenant and cp["tenant"] != args.tenant.lower():
            raise VerifyError(f"origin names tenant {cp['tenant']}, not {args.tenant.lower()}")
    except (VerifyError, OSError) as e:
        print(f"FAIL reason={e}")
        return 1
    prev = "-" if cp["prev"] is None else cp["prev"].hex()
    print(f"OK tenant={cp['tenant']} size={cp['size']} root={cp['root'].hex()} time={cp['time']} "
          f"prev={prev} signed_by={signer}")
    return 0


def _hex_block(data: bytes, width: int = 64) -> str:
    h = data.hex()
    return "\n".join(h[i:i + width] for i in range(0, len(h), width))


def cmd_kat(_args) -> int:
    entries = build_entries(KAT_TENANT, KAT_EVENTS)
    tree = entries_tree(entries)
    out = ["### Known-answer vectors: two events of one subject", "",
           "Computed by `test/verifier/compmap_verify.py kat`.  Tenant "
           f"`{KAT_TENANT}`, subject `{KAT_SUBJECT}`.", ""]
    for e, event in zip(entries, KAT_EVENTS):
        payload = parse_json_strict(event[5])
        canon = jcs_bytes(payload)
        prev = "32 zero bytes" if e["subject_seq"] == 1 else "leaf hash of leaf 0"
        out += [f"#### Leaf {e['leaf_index']}", "",
                f"* event_type `{e['event_type']}`, actor `{e['actor']}`, "
                f"occurred_at_us `{e['occurred_at_us']}`, recorded_at_us `{e['recorded_at_us']}`, "
                f"subject_seq `{e['subject_seq']}`, subject_prev = {prev}",
                f"* payload as given: `{event[5]}`",
                f"* JCS(payload): `{canon.decode('utf-8')}`",
                f"* JCS(payload), UTF-8 hex: `{canon.hex()}`",
                f"* payload_digest: `{e['payload_digest']}`",
                "* leaf_bytes (hex, " + str(len(base64.b64decode(e['leaf_bytes']))) + " bytes):", "",
                "```", _hex_block(base64.b64decode(e["leaf_bytes"])), "```", "",
                f"* leaf_hash: `{e['leaf_hash']}`", ""]
    root = tree.root(2)
    body = kat_checkpoint_body()
    pk = ed25519_public_key(RFC8032_TEST1_SECRET)
    note = sign_note(body, KAT_KEY_NAME, RFC8032_TEST1_SECRET)
    out += ["#### Tree", "",
            f"* root of size 2 = H(0x01 ‖ leaf_hash 0 ‖ leaf_hash 1): `{root.hex()}`",
            f"* the same in base64: `{b64encode(root)}`",
            f"* inclusion proof of leaf 1 in size 2: [`{tree.inclusion_proof(1, 2)[0].hex()}`]",
            "",
            "#### Checkpoint", "",
            f"First checkpoint of this log at time {KAT_CHECKPOINT_TIME}, signed with the RFC 8032 "
            f"§7.1 TEST 1 key (public test data, never a real key) under the key name `{KAT_KEY_NAME}`:",
            "",
            f"* public key (base64): `{b64encode(pk)}`",
            f"* key id: `{key_id(KAT_KEY_NAME, pk).hex()}`",
            f"* H(body), the next checkpoint's `prev`: `{b64encode(sha256(body))}`",
            "", "```", note.decode("utf-8").rstrip("\n"), "```"]
    print("\n".join(out))
    return 0


def cmd_example(args) -> int:
    if args.what == "body":
        sys.stdout.buffer.write(kat_checkpoint_body())
        return 0
    if args.what == "note":
        sys.stdout.buffer.write(sign_note(kat_checkpoint_body(), KAT_KEY_NAME, RFC8032_TEST1_SECRET))
        return 0
    if len(args.rest) != 3:
        print("usage: compmap_verify.py example export SIGNED_NOTE_FILE KEY_NAME PUBKEY_BASE64", file=sys.stderr)
        return 2
    note_file, key_name, public_key = args.rest
    with open(note_file, "r", encoding="utf-8", newline="") as f:
        note = f.read()
    export = make_export(KAT_TENANT, build_entries(KAT_TENANT, KAT_EVENTS), [note], [])
    export["public_keys"] = [{"key_name": key_name, "public_key": public_key}]
    print(json.dumps(export, indent=2, ensure_ascii=False))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Independent verifier for compmap's evidence log.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("selftest", help="run the built-in known-answer and negative tests")
    p = sub.add_parser("log", help="verify an exported log")
    p.add_argument("export", help="export JSON file")
    p.add_argument("--key", action="append", metavar="NAME:BASE64",
                   help="trust only this key (repeatable) instead of the export's public_keys")
    p = sub.add_parser("pack", help="verify an auditor pack (one finding's evidence)")
    p.add_argument("pack", help="auditor pack JSON file")
    p.add_argument("--key", action="append", metavar="NAME:BASE64",
                   help="trust only this key (repeatable) instead of the key the pack names")
    p.add_argument("--trusted-checkpoint", action="append", metavar="FILE",
                   help="a signed checkpoint you already hold; the pack must prove it is extended")
    p = sub.add_parser("checkpoint", help="verify one signed checkpoint note")
    p.add_argument("file", help="signed note file, or - for stdin")
    p.add_argument("--key", action="append", required=True, metavar="NAME:BASE64")
    p.add_argument("--tenant", help="require the origin to name this tenant")
    sub.add_parser("kat", help="print known-answer vectors as markdown")
    p = sub.add_parser("example", help="the KAT log's checkpoint body, its note signed with the "
                       "RFC 8032 TEST 1 key, or an export of the KAT log around a given signed note")
    p.add_argument("what", choices=["body", "note", "export"])
    p.add_argument("rest", nargs="*")
    args = parser.parse_args(argv)
    handlers = {"selftest": cmd_selftest, "log": cmd_log, "pack": cmd_pack, "checkpoint": cmd_checkpoint,
                "kat": cmd_kat, "example": cmd_example}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
