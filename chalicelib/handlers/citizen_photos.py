"""A reporter's photos: a presigned upload form, then recording the uploaded photo."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.http import api, json_response, read_body
from chalicelib.services import citizen_photos
from chalicelib.services.deps import default_deps

bp = Blueprint(__name__)


def _token() -> str | None:
    return (bp.current_request.query_params or {}).get("token")


@bp.route("/reports/{ticket}/photos", methods=["POST"], content_types=["application/json"])
@api
def citizen_photo_presign(ticket: str) -> Response:
    body = read_body(bp.current_request)
    return json_response(citizen_photos.presign(default_deps(), ticket, _token(), body), 201)


@bp.route("/reports/{ticket}/photos/attach", methods=["POST"],
          content_types=["application/json"])
@api
def citizen_photo_attach(ticket: str) -> Response:
    body = read_body(bp.current_request)
    return json_response(citizen_photos.attach(default_deps(), ticket, _token(), body))
