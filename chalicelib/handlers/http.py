"""HTTP plumbing shared by every route: body parsing, bilingual errors, JSON responses."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from chalice import Response
from chalice.app import Request

from chalicelib.adapters.store import StoreUnavailable
from chalicelib.domain.errors import DomainError

log = logging.getLogger("crm.http")

MAX_BODY_BYTES = 1_000_000
_STATUS_BY_KIND = {"invalid": 400, "conflict": 409, "not_found": 404, "forbidden": 403,
                   "unauthenticated": 401, "too_many": 429, "unavailable": 503, "gone": 410}


class HttpProblem(Exception):
    """An error answered before any business rule ran (size, encoding, syntax)."""

    def __init__(self, status: int, code: str, message_id: str, message_en: str,
                 field: str | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code, self.field = status, code, field
        self.message_id, self.message_en = message_id, message_en


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def problem(status: int, code: str, message_id: str, message_en: str,
            errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None,
            details: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {
        "error": code,
        "message": f"{message_id} / {message_en}",
        "message_id": message_id,
        "message_en": message_en,
    }
    if errors:
        body["errors"] = errors
    # Extra fields never replace the standard ones.
    body.update({k: v for k, v in (details or {}).items() if k not in body})
    return json_response(body, status, headers)


def read_body(request: Request) -> dict[str, Any]:
    """The request body as a dict, from JSON or a form post; never more than 1 MB."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise HttpProblem(413, "terlalu_besar",
                          f"Isi permintaan melebihi batas {MAX_BODY_BYTES // 1_000_000} MB.",
                          f"The request body exceeds the {MAX_BODY_BYTES // 1_000_000} MB limit.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpProblem(400, "encoding_tidak_sah", "Isi permintaan harus UTF-8.",
                          "The request body must be UTF-8.", "body") from None
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
    try:
        body = json.loads(text)
    except ValueError:
        raise HttpProblem(400, "json_tidak_sah", "Isi permintaan bukan JSON yang sah.",
                          "The request body is not valid JSON.", "body") from None
    except RecursionError:  # e.g. a megabyte of "[": nesting deeper than any real form
        raise HttpProblem(400, "json_terlalu_dalam", "JSON bersarang terlalu dalam.",
                          "The JSON is nested too deeply.", "body") from None
    if not isinstance(body, dict):
        raise HttpProblem(400, "json_tidak_sah", "Isi permintaan harus berupa objek JSON.",
                          "The request body must be a JSON object.", "body")
    return body


def api(view: Callable[..., Response]) -> Callable[..., Response]:
    """Map domain and infrastructure errors to clear HTTP answers (Bahasa Indonesia + English)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except HttpProblem as exc:
            errors = ([{"field": exc.field, "message_id": exc.message_id,
                        "message_en": exc.message_en}] if exc.field else None)
            return problem(exc.status, exc.code, exc.message_id, exc.message_en, errors)
        except DomainError as exc:
            errors = [{"field": p.field, "message_id": p.message_id, "message_en": p.message_en}
                      for p in exc.problems]
            headers = {}
            if exc.kind == "unauthenticated":
                headers["WWW-Authenticate"] = 'Bearer realm="crm"'
            if getattr(exc, "retry_after_seconds", 0):
                headers["Retry-After"] = str(exc.retry_after_seconds)
            return problem(_STATUS_BY_KIND.get(exc.kind, 400), exc.code, exc.message_id,
                           exc.message_en, errors or None, headers, exc.details)
        except StoreUnavailable as exc:
            log.warning("store unavailable", exc_info=True)
            retry = {"Retry-After": str(StoreUnavailable.retry_after_seconds)}
            if exc.maybe_written:
                return problem(
                    503, "layanan_terganggu",
                    "Layanan sedang terganggu; kiriman Anda mungkin sudah tersimpan. Kirim "
                    "ulang kiriman yang sama (dengan Idempotency-Key yang sama) sebentar lagi: "
                    "Anda akan mendapat nomor tiket yang sama, bukan laporan ganda.",
                    "The service is failing; what you sent may have been saved. Send the same "
                    "request again shortly (with the same Idempotency-Key): you will get the "
                    "same ticket, not a duplicate report.",
                    headers=retry)
            return problem(
                503, "layanan_sibuk",
                "Layanan sedang sibuk; kiriman Anda belum diproses dan tidak ada yang "
                "tersimpan. Coba lagi sebentar lagi.",
                "The service is busy; your request was not processed and nothing was saved. "
                "Please try again shortly.",
                headers=retry)

    return wrapped
