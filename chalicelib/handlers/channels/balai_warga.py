"""Balai Warga: the public complaint form on jakarta.go.id (JSON or form-encoded)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.http import api, json_response, read_body
from chalicelib.services.deps import default_deps
from chalicelib.services.intake import file_report

CHANNEL = "balai-warga"
bp = Blueprint(__name__)


@bp.route(f"/channels/{CHANNEL}", methods=["POST"],
          content_types=["application/json", "application/x-www-form-urlencoded"])
@api
def balai_warga() -> Response:
    request = bp.current_request
    body = read_body(request)
    # A form resubmitted after a lost answer carries the same key and gets the same ticket.
    idempotency_key = (request.headers.get("idempotency-key") or "").strip()[:128] or None
    filed = file_report(default_deps(), body, channel=CHANNEL, external_id=idempotency_key)
    return json_response(
        {"ticket": filed.ticket, "tracking_token": filed.tracking_token, "status": filed.status},
        201 if filed.created else 200,
    )
