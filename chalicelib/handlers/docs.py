"""GET /openapi.json: the OpenAPI 3.1 document of the JSON APIs (chalicelib/openapi.py)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.http import json_response
from chalicelib.openapi import document

bp = Blueprint(__name__)


@bp.route("/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    return json_response(document(), headers={"Cache-Control": "public, max-age=300"})
