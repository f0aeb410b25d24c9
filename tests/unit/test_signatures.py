"""Webhook signatures: partner HMAC with a 5-minute window, X, Meta; constant-time."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import signatures
from chalicelib.domain.signatures import (
    Verdict,
    meta_signature,
    partner_signature,
    verify_meta,
    verify_partner,
    verify_x,
    x_crc_response,
    x_signature,
)

SECRET = b"partner-secret"
BODY = b'{"id":"JAKI-1","text":"Jalan rusak"}'
NOW = 1_795_748_400


def partner(body=BODY, *, stamp=NOW, key_id="jaki", signature=None, now=NOW, secret=SECRET):
    stamp = str(stamp) if stamp is not None else None
    if signature is None and stamp is not None:
        signature = "sha256=" + hmac.new(SECRET, f"{stamp}.".encode() + BODY,
                                         hashlib.sha256).hexdigest()
    return verify_partner(secret, key_id=key_id, expected_key_id="jaki", timestamp=stamp,
                          signature=signature, body=body, now=now)


def test_a_partner_signature_made_as_documented_is_accepted():
    assert partner() is Verdict.OK
    assert partner_signature(SECRET, str(NOW), BODY) == "sha256=" + hmac.new(
        SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("offset, verdict", [
    (0, Verdict.OK), (300, Verdict.OK), (-300, Verdict.OK),
    (301, Verdict.STALE), (-301, Verdict.STALE), (86_400, Verdict.STALE),
])
def test_the_timestamp_must_be_within_five_minutes_either_way(offset, verdict):
    assert partner(now=NOW + offset) is verdict


def test_partner_rejections_say_why():
    assert partner(body=BODY + b" ") is Verdict.MISMATCH
    assert partner(secret=b"another secret") is Verdict.MISMATCH
    assert partner(key_id="lapor") is Verdict.UNKNOWN_KEY
    assert partner(key_id=None) is Verdict.MISSING
    assert partner(signature="") is Verdict.MISSING
    assert partner(stamp=None, signature="sha256=00") is Verdict.MISSING
    assert partner(stamp="17957484OO", signature="sha256=00") is Verdict.MALFORMED
    assert partner(signature="md5=abc") is Verdict.MALFORMED


def test_the_hex_digest_may_come_in_upper_case():
    upper = partner_signature(SECRET, str(NOW), BODY).upper().replace("SHA256=", "sha256=")
    assert partner(signature=upper) is Verdict.OK


def test_x_crc_response_is_the_documented_base64_hmac_of_the_token():
    expected = base64.b64encode(hmac.new(b"consumer", b"crc-123", hashlib.sha256).digest())
    assert x_crc_response(b"consumer", "crc-123") == "sha256=" + expected.decode()


def test_x_deliveries_are_checked_against_the_base64_signature():
    header = x_signature(b"consumer", BODY)
    assert verify_x(b"consumer", header, BODY) is Verdict.OK
    assert verify_x(b"consumer", header, BODY + b"x") is Verdict.MISMATCH
    assert verify_x(b"other", header, BODY) is Verdict.MISMATCH
    assert verify_x(b"consumer", None, BODY) is Verdict.MISSING
    assert verify_x(b"consumer", header.replace("sha256=", ""), BODY) is Verdict.MALFORMED


def test_meta_deliveries_are_checked_against_the_hex_signature():
    header = "sha256=" + hmac.new(b"app-secret", BODY, hashlib.sha256).hexdigest()
    assert meta_signature(b"app-secret", BODY) == header
    assert verify_meta(b"app-secret", header, BODY) is Verdict.OK
    assert verify_meta(b"app-secret", header.upper().replace("SHA256", "sha256"),
                       BODY) is Verdict.OK
    assert verify_meta(b"app-secret", "sha256=" + "0" * 64, BODY) is Verdict.MISMATCH
    assert verify_meta(b"app-secret", "sha1=abc", BODY) is Verdict.MALFORMED
    assert verify_meta(b"app-secret", "", BODY) is Verdict.MISSING


def test_non_ascii_garbage_in_a_header_is_a_mismatch_not_a_crash():
    assert verify_meta(b"k", "sha256=ünïcødé", BODY) is Verdict.MISMATCH
    assert verify_x(b"k", "sha256=\udcff", BODY) is Verdict.MISMATCH


def test_every_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(signatures.hmac, "compare_digest", spy)
    partner()
    verify_x(b"k", x_signature(b"k", BODY), BODY)
    verify_meta(b"k", meta_signature(b"k", BODY), BODY)
    assert len(calls) == 4  # partner key id + partner signature + X + Meta


@given(body=st.binary(max_size=512), secret=st.binary(min_size=1, max_size=64),
       position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_change_to_a_signed_body_is_caught(body, secret, position, flip):
    x_header, meta_header = x_signature(secret, body), meta_signature(secret, body)
    assert verify_x(secret, x_header, body) is Verdict.OK
    assert verify_meta(secret, meta_header, body) is Verdict.OK
    if body:
        index = position % len(body)
        changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1:]
        assert verify_x(secret, x_header, changed) is Verdict.MISMATCH
        assert verify_meta(secret, meta_header, changed) is Verdict.MISMATCH
