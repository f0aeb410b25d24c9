"""Public routes: health and report tracking."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.http import api, json_response, read_body
from chalicelib.services import duplicates
from chalicelib.services.deps import default_deps
from chalicelib.services.rating import rate_report
from chalicelib.services.tracking import track_report

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"])
def health() -> Response:
    return json_response({"status": "ok"})


@bp.route("/reports/{ticket}", methods=["GET"])
@api
def get_report(ticket: str) -> Response:
    token = (bp.current_request.query_params or {}).get("token")
    return json_response(track_report(default_deps(), ticket, token))


@bp.route("/reports/{ticket}/rating", methods=["POST"], content_types=["application/json"])
@api
def rate(ticket: str) -> Response:
    request = bp.current_request
    token = (request.query_params or {}).get("token")
    return json_response(rate_report(default_deps(), ticket, token, read_body(request)), 201)


@bp.route("/reports/{ticket}/support", methods=["POST"], content_types=["application/json"])
@api
def support(ticket: str) -> Response:
    body = read_body(bp.current_request)
    return json_response(duplicates.support(default_deps(), ticket, body), 201)


@bp.route("/reports/{ticket}/reopen", methods=["POST"], content_types=["application/json"])
@api
def reopen(ticket: str) -> Response:
    request = bp.current_request
    token = (request.query_params or {}).get("token")
    return json_response(duplicates.reopen(default_deps(), ticket, token, read_body(request)))


@bp.route("/nearby/reports", methods=["GET"])
@api
def nearby() -> Response:
    params = bp.current_request.query_params or {}
    return json_response(duplicates.nearby(default_deps(), params))
