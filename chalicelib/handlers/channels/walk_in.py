"""Walk-in channels: an officer records a citizen's complaint made at their office
(kantor kelurahan, kecamatan, wali kota, Balai Kota, Inspektorat)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.officers import Officer
from chalicelib.handlers.auth import officer_route
from chalicelib.handlers.http import json_response, read_body
from chalicelib.services.deps import default_deps
from chalicelib.services.officer_work import record_walk_in

bp = Blueprint(__name__)


@bp.route("/channels/{channel_id}", methods=["POST"],
          content_types=["application/json", "application/x-www-form-urlencoded"])
@officer_route(bp)
def walk_in(officer: Officer, channel_id: str) -> Response:
    request = bp.current_request
    key = (request.headers.get("idempotency-key") or "").strip()[:128] or None
    filed = record_walk_in(default_deps(), officer, channel_id, read_body(request), key)
    return json_response(
        {"ticket": filed.ticket, "tracking_token": filed.tracking_token, "status": filed.status},
        201 if filed.created else 200)
