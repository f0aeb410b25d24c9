"""Open311 GeoReport v2 at /open311/v2/ (JSON and XML; the mapping is domain/open311.py).

    GET  /open311/v2/discovery.{json,xml}
    GET  /open311/v2/services.{json,xml}
    GET  /open311/v2/services/{service_code}.{json,xml}
    GET  /open311/v2/requests.{json,xml}     service_request_id, service_code, start_date,
                                             end_date (90 days at most), status, page,
                                             page_size, extensions=true (adds
                                             extended_attributes: channel, kelurahan,
                                             kelurahan_name, crm_status, duplicate_parent,
                                             supporters); a `Link: <...>; rel="next"`
                                             header says where the list continues
    POST /open311/v2/requests.{json,xml}     form-encoded, api_key required
    GET  /open311/v2/requests/{id}.{json,xml}
    GET  /open311/v2/tokens/{token}.{json,xml}

Errors are `[{"code", "description"}]` (XML `<errors><error>`) with 400, 403 or 404.
The format is the file suffix, so each resource is one route with a `{name}` parameter.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from chalice import Blueprint, Response

from chalicelib.adapters.store import StoreUnavailable
from chalicelib.domain import open311 as o311
from chalicelib.handlers.http import HttpProblem, read_body
from chalicelib.services import open311 as service
from chalicelib.services.deps import default_deps

log = logging.getLogger("crm.open311")
bp = Blueprint(__name__)
BASE = "/open311/v2"
PUBLIC_CACHE = {"Cache-Control": "public, max-age=60"}


def _answer(form: str, root: str, value: Any, status: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(value, ensure_ascii=False) if form == "json" else o311.to_xml(root, value)
    return Response(body=body, status_code=status,
                    headers={"Content-Type": o311.FORMATS[form], **(headers or {})})


def _guarded(form: str, build: Callable[[], Response]) -> Response:
    try:
        return build()
    except o311.Open311Error as exc:
        return _answer(form, "errors", exc.body(), exc.status)
    except HttpProblem as exc:
        return _answer(form, "errors", [{"code": exc.status, "description": exc.message_en}],
                       exc.status)
    except StoreUnavailable:
        log.warning("store unavailable", exc_info=True)
        return _answer(form, "errors", [{"code": 503, "description": "busy, retry shortly"}],
                       503, {"Retry-After": str(StoreUnavailable.retry_after_seconds)})


def _format_of(name: str, expected: str | None = None) -> tuple[str, str]:
    stem, form = o311.split_format(name)
    if expected is not None and stem != expected:
        raise o311.Open311Error(404, f"unknown resource {name!r}")
    return stem, form


def _suffix(name: str) -> str:
    """The format for error answers, before the name is known to be valid."""
    return "xml" if name.endswith(".xml") else "json"


def _params() -> dict[str, str]:
    return dict(bp.current_request.query_params or {})


def discovery(form: str) -> Response:
    base = default_deps().settings.public_base_url + BASE
    return _answer(form, "discovery", {
        "changeset": "2026-11-28T00:00:00+07:00",
        "contact": "Biro Pemerintahan Setda Provinsi DKI Jakarta, dki@jakarta.go.id",
        "key_service": "Kunci API dari Biro Pemerintahan / API keys from the Biro Pemerintahan",
        "endpoints": [{"specification": o311.SPEC_URL, "url": base,
                       "changeset": "2026-11-28T00:00:00+07:00", "type": "production",
                       "formats": ["application/json", "text/xml"]}],
    }, headers=PUBLIC_CACHE)


@bp.route(BASE, methods=["GET"])
def root() -> Response:
    return discovery("json")


@bp.route(BASE + "/{name}", methods=["GET"])
def collection(name: str) -> Response:
    def build() -> Response:
        stem, form = _format_of(name)
        deps = default_deps()
        if stem == "discovery":
            return discovery(form)
        if stem == "services":
            return _answer(form, "services", service.services(deps), headers=PUBLIC_CACHE)
        if stem == "requests":
            params = _params()
            listed = service.list_requests(deps, params)
            headers = dict(PUBLIC_CACHE)
            if listed.next_page is not None:  # RFC 8288: where the list continues
                following = urlencode({**params, **(listed.window or {}),
                                       "page": str(listed.next_page)})
                base = deps.settings.public_base_url + BASE
                headers["Link"] = f'<{base}/requests.{form}?{following}>; rel="next"'
            return _answer(form, "service_requests", listed.requests, headers=headers)
        raise o311.Open311Error(404, f"unknown resource {name!r}")

    return _guarded(_suffix(name), build)


FORM = "application/x-www-form-urlencoded"
# Bodies a client may wrongly send: accepted by the route only to be refused in Open311's
# error form (Chalice would answer its own 415 body, which Open311 clients cannot read).
OTHER_BODIES = ["application/json", "text/xml", "application/xml", "text/plain",
                "multipart/form-data"]


@bp.route(BASE + "/{name}", methods=["POST"], content_types=[FORM, *OTHER_BODIES])
def create(name: str) -> Response:
    def build() -> Response:
        _, form = _format_of(name, "requests")
        content_type = (bp.current_request.headers.get("content-type") or "").split(";")[0]
        if content_type.strip().lower() != FORM:
            raise o311.Open311Error(400, f"POST {name} takes a form-encoded body "
                                         f"(Content-Type: {FORM})")
        fields = {k: str(v) for k, v in read_body(bp.current_request).items()}
        return _answer(form, "service_requests", service.create_request(default_deps(), fields),
                       201)

    return _guarded(_suffix(name), build)


@bp.route(BASE + "/{name}", methods=["PUT", "PATCH", "DELETE"])
def not_allowed(name: str) -> Response:
    method = bp.current_request.method
    return _answer(_suffix(name), "errors", [
        {"code": 405, "description": f"{method} is not supported here: GET, or POST requests"}],
        405, {"Allow": "GET, POST"})


@bp.route(BASE + "/services/{name}", methods=["GET"])
def service_definition(name: str) -> Response:
    def build() -> Response:
        code, form = _format_of(name)
        return _answer(form, "service_definition",
                       service.service_definition(default_deps(), code), headers=PUBLIC_CACHE)

    return _guarded(_suffix(name), build)


@bp.route(BASE + "/requests/{name}", methods=["GET"])
def one_request(name: str) -> Response:
    def build() -> Response:
        request_id, form = _format_of(name)
        extensions = (_params().get("extensions") or "").lower() == "true"
        return _answer(form, "service_requests",
                       service.get_request(default_deps(), request_id, extensions),
                       headers=PUBLIC_CACHE)

    return _guarded(_suffix(name), build)


@bp.route(BASE + "/tokens/{name}", methods=["GET"])
def token(name: str) -> Response:
    def build() -> Response:
        value, form = _format_of(name)
        return _answer(form, "service_requests", service.token_lookup(default_deps(), value))

    return _guarded(_suffix(name), build)
