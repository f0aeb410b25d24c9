"""What an officer does: read their queue, open a report, act on it, upload photos,
and record a walk-in complaint."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.adapters.media import MAX_PHOTO_BYTES
from chalicelib.adapters.store import Loaded, QueueFilter
from chalicelib.domain.errors import FieldProblem, NotFound, ValidationFailed
from chalicelib.domain.officers import (
    Forbidden,
    Officer,
    check_can_act,
    check_can_view,
    responsible_in_scope,
)
from chalicelib.domain.queues import officer_sources
from chalicelib.domain.report import HistoryEvent, Photo, Report
from chalicelib.domain.sla import next_due, overdue_by, time_left
from chalicelib.domain.status import STATUS_COLOUR, TRANSITIONS, Action, Status
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.timefmt import WIB, utc_iso, wib_text
from chalicelib.domain.workflow import ActionContext, decide_action, parse_action
from chalicelib.services.deps import Deps
from chalicelib.services.intake import Filed, file_report

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
               "image/heic": "heic"}
MAX_PAGE = 100


def _invalid(name: str, id_: str, en: str) -> ValidationFailed:
    return ValidationFailed.of([FieldProblem(name, id_, en)])


def _moment(value: datetime | None) -> dict[str, str] | None:
    return {"utc": utc_iso(value), "wib": wib_text(value)} if value else None


def _not_found(ticket: str) -> NotFound:
    return NotFound(code="laporan_tidak_ditemukan",
                    message_id=f"Laporan {ticket} tidak ditemukan.",
                    message_en=f"Report {ticket} was not found.")


def _load(deps: Deps, ticket_text: str) -> Loaded:
    ticket = normalise_ticket(ticket_text)
    loaded = deps.store.load(ticket) if ticket else None
    if loaded is None:
        raise _not_found(ticket_text)
    return loaded


# -- queue -------------------------------------------------------------------

def _wib_midnight(text: str, name: str, *, days_after: int = 0) -> str:
    """Start of a WIB calendar day (plus some days), as UTC ISO."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _invalid(name, f"Kolom '{name}' harus tanggal YYYY-MM-DD.",
                       f"'{name}' must be a date YYYY-MM-DD.") from None
    return utc_iso(datetime.combine(day + timedelta(days=days_after), time(0), WIB))


def _cursor(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(text.encode() + b"=="))
    except (ValueError, binascii.Error):
        value = None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise _invalid("cursor", "Kursor halaman tidak sah.", "The page cursor is not valid.")
    return value


def _encode_cursor(cursor: dict[str, str] | None) -> str | None:
    if cursor is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def queue_filter(deps: Deps, params: Mapping[str, str]) -> tuple[QueueFilter, int]:
    statuses = tuple(s.strip() for s in (params.get("status") or "").split(",") if s.strip())
    unknown = [s for s in statuses if s not in Status.__members__.values()]
    if unknown:
        raise _invalid("status", f"Status tidak dikenal: {', '.join(unknown)}.",
                       f"Unknown status: {', '.join(unknown)}.")
    category = params.get("category") or None
    if category and deps.registry.categories.get(category) is None:
        raise _invalid("category", f"Kategori '{category}' tidak dikenal.",
                       f"Unknown category '{category}'.")
    channel = params.get("channel") or None
    if channel and channel not in deps.registry.channels:
        raise _invalid("channel", f"Kanal '{channel}' tidak dikenal.",
                       f"Unknown channel '{channel}'.")
    overdue = (params.get("overdue") or "").lower()
    if overdue not in ("", "true", "false"):
        raise _invalid("overdue", "Kolom 'overdue' harus true atau false.",
                       "'overdue' must be true or false.")
    try:
        limit = int(params.get("limit") or 50)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_PAGE:
        raise _invalid("limit", f"Kolom 'limit' harus 1-{MAX_PAGE}.",
                       f"'limit' must be 1-{MAX_PAGE}.")
    return QueueFilter(
        statuses=statuses, category=category, channel=channel,
        created_from=_wib_midnight(params["from"], "from") if params.get("from") else None,
        # "to" includes the whole WIB day it names
        created_to=(_wib_midnight(params["to"], "to", days_after=1)
                    if params.get("to") else None),
        overdue_at=utc_iso(deps.clock()) if overdue == "true" else None,
    ), limit


def _clock_state(report: Report, now: datetime) -> dict[str, Any]:
    left, late = time_left(report, now), overdue_by(report, now)
    return {
        "overdue": late is not None,
        "minutes_left": int(left.total_seconds() // 60) if left is not None else None,
        "minutes_overdue": int(late.total_seconds() // 60) if late is not None else None,
    }


def queue_item(deps: Deps, report: Report) -> dict[str, Any]:
    due = next_due(report)
    unit = deps.registry.units.get(report.unit) if report.unit else None
    return {
        "ticket": report.ticket,
        "channel": report.channel,
        "status": str(report.status),
        "status_colour": STATUS_COLOUR[report.status],
        "category": report.category,
        "description": report.description,
        "unit": report.unit,
        "unit_name": unit.name if unit else None,
        "kelurahan_code": report.kelurahan_code,
        "address": report.address,
        "point": report.point.model_dump() if report.point else None,
        "created_at": _moment(report.created_at),
        "due_at": _moment(due),
        **_clock_state(report, deps.clock()),
        "review_requested": report.review_requested,
        "supporter_count": report.supporter_count,
        "priority": report.priority,
        "likely_duplicates": len(report.duplicate_candidates),
    }


def list_queue(deps: Deps, officer: Officer, params: Mapping[str, str]) -> dict[str, Any]:
    filters, limit = queue_filter(deps, params)
    page = deps.store.queue(officer_sources(officer, deps.registry.units), limit=limit,
                            cursor=_cursor(params.get("cursor")), filters=filters)
    return {"items": [queue_item(deps, r) for r in page.reports],
            "next": _encode_cursor(page.cursor)}


# -- one report ---------------------------------------------------------------

def allowed_actions(deps: Deps, officer: Officer, report: Report) -> list[str]:
    if not responsible_in_scope(officer, report, deps.registry.units):
        return []
    policy = deps.registry.role_policies[officer.role]
    return [str(a) for a in TRANSITIONS
            if a in policy.actions and report.status in TRANSITIONS[a].allowed_from
            and (a != Action.TINJAU or report.review_requested)]


def _event(event: HistoryEvent) -> dict[str, Any]:
    return {"seq": event.seq, "at": _moment(event.at), "action": str(event.action),
            "status": str(event.status), "actor": event.actor, "unit": event.unit,
            "note": event.note, "internal_note": event.internal_note, "data": event.data}


def report_detail(deps: Deps, officer: Officer, loaded: Loaded,
                  history: list[HistoryEvent] | None = None) -> dict[str, Any]:
    report = loaded.report
    if history is None:
        history = deps.store.history(report.ticket)[:report.event_count]
    return {
        **queue_item(deps, report),
        "reporter": report.reporter.model_dump(),
        "entered_by": report.entered_by,
        "first_action_due": _moment(report.first_action_due),
        "finish_due": _moment(report.finish_due),
        "first_action_at": _moment(report.first_action_at),
        "ews_at": _moment(report.ews_at),
        "parent_ticket": report.parent_ticket,
        "duplicate_candidates": report.duplicate_candidates,
        "reopen_count": report.reopen_count,
        "rating": report.rating.model_dump(mode="json") if report.rating else None,
        "photos": [{"key": p.key, "kind": p.kind, "at": _moment(p.at), "by": p.by,
                    "url": deps.media.view_url(p.key)} for p in report.photos],
        "history": [_event(e) for e in history],
        "allowed_actions": allowed_actions(deps, officer, report),
        "version": loaded.version,
    }


def get_report(deps: Deps, officer: Officer, ticket: str) -> dict[str, Any]:
    loaded = _load(deps, ticket)
    check_can_view(officer, loaded.report, deps.registry.units)
    return report_detail(deps, officer, loaded)


def _verified_photos(deps: Deps, officer: Officer, report: Report,
                     refs: list[Any]) -> list[Photo]:
    photos = []
    prefix = f"reports/{report.ticket}/"
    known = {p.key for p in report.photos}
    for ref in refs:
        key = ref.key
        if not key.startswith(prefix) or ".." in key or "//" in key or key in known:
            raise _invalid("photos", f"Foto '{key}' bukan milik laporan ini (atau sudah dicatat).",
                           f"Photo '{key}' does not belong to this report (or is recorded).")
        meta = deps.media.describe(key)
        if meta is None:
            raise _invalid("photos", f"Foto '{key}' belum diunggah.",
                           f"Photo '{key}' has not been uploaded.")
        content_type, size = meta
        if content_type not in PHOTO_TYPES or size > MAX_PHOTO_BYTES:
            raise _invalid("photos", f"Foto '{key}' harus gambar (JPEG/PNG/WebP/HEIC) <= 10 MB.",
                           f"Photo '{key}' must be an image (JPEG/PNG/WebP/HEIC) <= 10 MB.")
        photos.append(Photo(key=key, kind=ref.kind, at=deps.clock(), by=officer.username))
    return photos


def take_action(deps: Deps, officer: Officer, ticket: str, payload: Any) -> dict[str, Any]:
    command = parse_action(payload)
    loaded = _load(deps, ticket)
    report = loaded.report
    # Who may act is checked before anything is read from storage on their behalf.
    check_can_act(officer, report, command.action, deps.registry.units,
                  deps.registry.role_policies)
    parent = None
    if command.action == Action.DUPLIKAT and command.parent_ticket:
        parent_ticket = normalise_ticket(command.parent_ticket)
        parent_loaded = deps.store.load(parent_ticket) if parent_ticket else None
        parent = parent_loaded.report if parent_loaded else None
    context = ActionContext(
        now=deps.clock(), units=deps.registry.units, policies=deps.registry.role_policies,
        sla=deps.registry.sla_policy(report.category),
        verified_photos=_verified_photos(deps, officer, report, command.photos),
        parent=parent,
    )
    updated, event = decide_action(report, officer, command, context)
    saved = deps.store.update(loaded, updated, [event])
    return report_detail(deps, officer, saved)


def presign_photo(deps: Deps, officer: Officer, ticket: str, payload: Any) -> dict[str, Any]:
    loaded = _load(deps, ticket)
    check_can_act(officer, loaded.report, Action.FOTO, deps.registry.units,
                  deps.registry.role_policies)
    payload = payload if isinstance(payload, Mapping) else {}
    kind = payload.get("kind")
    if kind not in ("before", "after"):
        raise _invalid("kind", "Kolom 'kind' harus 'before' atau 'after'.",
                       "'kind' must be 'before' or 'after'.")
    content_type = payload.get("content_type")
    if content_type not in PHOTO_TYPES:
        raise _invalid("content_type",
                       f"Jenis berkas harus salah satu dari: {', '.join(PHOTO_TYPES)}.",
                       f"The file type must be one of: {', '.join(PHOTO_TYPES)}.")
    key = f"reports/{loaded.report.ticket}/{kind}-{uuid.uuid4().hex}.{PHOTO_TYPES[content_type]}"
    return deps.media.presign_upload(key, content_type)


# -- walk-in ------------------------------------------------------------------

def record_walk_in(deps: Deps, officer: Officer, channel_id: str, payload: Any,
                   idempotency_key: str | None = None) -> Filed:
    channel = deps.registry.channels.get(channel_id)
    unit = deps.registry.units.get(officer.unit)
    if channel is None or channel.kind != "walk-in":
        raise _not_found(channel_id)
    if unit is None or not channel.accepts_officer_unit(unit.code, unit.kind):
        raise Forbidden(
            code="bukan_kantor_anda",
            message_id=f"Petugas {unit.name if unit else officer.unit} tidak mencatat pengaduan "
            f"di kanal '{channel.name}'.",
            message_en=f"Officers of {officer.unit} do not record complaints on the "
            f"'{channel.name}' channel.")
    if isinstance(payload, Mapping) and unit.kind == "kelurahan" and not any(
            payload.get(k) not in (None, "") for k in ("kelurahan_code", "lat", "lon")):
        # A complaint made at the kantor kelurahan is about that kelurahan unless said otherwise.
        payload = {**payload, "kelurahan_code": unit.code}
    external_id = f"{officer.username}:{idempotency_key}" if idempotency_key else None
    return file_report(deps, payload, channel=channel.id, external_id=external_id,
                       entered_by=officer.username)
