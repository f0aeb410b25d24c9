"""What the webhook handlers of external channels share: size limit, signature verdicts,
JSON parsing, answers, and the registry rows each payload format serves."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.channel_config import NotConfigured
from chalicelib.domain.channels import Channel
from chalicelib.domain.signatures import Verdict
from chalicelib.handlers.http import MAX_BODY_BYTES, HttpProblem, api, json_response, problem
from chalicelib.registry import registry
from chalicelib.services import channel_outbox  # noqa: F401  (registers its stream processors)

log = logging.getLogger("crm.channels")


def channels_with_payload(*formats: str) -> list[Channel]:
    """The registry rows whose platform payload is one of `formats`."""
    return [c for c in registry().channels.values() if c.payload in formats]


def route_name(prefix: str, channel: Channel) -> str:
    return f"{prefix}_{channel.id.replace('-', '_')}"


def raw_body(request: Request) -> bytes:
    """The body exactly as sent (signatures are over these bytes), at most 1 MB."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise HttpProblem(413, "terlalu_besar",
                          f"Isi permintaan melebihi batas {MAX_BODY_BYTES // 1_000_000} MB.",
                          f"The request body exceeds the {MAX_BODY_BYTES // 1_000_000} MB limit.")
    return raw


def require_signature(verdict: Verdict, channel: Channel) -> None:
    """401 when the caller did not sign, 403 when the signature is wrong or stale."""
    if verdict.accepted:
        return
    log.warning("channel %s: delivery rejected, signature %s", channel.id, verdict)
    if verdict is Verdict.MISSING:
        raise HttpProblem(401, "tanda_tangan_tidak_ada",
                          "Permintaan tidak bertanda tangan.", "The request is not signed.")
    reasons = {
        Verdict.STALE: ("Stempel waktu permintaan di luar batas 5 menit.",
                        "The request timestamp is more than 5 minutes off."),
        Verdict.UNKNOWN_KEY: ("Id kunci tidak dikenal.", "Unknown key id."),
    }
    message_id, message_en = reasons.get(verdict, ("Tanda tangan permintaan tidak sah.",
                                                   "The request signature is not valid."))
    raise HttpProblem(403, "tanda_tangan_tidak_sah", message_id, message_en)


def json_payload(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HttpProblem(400, "json_tidak_sah", "Isi permintaan bukan JSON yang sah.",
                          "The request body is not valid JSON.", "body") from None


def webhook(view: Callable[..., Response]) -> Callable[..., Response]:
    """`api`, plus: a channel whose secret is missing in a deployed stage answers 503."""

    @api
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except NotConfigured as exc:
            log.error("channel not configured: %s", exc)
            return problem(503, "kanal_belum_dikonfigurasi",
                           "Kanal ini belum dikonfigurasi.", "This channel is not configured.")

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def register(bp: Blueprint, path: str, methods: list[str], name: str,
             view: Callable[[], Response], content_types: list[str] | None = None) -> None:
    """Add a route for one registry row (views are built per row, never copied per row)."""
    view.__name__ = name
    bp.route(path, methods=methods, name=name,
             content_types=content_types or ["application/json"])(webhook(view))


def receipt_response(summary: dict[str, Any]) -> Response:
    """Platforms only need a quick 2xx; the body helps whoever reads delivery logs."""
    return json_response({"received": True, **summary}, 200)
