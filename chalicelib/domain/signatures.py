"""Proof that a webhook came from the platform that claims to have sent it.

Three HMAC-SHA256 schemes, all over the raw request body as received (re-serialised
JSON would not match):
- partners (JAKI, LAPOR!): `X-CRM-Signature: sha256=<hex>` of "<timestamp>.<body>", with
  `X-CRM-Timestamp` (unix seconds) no more than 5 minutes off, so a captured request
  cannot be replayed later (within the window a replay only finds the same ticket);
- X Account Activity API: `x-twitter-webhooks-signature: sha256=<base64>` of the body, and
  the same construction over `crc_token` answers the CRC challenge;
- Meta Graph webhooks: `X-Hub-Signature-256: sha256=<hex>` of the body.

Every comparison is constant-time (`hmac.compare_digest`): a byte-by-byte compare would
let an attacker find a valid signature one character at a time from response times.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import StrEnum

PARTNER_WINDOW_SECONDS = 5 * 60
_PREFIX = "sha256="


class Verdict(StrEnum):
    OK = "ok"
    MISSING = "missing"  # no signature, timestamp or key id: the caller did not even try
    MALFORMED = "malformed"  # not in the scheme's format
    UNKNOWN_KEY = "unknown_key"
    STALE = "stale"  # timestamp outside the window: possibly a replay
    MISMATCH = "mismatch"  # forged, or signed with another secret, or the body was altered

    @property
    def accepted(self) -> bool:
        return self is Verdict.OK


def _digest(secret: bytes, message: bytes) -> bytes:
    return hmac.new(secret, message, hashlib.sha256).digest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def _check(expected: str, header: str | None) -> Verdict:
    if not header or not header.strip():
        return Verdict.MISSING
    header = header.strip()
    if not header.startswith(_PREFIX) or len(header) > 200:
        return Verdict.MALFORMED
    return Verdict.OK if _same(expected, header) else Verdict.MISMATCH


# -- partners ---------------------------------------------------------------------

def partner_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return _PREFIX + _digest(secret, timestamp.encode() + b"." + body).hex()


def verify_partner(secret: bytes, *, key_id: str | None, expected_key_id: str,
                   timestamp: str | None, signature: str | None, body: bytes,
                   now: float) -> Verdict:
    if not key_id or not timestamp or not signature:
        return Verdict.MISSING
    if not _same(expected_key_id, key_id.strip()):
        return Verdict.UNKNOWN_KEY
    stamp = timestamp.strip()
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return Verdict.MALFORMED
    if abs(now - int(stamp)) > PARTNER_WINDOW_SECONDS:
        return Verdict.STALE
    return _check(partner_signature(secret, stamp, body).lower(), signature.lower())


# -- X -----------------------------------------------------------------------------

def x_signature(secret: bytes, body: bytes) -> str:
    return _PREFIX + base64.b64encode(_digest(secret, body)).decode()


def x_crc_response(secret: bytes, crc_token: str) -> str:
    """The `response_token` X expects back for a CRC challenge."""
    return x_signature(secret, crc_token.encode())


def verify_x(secret: bytes, header: str | None, body: bytes) -> Verdict:
    return _check(x_signature(secret, body), header)


# -- Meta --------------------------------------------------------------------------

def meta_signature(secret: bytes, body: bytes) -> str:
    return _PREFIX + _digest(secret, body).hex()


def verify_meta(secret: bytes, header: str | None, body: bytes) -> Verdict:
    return _check(meta_signature(secret, body), header.lower() if header else header)
