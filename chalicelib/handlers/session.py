"""The officer's browser session: the Cognito ID token in an HttpOnly cookie, plus CSRF.

Why a cookie and not sessionStorage: a token in sessionStorage is readable by any
script that runs on the page, so one XSS hole hands an attacker the officer's
powers for an hour. An HttpOnly cookie is never readable by scripts, and the
officer pages then work without JavaScript too (server-rendered forms).

A cookie is sent by the browser on its own, so every state-changing request that
relies on it must prove it came from our page (CSRF). The proof is a token derived
from the session itself, HMAC(secret, "csrf:" + sha256(ID token)): stateless,
different for every session, useless to anyone who cannot read our pages. Forms
carry it in a hidden field `csrf`, scripts in the `X-CSRF-Token` header. The cookie
is also `SameSite=Lax` (a cross-site POST never carries it; a link in an alert email
still opens the report) and `Secure` with the `__Host-` prefix whenever the site is
served over HTTPS.

The sign-in form itself is protected against login CSRF (an attacker signing the
victim into the attacker's account) with a pre-session nonce cookie and its HMAC.
The first-sign-in form (a new password in place of the temporary one) carries the
Cognito challenge session and the username in hidden fields; its CSRF token is the
HMAC of the pre-session nonce together with both, so neither can be swapped either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping

from chalice.app import Request

from chalicelib.config import Settings
from chalicelib.handlers.http import HttpProblem

SESSION = "crm_sesi"
PRE_SESSION = "crm_pra"
LANGUAGE = "crm_lang"
PRE_SESSION_SECONDS = 30 * 60
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def cookies(request: Request) -> dict[str, str]:
    """The request's cookies; malformed pairs are skipped, never an error."""
    jar: dict[str, str] = {}
    for part in (request.headers.get("cookie") or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in jar:
            jar[name] = value.strip().strip('"')
    return jar


def secure(settings: Settings) -> bool:
    return settings.public_base_url.startswith("https://")


def cookie_name(settings: Settings, base: str) -> str:
    # __Host-: the browser accepts it only Secure, for Path=/ and without Domain.
    return f"__Host-{base}" if secure(settings) else base


def set_cookie(settings: Settings, base: str, value: str, max_age: int, *,
               http_only: bool = True) -> str:
    parts = [f"{cookie_name(settings, base)}={value}", "Path=/", f"Max-Age={max_age}",
             "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if secure(settings):
        parts.append("Secure")
    return "; ".join(parts)


def clear_cookie(settings: Settings, base: str) -> str:
    return set_cookie(settings, base, "", 0)


def read_cookie(request: Request, settings: Settings, base: str) -> str | None:
    return cookies(request).get(cookie_name(settings, base)) or None


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def csrf_token(settings: Settings, session_token: str) -> str:
    fingerprint = hashlib.sha256(session_token.encode()).hexdigest()
    return _mac(settings.token_secret, "csrf", fingerprint)


def csrf_ok(settings: Settings, session_token: str | None, presented: str | None) -> bool:
    if not session_token or not presented:
        return False
    # Bytes: compare_digest raises on str with non-ASCII characters.
    return hmac.compare_digest(csrf_token(settings, session_token).encode(), presented.encode())


def new_pre_session() -> str:
    return secrets.token_urlsafe(18)


def login_csrf(settings: Settings, nonce: str) -> str:
    return _mac(settings.token_secret, "login", nonce)


def login_csrf_ok(settings: Settings, nonce: str | None, presented: str | None) -> bool:
    if not nonce or not presented:
        return False
    return hmac.compare_digest(login_csrf(settings, nonce).encode(), presented.encode())


def new_password_csrf(settings: Settings, nonce: str, username: str,
                      challenge_session: str) -> str:
    bound = hashlib.sha256(json.dumps([nonce, username, challenge_session]).encode()).hexdigest()
    return _mac(settings.token_secret, "new-password", bound)


def new_password_csrf_ok(settings: Settings, nonce: str | None, username: str,
                         challenge_session: str, presented: str | None) -> bool:
    if not nonce or not presented:
        return False
    expected = new_password_csrf(settings, nonce, username, challenge_session)
    return hmac.compare_digest(expected.encode(), presented.encode())


def session_authorization(request: Request, settings: Settings) -> str | None:
    """An `Authorization` value from the session cookie, for the officer JSON API.

    Reads (GET) need only the cookie; anything else also needs `X-CSRF-Token`.
    Returns None when there is no usable session (the API then answers 401); raises
    a 403 `HttpProblem` when a cookie came without its CSRF proof.
    """
    token = read_cookie(request, settings, SESSION)
    if token is None:
        return None
    if request.method.upper() not in SAFE_METHODS and not csrf_ok(
            settings, token, request.headers.get("x-csrf-token")):
        raise csrf_refused()
    return f"Bearer {token}"


def csrf_refused() -> HttpProblem:
    return HttpProblem(
        403, "csrf_tidak_sah",
        "Permintaan ditolak: token keamanan (CSRF) tidak ada atau tidak sah. Muat ulang halaman.",
        "Request refused: the security (CSRF) token is missing or invalid. Reload the page.")


def form_value(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name) or []
    return values[-1] if values else None
