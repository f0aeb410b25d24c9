"""The officer's browser session helpers: cookies, CSRF tokens, the catalogue."""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib.config import settings
from chalicelib.handlers import session
from chalicelib.handlers.http import HttpProblem
from chalicelib.ui_text import Translator


class FakeRequest:
    def __init__(self, method: str = "GET", **headers: str) -> None:
        self.method = method
        self.headers = {k.replace("_", "-").lower(): v for k, v in headers.items()}


def test_csrf_tokens_are_bound_to_the_session():
    config = settings()
    token = session.csrf_token(config, "id-token-a")
    assert session.csrf_ok(config, "id-token-a", token)
    assert not session.csrf_ok(config, "id-token-b", token)
    assert not session.csrf_ok(config, "id-token-a", None)
    assert not session.csrf_ok(config, None, token)
    assert not session.csrf_ok(config, "id-token-a", "ñ-not-ascii")  # False, not a TypeError


def test_cookies_over_https_are_secure_and_host_prefixed():
    config = dataclasses.replace(settings(), public_base_url="https://crm.jakarta.go.id")
    cookie = session.set_cookie(config, session.SESSION, "jwt", 3600)
    assert cookie.startswith("__Host-crm_sesi=jwt;")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    local = session.set_cookie(settings(), session.SESSION, "jwt", 3600)
    assert local.startswith("crm_sesi=jwt;") and "Secure" not in local


def test_malformed_cookie_headers_are_tolerated():
    request = FakeRequest(cookie='a=1; broken; crm_sesi="t"; =x; crm_sesi=second')
    assert session.cookies(request) == {"a": "1", "crm_sesi": "t"}


def test_the_api_takes_the_cookie_for_reads_and_needs_csrf_for_changes():
    config = settings()
    read = FakeRequest("GET", cookie="crm_sesi=jwt")
    assert session.session_authorization(read, config) == "Bearer jwt"
    with pytest.raises(HttpProblem) as refused:
        session.session_authorization(FakeRequest("POST", cookie="crm_sesi=jwt"), config)
    assert refused.value.status == 403
    good = FakeRequest("POST", cookie="crm_sesi=jwt",
                       x_csrf_token=session.csrf_token(config, "jwt"))
    assert session.session_authorization(good, config) == "Bearer jwt"
    assert session.session_authorization(FakeRequest("POST"), config) is None


def test_login_csrf_needs_the_pre_session_nonce():
    config = settings()
    nonce = session.new_pre_session()
    assert session.login_csrf_ok(config, nonce, session.login_csrf(config, nonce))
    assert not session.login_csrf_ok(config, "other", session.login_csrf(config, nonce))


def test_the_new_password_form_binds_its_hidden_fields_to_the_pre_session():
    config = settings()
    nonce = session.new_pre_session()
    token = session.new_password_csrf(config, nonce, "lurah.baru", "cognito-session")
    assert session.new_password_csrf_ok(config, nonce, "lurah.baru", "cognito-session", token)
    for nonce_, user, sess in ((session.new_pre_session(), "lurah.baru", "cognito-session"),
                               (nonce, "lurah.gambir", "cognito-session"),
                               (nonce, "lurah.baru", "another-session"),
                               (None, "lurah.baru", "cognito-session")):
        assert not session.new_password_csrf_ok(config, nonce_, user, sess, token)
    assert not session.new_password_csrf_ok(config, nonce, "lurah.baru", "cognito-session", "ñ")
    # not interchangeable with the sign-in form's token
    assert not session.login_csrf_ok(config, nonce, token)


def test_the_translator_fills_placeholders_and_fails_on_unknown_keys():
    t = Translator("en")
    assert t("antrian.sisa", waktu="5 min") == "5 min left"
    assert Translator("fr").lang == "id"
    with pytest.raises(KeyError):
        t("tidak.ada")
    assert t.pick("Halo", "Hello") == "Hello" and Translator("id").pick("Halo", None) == "Halo"


def test_a_non_ascii_tracking_token_is_refused_not_a_crash():
    from chalicelib.domain.tracking import token_matches, tracking_token

    secret = b"s"
    assert token_matches(secret, "K7Q4-M9XD", tracking_token(secret, "K7Q4-M9XD"))
    assert not token_matches(secret, "K7Q4-M9XD", "ñ")
