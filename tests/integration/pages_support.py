"""Helpers for page tests: forms, cookies, the officer's browser session."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from tests.integration.conftest import DEMO_PASSWORD

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def html(response: Any) -> str:
    return response.body.decode("utf-8")


def set_cookies(response: Any) -> dict[str, str]:
    """name -> value of every Set-Cookie of a chalice.test response."""
    raw = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    found = {}
    for header in raw if isinstance(raw, list) else [raw]:
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return match.group(1)


def post_form(client: Any, path: str, fields: dict[str, Any] | list[tuple[str, str]],
              cookies: dict[str, str] | None = None) -> Any:
    headers = dict(FORM)
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    return client.http.post(path, headers=headers, body=urlencode(fields, doseq=True))


def get(client: Any, path: str, cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None) -> Any:
    all_headers = dict(headers or {})
    if cookies:
        all_headers["Cookie"] = cookie_header(cookies)
    return client.http.get(path, headers=all_headers)


def sign_in(client: Any, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Sign in through the page as a browser does; returns the cookie jar."""
    login_page = client.http.get("/petugas")
    jar = set_cookies(login_page)
    answer = post_form(client, "/petugas/masuk", {
        "csrf": hidden(html(login_page), "csrf"), "username": username, "password": password,
        "next": "/petugas/laporan"}, jar)
    assert answer.status_code == 303, html(answer)
    jar.update(set_cookies(answer))
    return {k: v for k, v in jar.items() if v}


def csrf_of(page: str) -> str:
    return hidden(page, "csrf")
