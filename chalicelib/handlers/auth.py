"""Officer sign-in and the decorator that protects officer routes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.http import api, json_response, read_body
from chalicelib.handlers.session import session_authorization
from chalicelib.services.auth import authenticate, login, set_new_password
from chalicelib.services.deps import default_deps

bp = Blueprint(__name__)


@bp.route("/auth/login", methods=["POST"], content_types=["application/json"])
@api
def sign_in() -> Response:
    return json_response(login(default_deps(), read_body(bp.current_request)))


@bp.route("/auth/new-password", methods=["POST"], content_types=["application/json"])
@api
def choose_new_password() -> Response:
    """First sign-in: the `session` of the login's 409 and a new password -> tokens."""
    return json_response(set_new_password(default_deps(), read_body(bp.current_request)))


def officer_route(blueprint: Blueprint) -> Callable[..., Callable[..., Response]]:
    """Wrap a view so it receives the signed-in officer first (401/403 otherwise)."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        @api
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            request = blueprint.current_request
            deps = default_deps()
            # Pages' scripts call the API with the session cookie (+ CSRF header) instead.
            authorization = request.headers.get("authorization") or session_authorization(
                request, deps.settings)
            officer = authenticate(deps, authorization)
            return view(officer, *args, **kwargs)

        return wrapped

    return decorate
