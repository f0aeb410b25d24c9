"""Citizen pages: home, the Balai Warga form, its confirmation, tracking, rating, reopening,
SKM.

Progressive enhancement: every form is a plain HTML form the server handles, so a
phone without JavaScript can file, track, rate and reopen. Scripts (in /static/app) add
the map picker, nearby open reports to support ("me too", GET /nearby/reports and POST
/reports/{ticket}/support), the photo upload and the SKM submission.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib.adapters import map_layer
from chalicelib.domain.duplicates import can_reopen
from chalicelib.domain.errors import IllegalTransition, ValidationFailed
from chalicelib.domain.ikm import SKALA, UNSUR
from chalicelib.domain.status import OPEN_STATUSES, Status
from chalicelib.domain.timefmt import wib_text
from chalicelib.handlers.http import problem, read_body
from chalicelib.handlers.web import Page, web_page
from chalicelib.services import duplicates
from chalicelib.services.deps import default_deps
from chalicelib.services.intake import file_report
from chalicelib.services.rating import rate_report
from chalicelib.services.tracking import track_report

bp = Blueprint(__name__)
page_route = web_page(bp)

CHANNEL = "balai-warga"
FORM_FIELDS = ("category", "description", "address", "kelurahan_code", "lat", "lon", "name",
               "phone", "email")
# The form's one-time key: a resubmitted form (reload, double tap) files one report.
KEY_FIELD = "kunci"


def tracking_path(ticket: str, token: str) -> str:
    """The tracking URL notification messages already use."""
    return f"/lacak/{quote(ticket, safe='')}?token={quote(token, safe='')}"


def _kelurahan_groups(page: Page) -> list[dict[str, Any]]:
    """Kelurahan for the form's list, grouped by kota: "Gambir (Kec. Gambir)"."""
    wilayah = page.deps.registry.wilayah
    groups = []
    for kota in wilayah.of_level("kota"):
        options = []
        for kel in wilayah.of_level("kelurahan"):
            if kel.code.startswith(kota.code + "."):
                kecamatan = wilayah.get(kel.parent_code or "")
                options.append({"code": kel.code, "label":
                                f"{kel.name} (Kec. {kecamatan.name if kecamatan else '-'})"})
        groups.append({"label": kota.name, "options": options})
    return groups


def _categories(page: Page) -> list[dict[str, str]]:
    return [{"id": c.id, "label": c.name_en if page.lang == "en" else c.name}
            for c in page.deps.registry.categories.all()]


def _nearby_config(page: Page) -> dict[str, Any]:
    """What the form's script needs to list nearby open reports and support one."""
    return {"lang": page.lang,
            "status": {str(s): page.t(f"status.{s}") for s in OPEN_STATUSES},
            "text": {key: page.t(f"lapor.{key}") for key in (
                "dukung", "dukung_perlu_kontak", "dukung_terima_kasih", "dukung_gagal",
                "pendukung_n", "mengirim")}}


def _form_page(page: Page, values: dict[str, str], errors: dict[str, str],
               message: str | None = None, status: int = 200) -> Response:
    return page.render("lapor.html", status, values=values, errors=errors, message=message,
                       categories=_categories(page), kelurahan_groups=_kelurahan_groups(page),
                       nearby_config=_nearby_config(page))


@bp.route("/", methods=["GET"])
@page_route
def home(page: Page) -> Response:
    return page.render("home.html")


@bp.route("/lapor", methods=["GET"])
@page_route
def report_form(page: Page) -> Response:
    return _form_page(page, {KEY_FIELD: secrets.token_urlsafe(16)}, {})


@bp.route("/lapor", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
@page_route
def submit_report(page: Page) -> Response:
    form = read_body(page.request)
    values = {name: str(form.get(name) or "") for name in (*FORM_FIELDS, KEY_FIELD)}
    key = values[KEY_FIELD].strip()[:128] or secrets.token_urlsafe(16)
    values[KEY_FIELD] = key
    payload = {name: values[name] for name in FORM_FIELDS if values[name].strip()}
    try:
        filed = file_report(page.deps, payload, channel=CHANNEL, external_id=key)
    except ValidationFailed as exc:
        errors = {p.field: page.t.pick(p.message_id, p.message_en) for p in exc.problems}
        return _form_page(page, values, errors, page.t("lapor.periksa"), 400)
    return page.redirect(f"/lapor/terkirim/{quote(filed.ticket, safe='')}"
                         f"?token={quote(filed.tracking_token, safe='')}")


def _tracked(page: Page, ticket: str) -> tuple[dict[str, Any], str]:
    token = page.query.get("token") or ""
    return track_report(page.deps, ticket, token), token


@bp.route("/lapor/terkirim/{ticket}", methods=["GET"])
@page_route
def confirmation(page: Page, ticket: str) -> Response:
    report, token = _tracked(page, ticket)
    link = page.settings.public_base_url + tracking_path(report["ticket"], token)
    return page.render("terkirim.html", report=report, token=token, tracking_link=link,
                       tracking_path=tracking_path(report["ticket"], token),
                       photo_failed=page.query.get("foto") == "gagal")


@bp.route("/lacak", methods=["GET"])
@page_route
def track_form(page: Page) -> Response:
    ticket = (page.query.get("ticket") or "").strip()
    token = (page.query.get("token") or "").strip()
    if ticket and token:
        return page.redirect(tracking_path(ticket, token))
    return page.render("lacak_form.html", ticket=ticket)


def _photo_groups(report: dict[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    groups: dict[str, list[dict[str, str]]] = {"before": [], "after": [], "citizen": []}
    for photo in report.get("photos") or []:
        groups.setdefault(photo["kind"], []).append(photo)
    return [(kind, photos) for kind, photos in groups.items() if photos]


def _reopen_until(page: Page, report: dict[str, Any]) -> str | None:
    """Until when (WIB text) the reporter may say the fix did not hold; None if not now."""
    if report["status"] != Status.SELESAI:
        return None
    loaded = page.deps.store.load(report["ticket"])
    policy = duplicates.policy()
    if loaded is None or loaded.report.closed_at is None or not can_reopen(
            loaded.report, page.deps.clock(), policy):
        return None
    return wib_text(loaded.report.closed_at + timedelta(days=policy.reopen_days))


def _tracking_page(page: Page, ticket: str, status: int = 200, *,
                   rating_error: str | None = None, reopen_error: str | None = None,
                   note: str = "") -> Response:
    report, token = _tracked(page, ticket)
    notice = page.query.get("pesan")
    page.toggle_path = f"/lacak/{quote(report['ticket'], safe='')}"
    return page.render(
        "lacak.html", status, report=report, token=token, photo_groups=_photo_groups(report),
        can_rate=report["status"] == Status.SELESAI and report["rating"] is None,
        can_add_photo=report["status"] in OPEN_STATUSES,
        reopen_until=_reopen_until(page, report), reopen_error=reopen_error, reopen_note=note,
        notice=notice if notice in ("dinilai", "dibuka") else None, rating_error=rating_error,
        photo_failed=page.query.get("foto") == "gagal",
        tracking_path=tracking_path(report["ticket"], token))


@bp.route("/lacak/{ticket}", methods=["GET"])
@page_route
def tracking(page: Page, ticket: str) -> Response:
    return _tracking_page(page, ticket)


@bp.route("/lacak/{ticket}/nilai", methods=["POST"],
          content_types=["application/x-www-form-urlencoded"])
@page_route
def rate_page(page: Page, ticket: str) -> Response:
    token = page.query.get("token") or ""
    form = read_body(page.request)
    stars_text = str(form.get("stars") or "")
    comment = str(form.get("comment") or "").strip() or None
    payload = {"stars": int(stars_text) if stars_text.isdigit() else stars_text,
               "comment": comment}
    try:
        rated = rate_report(page.deps, ticket, token, payload)
    except ValidationFailed as exc:
        return _tracking_page(page, ticket, 400,
                              rating_error=page.t.pick(exc.message_id, exc.message_en))
    return page.redirect(tracking_path(rated["ticket"], token) + "&pesan=dinilai")


@bp.route("/lacak/{ticket}/buka-kembali", methods=["POST"],
          content_types=["application/x-www-form-urlencoded"])
@page_route
def reopen_page(page: Page, ticket: str) -> Response:
    """"Masalah muncul lagi": the reporter reopens within 14 days after Selesai (a photo,
    if any, is added by the script afterwards: the reopened report is open again)."""
    token = page.query.get("token") or ""
    note = str(read_body(page.request).get("note") or "")
    try:
        reopened = duplicates.reopen(page.deps, ticket, token, {"note": note})
    except (ValidationFailed, IllegalTransition) as exc:
        return _tracking_page(page, ticket, 400 if isinstance(exc, ValidationFailed) else 409,
                              reopen_error=page.t.pick(exc.message_id, exc.message_en),
                              note=note)
    return page.redirect(tracking_path(reopened["ticket"], token) + "&pesan=dibuka")


@bp.route("/survei/{token}", methods=["GET"])
@page_route
def survey(page: Page, token: str) -> Response:
    """The SKM questionnaire; the script loads and submits it through GET/POST /skm/{token}."""
    elements = [{"kode": u.kode, "nama": u.name_en if page.lang == "en" else u.nama,
                 "pilihan": [{"nilai": i + 1, "label": text,
                              "skala": SKALA[i + 1][1 if page.lang == "en" else 0]}
                             for i, text in enumerate(u.pilihan)]}
                for u in UNSUR]
    return page.render("survei.html", token=token, elements=elements)


@bp.route("/peta/kelurahan.geojson", methods=["GET"])
def kelurahan_layer() -> Response:
    """The kelurahan boundaries for the maps (public data); 404 when none is configured."""
    layer = map_layer.kelurahan_sketch(default_deps().settings)
    if layer is None:
        return problem(404, "peta_tidak_ada", "Batas kelurahan belum tersedia.",
                       "Kelurahan boundaries are not available.")
    return Response(body=layer.decode(), status_code=200, headers={
        "Content-Type": "application/geo+json", "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff"})
