"""One problem, one report: likely duplicates, "me too" supporters, merged reporters, reopening."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from typing import Any

from chalicelib.adapters.store import AlreadyFollowing, event_from_image
from chalicelib.domain.duplicates import (
    DuplicatePolicy,
    can_reopen,
    contact_key,
    likely_duplicates,
    window_start,
)
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    FieldProblem,
    IllegalTransition,
    ValidationFailed,
)
from chalicelib.domain.intake import normalise_phone, parse_point
from chalicelib.domain.rating import REPORTER_ACTOR
from chalicelib.domain.report import MAX_NOTE_LENGTH, Report, apply_action
from chalicelib.domain.status import Action, Status
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.timefmt import utc_iso
from chalicelib.domain.tracking import token_matches
from chalicelib.domain.workflow import reopen_changes
from chalicelib.registry import DATA_DIR
from chalicelib.services.deps import Deps
from chalicelib.services.stream import Change, processor
from chalicelib.services.tracking import NOT_FOUND

log = logging.getLogger("crm.duplicates")
MAX_ATTEMPTS = 3


@cache
def policy() -> DuplicatePolicy:
    raw = json.loads((DATA_DIR / "duplicates.json").read_text(encoding="utf-8"))
    return DuplicatePolicy(**{k: v for k, v in raw.items() if not k.startswith("_")})


def candidates_for(deps: Deps, report: Report) -> list[dict[str, Any]]:
    since = utc_iso(window_start(report, policy()))
    if report.point is not None:
        others = deps.store.nearby_open(report.category, report.point, since)
    elif report.kelurahan_code:
        others = deps.store.open_in_kelurahan(report.kelurahan_code, report.category, since)
    else:
        return []
    return [c.as_dict() for c in likely_duplicates(report, others, policy())]


@processor("event", "INSERT")
def flag_likely_duplicates(deps: Deps, change: Change) -> None:
    """After routing, record the likely parents for the officer (no automatic merge)."""
    event = event_from_image(change.new_image or {})
    if event is None or event.action != Action.TUGASKAN:
        return
    ticket = (change.new_image or {})["ticket"]["S"]
    for _ in range(MAX_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None or loaded.report.duplicate_candidates or not loaded.report.is_open:
            return
        found = candidates_for(deps, loaded.report)
        if not found:
            return
        try:
            deps.store.update(loaded, loaded.report.model_copy(
                update={"duplicate_candidates": found}), [])
            return
        except ConcurrentUpdate:
            continue


@processor("event", "INSERT")
def merged_reporter_follows_parent(deps: Deps, change: Change) -> None:
    """A report merged as a duplicate: its reporter now follows the parent."""
    event = event_from_image(change.new_image or {})
    if event is None or event.action != Action.DUPLIKAT:
        return
    child = deps.store.load((change.new_image or {})["ticket"]["S"])
    parent_ticket = event.data.get("parent_ticket")
    if child is None or not parent_ticket:
        return
    reporter = child.report.reporter
    key = contact_key(reporter.phone, reporter.email)
    if key is not None:
        _follow(deps, parent_ticket, key, {"phone": reporter.phone, "email": reporter.email,
                                           "kind": "duplikat", "from": child.report.ticket})


def _follow(deps: Deps, ticket: str, key: str, details: dict[str, Any]) -> bool:
    """Add a follower and count them; False if this contact follows already."""
    for _ in range(MAX_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None:
            raise NOT_FOUND
        report = loaded.report
        count = report.supporter_count + 1
        updated = report.model_copy(update={
            "supporter_count": count,
            "priority": "tinggi" if count >= policy().priority_supporters else report.priority,
        })
        try:
            deps.store.update(loaded, updated, [], follower=(key, details))
            return True
        except AlreadyFollowing:
            return False
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(code="konflik_pembaruan",
                           message_id="Laporan sedang ramai diperbarui; coba lagi.",
                           message_en="The report is busy being updated; try again.")


def _invalid(field: str, id_: str, en: str) -> ValidationFailed:
    return ValidationFailed.of([FieldProblem(field, id_, en)])


def support(deps: Deps, ticket_text: str, payload: Any) -> dict[str, Any]:
    """A citizen says "me too" instead of filing a new report; counted once per contact."""
    ticket = normalise_ticket(ticket_text)
    loaded = deps.store.load(ticket) if ticket else None
    if loaded is None:
        raise NOT_FOUND
    report = loaded.report
    if not report.is_open:
        raise IllegalTransition(
            code="laporan_ditutup",
            message_id=f"Laporan berstatus '{report.status}' tidak dapat didukung lagi.",
            message_en=f"A report that is '{report.status}' can no longer be supported.")
    payload = payload if isinstance(payload, Mapping) else {}
    phone_text, email = payload.get("phone"), payload.get("email")
    phone = normalise_phone(phone_text) if isinstance(phone_text, str) and phone_text else None
    if isinstance(phone_text, str) and phone_text and phone is None:
        raise _invalid("phone", "Nomor telepon tidak valid.", "The phone number is not valid.")
    if email is not None and (not isinstance(email, str) or "@" not in email or len(email) > 254):
        raise _invalid("email", "Alamat email tidak valid.", "The email address is not valid.")
    key = contact_key(phone, email)
    if key is None:
        raise _invalid("phone", "Isi nomor telepon atau email agar Anda mendapat kabar.",
                       "Give a phone number or email so you can be kept informed.")
    if not _follow(deps, report.ticket, key, {"phone": phone, "email": email,
                                              "kind": "dukungan"}):
        raise IllegalTransition(code="sudah_mendukung",
                                message_id="Anda sudah mendukung laporan ini.",
                                message_en="You already support this report.")
    return {"ticket": report.ticket,
            "supporter_count": deps.store.load(report.ticket).report.supporter_count}


def reopen(deps: Deps, ticket_text: str, token: str | None, payload: Any) -> dict[str, Any]:
    """The reporter says the fix did not hold: back to the unit with a new finish deadline."""
    ticket = normalise_ticket(ticket_text)
    if ticket is None or not token_matches(deps.settings.token_secret, ticket, token):
        raise NOT_FOUND
    payload = payload if isinstance(payload, Mapping) else {}
    note = payload.get("note")
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE_LENGTH:
        raise _invalid("note", "Jelaskan apa yang belum beres (maks. 2.000 karakter).",
                       "Say what is still wrong (at most 2,000 characters).")
    for _ in range(MAX_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None:
            raise NOT_FOUND
        report, now = loaded.report, deps.clock()
        if report.status != Status.SELESAI:
            raise IllegalTransition(
                code="tidak_dapat_dibuka",
                message_id=f"Laporan berstatus '{report.status}' tidak dapat dibuka kembali.",
                message_en=f"A report that is '{report.status}' cannot be reopened.")
        if not can_reopen(report, now, policy()):
            days = policy().reopen_days
            raise IllegalTransition(
                code="lewat_batas_buka_kembali",
                message_id=f"Laporan hanya dapat dibuka kembali dalam {days} hari setelah Selesai.",
                message_en=f"A report can be reopened only within {days} days after it is done.")
        sla = deps.registry.sla_policy(report.category)
        updated, event = apply_action(
            report, Action.BUKA_KEMBALI, actor=REPORTER_ACTOR, now=now, note=note.strip(),
            data={"by": "pelapor"}, changes=reopen_changes(report, sla, now))
        try:
            deps.store.update(loaded, updated, [event])
            return {"ticket": ticket, "status": str(updated.status)}
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(code="konflik_pembaruan", message_id="Coba lagi.",
                           message_en="Try again.")


def nearby(deps: Deps, params: Mapping[str, str]) -> dict[str, Any]:
    """Open reports of a category near a point, for "me too" on the form (no identities)."""
    problems: list[FieldProblem] = []
    point = parse_point(params, problems)  # the same lat/lon rules as intake
    if problems or point is None:
        raise ValidationFailed.of(problems or [FieldProblem(
            "lat", "Kolom 'lat' dan 'lon' wajib diisi.", "'lat' and 'lon' are required.")])
    category = params.get("category") or None
    if category and deps.registry.categories.get(category) is None:
        raise _invalid("category", f"Kategori '{category}' tidak dikenal.",
                       f"Unknown category '{category}'.")
    since = utc_iso(deps.clock() - timedelta(days=policy().window_days))
    found = deps.store.nearby_open(category, point, since)
    return {"items": [{"ticket": r.ticket, "status": str(r.status), "category": r.category,
                       "description": r.description[:280], "point": r.point.model_dump(),
                       "supporter_count": r.supporter_count} for r in found]}
