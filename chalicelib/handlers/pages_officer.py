"""Officer pages: sign-in, the unit's queue, a report with its actions, the map.

The session is the Cognito ID token in an HttpOnly cookie (see session.py for why),
so these pages are rendered on the server from the same services as the officer
JSON API, and every form carries the session's CSRF token. The scripts add the photo
upload (presigned S3 form) and the map; both call the JSON API with the cookie.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote

from chalice import Blueprint, Response

from chalicelib.domain import password_policy
from chalicelib.domain.errors import DomainError, Unauthenticated, ValidationFailed
from chalicelib.domain.status import Status
from chalicelib.handlers import session
from chalicelib.handlers.http import _STATUS_BY_KIND
from chalicelib.handlers.session import form_value
from chalicelib.handlers.web import Page, current_path, handle_errors, make_page, web_page
from chalicelib.services import officer_work
from chalicelib.services.auth import (
    NewPasswordRequired,
    authenticate,
    login,
    set_new_password,
)

bp = Blueprint(__name__)
page_route = web_page(bp)

HOME = "/petugas/laporan"
QUEUE_FILTERS = ("status", "category", "channel", "from", "to", "overdue", "cursor")


def _form(page: Page) -> dict[str, list[str]]:
    raw = page.request.raw_body or b""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return parse_qs(text[:1_000_000], keep_blank_values=True)


def safe_next(target: str | None) -> str:
    """Only our own officer and leader pages: never an open redirect."""
    if target and target.startswith(("/petugas/", "/pimpinan")) and "//" not in target \
            and "\\" not in target:
        return target
    return HOME


def _to_sign_in(page: Page, clear: bool) -> Response:
    if clear:
        page.set_cookies.append(session.clear_cookie(page.settings, session.SESSION))
    path = current_path(page.request)
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in page.query.items() if k != "lang")
    target = f"{path}?{query}" if query and page.request.method == "GET" else path
    return page.redirect(page.url("/petugas", next=target))


def officer_page(view: Callable[..., Response]) -> Callable[..., Response]:
    """A page for signed-in officers: the view receives a `Page` with `officer` and `csrf`.

    No session, or an expired one: back to the sign-in page, then here again. A POST
    without the session's CSRF token is refused before anything else happens.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        page = make_page(bp.current_request)
        token = session.read_cookie(page.request, page.settings, session.SESSION)
        if token is None:
            return _to_sign_in(page, clear=False)

        def run() -> Response:
            try:
                page.officer = authenticate(page.deps, f"Bearer {token}")
            except Unauthenticated:
                return _to_sign_in(page, clear=True)
            page.csrf = session.csrf_token(page.settings, token)
            if page.request.method == "POST" and not session.csrf_ok(
                    page.settings, token, form_value(_form(page), "csrf")):
                return page.error(403, page.t("galat.csrf"))
            return view(page, *args, **kwargs)

        return handle_errors(page, run)

    return wrapped


# -- sign-in -------------------------------------------------------------------------------

def _pre_session(page: Page) -> str:
    """A fresh pre-session nonce in its cookie: the sign-in forms' CSRF proof."""
    nonce = session.new_pre_session()
    page.set_cookies.append(session.set_cookie(page.settings, session.PRE_SESSION, nonce,
                                               session.PRE_SESSION_SECONDS))
    # Also answered to POSTs, whose paths have no GET: the language toggle leads here.
    page.toggle_path = "/petugas"
    return nonce


def _sign_in_page(page: Page, status: int = 200, message: str | None = None,
                  username: str = "", target: str | None = None) -> Response:
    nonce = _pre_session(page)
    return page.render("petugas_masuk.html", status, login_csrf=session.login_csrf(
        page.settings, nonce), next=safe_next(target or page.query.get("next")),
        message=message, username=username)


def _new_password_page(page: Page, username: str, challenge_session: str,
                       target: str | None, status: int = 200, message: str | None = None,
                       problems: list[str] | None = None) -> Response:
    """First sign-in: the form that replaces the temporary password.

    Cognito's challenge session rides in a hidden field; the form's CSRF token binds it
    and the username to this browser's pre-session (see session.py).
    """
    nonce = _pre_session(page)
    return page.render(
        "petugas_kata_sandi_baru.html", status,
        form_csrf=session.new_password_csrf(page.settings, nonce, username, challenge_session),
        username=username, challenge_session=challenge_session, next=safe_next(target),
        message=message, problems=problems or [],
        policy=page.t.pick(password_policy.POLICY_ID, password_policy.POLICY_EN),
        min_length=password_policy.MIN_LENGTH, max_length=password_policy.MAX_LENGTH)


def _refused(page: Page, exc: DomainError, username: str, target: str | None) -> Response:
    """The sign-in form again, saying why, with the status the error's kind calls for."""
    return _sign_in_page(page, _STATUS_BY_KIND.get(exc.kind, 400),
                         page.t.pick(exc.message_id, exc.message_en), username, target)


def _signed_in(page: Page, answer: dict[str, Any], target: str | None) -> Response:
    page.set_cookies.append(session.set_cookie(
        page.settings, session.SESSION, answer["id_token"], int(answer["expires_in"])))
    page.set_cookies.append(session.clear_cookie(page.settings, session.PRE_SESSION))
    return page.redirect(safe_next(target))


@bp.route("/petugas", methods=["GET"])
@page_route
def sign_in_page(page: Page) -> Response:
    return _sign_in_page(page)


@bp.route("/petugas/masuk", methods=["POST"],
          content_types=["application/x-www-form-urlencoded"])
@page_route
def sign_in_submit(page: Page) -> Response:
    form = _form(page)
    target = form_value(form, "next")
    nonce = session.read_cookie(page.request, page.settings, session.PRE_SESSION)
    if not session.login_csrf_ok(page.settings, nonce, form_value(form, "csrf")):
        return _sign_in_page(page, 403, page.t("masuk.kedaluwarsa"), target=target)
    username = (form_value(form, "username") or "").strip()
    try:
        answer = login(page.deps, {"username": username,
                                   "password": form_value(form, "password") or ""})
    except NewPasswordRequired as exc:  # the temporary password from the invitation
        return _new_password_page(page, exc.details["username"], exc.details["session"],
                                  target)
    except DomainError as exc:
        return _refused(page, exc, username, target)
    return _signed_in(page, answer, target)


@bp.route("/petugas/kata-sandi-baru", methods=["POST"],
          content_types=["application/x-www-form-urlencoded"])
@page_route
def new_password_submit(page: Page) -> Response:
    form = _form(page)
    target = form_value(form, "next")
    username = form_value(form, "username") or ""
    challenge_session = form_value(form, "session") or ""
    nonce = session.read_cookie(page.request, page.settings, session.PRE_SESSION)
    if not session.new_password_csrf_ok(page.settings, nonce, username, challenge_session,
                                        form_value(form, "csrf")):
        return _sign_in_page(page, 403, page.t("masuk.kedaluwarsa"), username, target)
    try:
        answer = set_new_password(page.deps, {
            "username": username, "session": challenge_session,
            "new_password": form_value(form, "new_password") or "",
            "new_password_repeat": form_value(form, "new_password_repeat") or ""})
    except ValidationFailed as exc:  # a mismatched repeat, the policy: this form again
        message = page.t.pick(exc.message_id, exc.message_en)
        problems = [page.t.pick(p.message_id, p.message_en) for p in exc.problems]
        return _new_password_page(page, username, challenge_session, target, 400, message,
                                  [p for p in problems if p != message])
    except DomainError as exc:  # the challenge expired (401), an incomplete account (403)
        return _refused(page, exc, username, target)
    return _signed_in(page, answer, target)


@bp.route("/petugas/keluar", methods=["POST"],
          content_types=["application/x-www-form-urlencoded"])
@officer_page
def sign_out_submit(page: Page) -> Response:
    page.set_cookies.append(session.clear_cookie(page.settings, session.SESSION))
    return page.redirect("/petugas")


# -- queue --------------------------------------------------------------------------------

def _names(page: Page) -> dict[str, Any]:
    reg = page.deps.registry
    return {
        "categories": {c.id: (c.name_en if page.lang == "en" else c.name)
                       for c in reg.categories.all()},
        "channels": {c.id: c.name for c in reg.channels.values()},
    }


@bp.route("/petugas/laporan", methods=["GET"])
@officer_page
def queue_page(page: Page) -> Response:
    filters = {k: v for k, v in page.query.items() if k in QUEUE_FILTERS and v}
    status, error = 200, None
    try:
        listed = officer_work.list_queue(page.deps, page.officer, filters)
    except DomainError as exc:  # a bad filter: show the form again with the reason
        listed, status = {"items": [], "next": None}, 400
        error = page.t.pick(exc.message_id, exc.message_en)
    next_url = None
    if listed["next"]:
        next_url = page.url(HOME, **{**filters, "cursor": listed["next"]})
    return page.render("petugas_antrian.html", status, items=listed["items"], filters=filters,
                       error=error, next_url=next_url, statuses=[str(s) for s in Status],
                       **_names(page))


# -- one report ---------------------------------------------------------------------------

def _unit_choices(page: Page) -> list[dict[str, str]]:
    units = page.deps.registry.units
    return [{"code": u.code, "name": u.name}
            for kind in ("opd", "sudin", "biro", "kota", "kecamatan")
            for u in units.of_kind(kind)]


def _report_page(page: Page, ticket: str, status: int = 200,
                 error: str | None = None, problems: list[str] | None = None) -> Response:
    detail = officer_work.get_report(page.deps, page.officer, ticket)
    unit = page.deps.registry.units.get(detail["kelurahan_code"] or "")
    notice = page.query.get("pesan")
    page.toggle_path = f"{HOME}/{quote(detail['ticket'], safe='')}"
    return page.render(
        "petugas_laporan.html", status, report=detail, error=error, problems=problems or [],
        kelurahan_name=unit.name if unit else None, unit_choices=_unit_choices(page),
        notice=notice if notice == "aksi" else None, **_names(page))


@bp.route("/petugas/laporan/{ticket}", methods=["GET"])
@officer_page
def report_page(page: Page, ticket: str) -> Response:
    return _report_page(page, ticket)


def action_payload(form: dict[str, list[str]]) -> dict[str, Any]:
    """The action form as the JSON body of POST /officer/reports/{ticket}/actions."""
    payload: dict[str, Any] = {"action": form_value(form, "action")}
    for name in ("note", "internal_note", "target_unit", "parent_ticket"):
        value = (form_value(form, name) or "").strip()
        if value:
            payload[name] = value
    ews = (form_value(form, "ews_at") or "").strip()
    if ews:
        # <input type="datetime-local"> has no zone: officers type Jakarta time.
        payload["ews_at"] = ews + (":00" if len(ews) == 16 else "") + "+07:00"
    photos = []
    for value in form.get("photo") or []:
        kind, _, key = value.partition("|")
        photos.append({"kind": kind, "key": key})
    if photos:
        payload["photos"] = photos
    return payload


@bp.route("/petugas/laporan/{ticket}/aksi", methods=["POST"],
          content_types=["application/x-www-form-urlencoded"])
@officer_page
def act_page(page: Page, ticket: str) -> Response:
    try:
        officer_work.take_action(page.deps, page.officer, ticket, action_payload(_form(page)))
    except DomainError as exc:
        problems = [page.t.pick(p.message_id, p.message_en) for p in exc.problems]
        message = page.t.pick(exc.message_id, exc.message_en)
        if exc.kind == "not_found":
            raise
        return _report_page(page, ticket, _STATUS_BY_KIND.get(exc.kind, 400), message,
                            [p for p in problems if p != message])
    return page.redirect(f"/petugas/laporan/{quote(ticket, safe='')}?pesan=aksi")


@bp.route("/petugas/peta", methods=["GET"])
@officer_page
def map_page(page: Page) -> Response:
    return page.render("petugas_peta.html",
                       status_labels={str(s): page.t(f"status.{s}") for s in Status})
