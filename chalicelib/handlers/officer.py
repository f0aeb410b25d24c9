"""Officer routes: queue, report, actions, photo uploads."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.officers import Officer
from chalicelib.handlers.auth import officer_route
from chalicelib.handlers.http import json_response, read_body
from chalicelib.services import officer_work
from chalicelib.services.deps import default_deps

bp = Blueprint(__name__)
signed_in = officer_route(bp)


@bp.route("/officer/reports", methods=["GET"])
@signed_in
def queue(officer: Officer) -> Response:
    params = bp.current_request.query_params or {}
    return json_response(officer_work.list_queue(default_deps(), officer, params))


@bp.route("/officer/reports/{ticket}", methods=["GET"])
@signed_in
def report(officer: Officer, ticket: str) -> Response:
    return json_response(officer_work.get_report(default_deps(), officer, ticket))


@bp.route("/officer/reports/{ticket}/actions", methods=["POST"],
          content_types=["application/json"])
@signed_in
def act(officer: Officer, ticket: str) -> Response:
    body = read_body(bp.current_request)
    return json_response(officer_work.take_action(default_deps(), officer, ticket, body))


@bp.route("/officer/reports/{ticket}/photos", methods=["POST"],
          content_types=["application/json"])
@signed_in
def photo_upload(officer: Officer, ticket: str) -> Response:
    body = read_body(bp.current_request)
    return json_response(officer_work.presign_photo(default_deps(), officer, ticket, body), 201)
