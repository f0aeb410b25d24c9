"""Plumbing of the server-rendered pages: templates, language, security headers, errors.

Every page goes through `web_page` (or `officer_page` in pages_officer.py), which
- builds a `Page` with the request's language (`?lang=en` sticks in a cookie),
- renders Jinja2 templates with autoescaping on for every template,
- turns domain errors into a bilingual error page with the right status,
- adds the security headers (a strict Content-Security-Policy: no inline script or
  style anywhere, so all JS/CSS lives in /static files).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from chalice import Blueprint, Response
from chalice.app import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chalicelib.adapters.store import StoreUnavailable
from chalicelib.config import Settings
from chalicelib.domain.errors import DomainError
from chalicelib.domain.status import STATUS_COLOUR
from chalicelib.handlers import session
from chalicelib.handlers.http import _STATUS_BY_KIND, HttpProblem
from chalicelib.services.deps import Deps, default_deps
from chalicelib.ui_text import DEFAULT_LANGUAGE, LANGUAGES, Translator

log = logging.getLogger("crm.pages")

PACKAGE_DIR = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
HTML = "text/html; charset=utf-8"


# -- templates ---------------------------------------------------------------------------

@cache
def asset(path: str) -> str:
    """URL of a static file with its content hash, so it may be cached for a year."""
    try:
        digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    except OSError:
        digest = "missing"  # vendor files not built yet (`make vendor`)
    return f"/static/{path}?v={digest}"


@cache
def environment() -> Environment:
    """One Jinja2 environment per container: templates are parsed once, then cached."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # every template, whatever its name: escaping is never opt-in
        undefined=StrictUndefined,  # a misspelt variable fails loudly, not as blank text
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = asset
    env.globals["status_colour"] = {str(status): colour for status, colour in STATUS_COLOUR.items()}
    return env


# -- security headers --------------------------------------------------------------------

def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


_media_origin_cache: dict[tuple[str, str | None, str], tuple[str, ...]] = {}


def media_origins(deps: Deps) -> tuple[str, ...]:
    """Where photos are shown from and uploaded to (presigned S3 URLs).

    Computed from presigned URLs themselves (no network call), so it is exactly
    what the browser will be sent to: locally moto's endpoint, in AWS the bucket's host.
    """
    s = deps.settings
    key = (s.bucket, s.endpoint_url, s.region)
    if key not in _media_origin_cache:
        found = {_origin(deps.media.view_url("probe")),
                 _origin(deps.media.presign_upload("probe", "image/jpeg")["url"])}
        _media_origin_cache[key] = tuple(sorted(o for o in found if o))
    return _media_origin_cache[key]


def content_security_policy(media: tuple[str, ...]) -> str:
    extra = "".join(f" {origin}" for origin in media)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: blob:{extra}",
        f"connect-src 'self'{extra}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(deps: Deps) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(media_origins(deps)),
        "X-Content-Type-Options": "nosniff",
        # Tracking links carry the citizen's token: never leak it in a Referer.
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
        # Pages show private data (tokens, sessions): never store them in shared caches.
        "Cache-Control": "no-store",
    }
    if session.secure(deps.settings):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


# -- the page object ---------------------------------------------------------------------

def current_path(request: Request) -> str:
    """The request's path without the API Gateway stage prefix, from the route template."""
    path = request.path
    for name, value in (request.uri_params or {}).items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def language(request: Request, settings: Settings) -> tuple[str, bool]:
    """(language, chosen by this request)."""
    asked = (request.query_params or {}).get("lang")
    if asked in LANGUAGES:
        return asked, True
    remembered = session.read_cookie(request, settings, session.LANGUAGE)
    if remembered in LANGUAGES:
        return remembered, False
    return DEFAULT_LANGUAGE, False


@dataclass
class Page:
    request: Request
    deps: Deps
    lang: str
    t: Translator
    set_cookies: list[str] = field(default_factory=list)
    # Filled by officer pages: who is signed in and the CSRF token of their session.
    officer: Any = None
    csrf: str | None = None
    # A page rendered in answer to a POST (a form shown again with its errors): the GET
    # page the language toggle leads to, since the POST's own path has no GET.
    toggle_path: str | None = None

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query_params or {}

    def url(self, path: str, **params: str | None) -> str:
        """A path with query parameters (None values left out)."""
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{path}?{urlencode(clean)}" if clean else path

    def toggle_url(self) -> str:
        params = {k: v for k, v in self.query.items() if k != "lang"}
        params["lang"] = "en" if self.lang == "id" else "id"
        return self.url(self.toggle_path or current_path(self.request), **params)

    def response(self, body: str, status: int = 200,
                 headers: Mapping[str, str] | None = None) -> Response:
        all_headers: dict[str, Any] = {"Content-Type": HTML, **security_headers(self.deps),
                                       **(headers or {})}
        if self.set_cookies:
            all_headers["Set-Cookie"] = list(self.set_cookies)
        return Response(body=body, status_code=status, headers=all_headers)

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        html = environment().get_template(template).render(
            t=self.t, lang=self.lang, toggle_url=self.toggle_url(), officer=self.officer,
            csrf=self.csrf, path=current_path(self.request), **values)
        return self.response(html, status)

    def redirect(self, location: str) -> Response:
        # 303: after a POST the browser follows with a GET (no resubmission on reload).
        return self.response("", 303, {"Location": location})

    def error(self, status: int, message: str, problems: list[str] | None = None) -> Response:
        return self.render("error.html", status, message=message, problems=problems or [])

    def domain_error(self, exc: DomainError) -> Response:
        problems = [self.t.pick(p.message_id, p.message_en) for p in exc.problems]
        message = self.t.pick(exc.message_id, exc.message_en)
        return self.error(_STATUS_BY_KIND.get(exc.kind, 400), message,
                          [p for p in problems if p != message])


def make_page(request: Request) -> Page:
    deps = default_deps()
    lang, chosen = language(request, deps.settings)
    page = Page(request=request, deps=deps, lang=lang, t=Translator(lang))
    if chosen:
        page.set_cookies.append(session.set_cookie(
            deps.settings, session.LANGUAGE, lang, LANGUAGE_COOKIE_SECONDS))
    return page


def handle_errors(page: Page, call: Callable[[], Response]) -> Response:
    """Errors become pages a person can read, in their language, with the right status."""
    try:
        return call()
    except HttpProblem as exc:
        return page.error(exc.status, page.t.pick(exc.message_id, exc.message_en))
    except DomainError as exc:
        return page.domain_error(exc)
    except StoreUnavailable as exc:
        log.warning("store unavailable", exc_info=True)
        # The form carries its own key (`kunci`), so resending it never files twice.
        return page.error(503, page.t("galat.terganggu" if exc.maybe_written else "galat.sibuk"))


def web_page(blueprint: Blueprint) -> Callable[..., Callable[..., Response]]:
    """Wrap a page view: it receives a `Page` first."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            page = make_page(blueprint.current_request)
            return handle_errors(page, lambda: view(page, *args, **kwargs))

        return wrapped

    return decorate
