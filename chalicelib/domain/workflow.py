"""Officer actions on a report: the Pergub 128/2017 workflow on top of the status machine.

`parse_action` validates what the officer sent; `decide_action` checks who may do
it and what it needs (a target unit, an after-photo, a parent report...) and returns
the changed report with its history event. The service loads and saves; this
module only decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import DomainError, FieldProblem, ValidationFailed
from chalicelib.domain.officers import Officer, Role, RolePolicy, check_can_act
from chalicelib.domain.report import MAX_NOTE_LENGTH, Photo, Report, apply_action
from chalicelib.domain.status import CLOSED_STATUSES, Action, Status
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.units import UnitDirectory

PHOTO_KINDS = ("before", "after")
MAX_PHOTOS_PER_ACTION = 10
# Actions only the system or the reporter take; an officer sending them is refused.
NOT_OFFICER_ACTIONS = {Action.TERIMA, Action.TUGASKAN, Action.NILAI, Action.SLA}


class NotInReview(DomainError):
    kind = "conflict"


class PhotoRef(BaseModel):
    key: str
    kind: str


class ActionCommand(BaseModel):
    action: Action
    note: str | None = None
    internal_note: str | None = None
    target_unit: str | None = None
    parent_ticket: str | None = None
    ews_at: datetime | None = None
    photos: list[PhotoRef] = []


@dataclass(frozen=True)
class ActionContext:
    now: datetime
    units: UnitDirectory
    policies: dict[Role, RolePolicy]
    sla: SlaPolicy
    # Photos the service has checked exist in storage, belong to this report and are images.
    verified_photos: list[Photo] = field(default_factory=list)
    parent: Report | None = None  # the report named by parent_ticket, if any


def reopen_changes(report: Report, sla: SlaPolicy, now: datetime) -> dict[str, Any]:
    """What reopening a finished report changes, whoever reopens it (reporter or officer):
    a fresh, shorter finish clock, and the rating cleared. The rating judged the fix that
    did not hold; its event stays in the history (and in kinerja), and the reporter rates
    the next fix afresh. An estimate (EWS) made for the old job no longer holds either."""
    return {"review_requested": False, "finish_started_at": now,
            "finish_due": sla.add(now, sla.redo_hours), "rating": None, "ews_at": None,
            "reopen_count": report.reopen_count + 1}


def _invalid(field_name: str, id_: str, en: str) -> ValidationFailed:
    return ValidationFailed.of([FieldProblem(field_name, id_, en)])


def _optional_text(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(name, f"Kolom '{name}' harus berupa teks.", f"Field '{name}' must be text.")
    value = value.strip()
    if len(value) > MAX_NOTE_LENGTH:
        raise _invalid(name, f"Kolom '{name}' paling panjang {MAX_NOTE_LENGTH} karakter.",
                       f"Field '{name}' must be at most {MAX_NOTE_LENGTH} characters.")
    return value or None


def parse_action(payload: Any) -> ActionCommand:
    if not isinstance(payload, Mapping):
        raise _invalid("body", "Isi permintaan harus berupa objek JSON.",
                       "The request body must be a JSON object.")
    raw_action = payload.get("action")
    known = [a.value for a in Action if a not in NOT_OFFICER_ACTIONS]
    if raw_action not in known:
        raise _invalid("action", f"Aksi tidak dikenal; pilih salah satu: {', '.join(known)}.",
                       f"Unknown action; choose one of: {', '.join(known)}.")
    ews_at = None
    if payload.get("ews_at") is not None:
        try:
            ews_at = datetime.fromisoformat(str(payload["ews_at"]).replace("Z", "+00:00"))
        except ValueError:
            ews_at = None
        if ews_at is None or ews_at.tzinfo is None:
            raise _invalid("ews_at", "Kolom 'ews_at' harus waktu ISO 8601 dengan zona waktu.",
                           "Field 'ews_at' must be an ISO 8601 time with a time zone.")
    photos = payload.get("photos") or []
    if not isinstance(photos, list) or len(photos) > MAX_PHOTOS_PER_ACTION or not all(
            isinstance(p, Mapping) and isinstance(p.get("key"), str)
            and p.get("kind") in PHOTO_KINDS for p in photos):
        raise _invalid(
            "photos",
            f"Kolom 'photos' harus daftar (maks. {MAX_PHOTOS_PER_ACTION}) berisi "
            "{\"key\", \"kind\": \"before\"|\"after\"}.",
            f"Field 'photos' must be a list (at most {MAX_PHOTOS_PER_ACTION}) of "
            "{\"key\", \"kind\": \"before\"|\"after\"}.")
    return ActionCommand(
        action=Action(raw_action),
        note=_optional_text(payload, "note"),
        internal_note=_optional_text(payload, "internal_note"),
        target_unit=_optional_text(payload, "target_unit"),
        parent_ticket=_optional_text(payload, "parent_ticket"),
        ews_at=ews_at,
        photos=[PhotoRef(key=p["key"], kind=p["kind"]) for p in photos],
    )


def _required(value: Any, name: str, why_id: str, why_en: str) -> Any:
    if value is None:
        raise _invalid(name, f"Kolom '{name}' wajib diisi {why_id}.",
                       f"Field '{name}' is required {why_en}.")
    return value


def _target_changes(report: Report, cmd: ActionCommand, officer: Officer,
                    units: UnitDirectory) -> str:
    target = _required(cmd.target_unit, "target_unit", f"untuk aksi '{cmd.action}'",
                       f"for the action '{cmd.action}'")
    unit = units.get(target)
    if unit is None:
        raise _invalid("target_unit", f"Unit '{target}' tidak dikenal.",
                       f"Unknown unit '{target}'.")
    if target == report.unit:
        raise _invalid("target_unit", "Unit tujuan sama dengan unit yang menangani sekarang.",
                       "The target unit is the unit handling the report already.")
    if cmd.action == Action.DISPOSISI and not (
            unit.kind == "sudin" and unit.parent_code == report.unit):
        raise _invalid(
            "target_unit",
            "Disposisi hanya dari dinas ke salah satu suku dinasnya sendiri.",
            "A disposisi goes only from a dinas to one of its own suku dinas.")
    return target


def decide_action(report: Report, officer: Officer, cmd: ActionCommand,
                  ctx: ActionContext) -> tuple[Report, Any]:
    """The report after `officer` takes `cmd`, with its history event; raises if not allowed."""
    check_can_act(officer, report, cmd.action, ctx.units, ctx.policies)
    action = cmd.action
    changes: dict[str, Any] = {}
    unit: str | None = None
    data: dict[str, Any] = {}
    if ctx.verified_photos:
        changes["photos"] = [*report.photos, *ctx.verified_photos]
        data["photos"] = [p.key for p in ctx.verified_photos]

    if action in (Action.KOORDINASI, Action.DISPOSISI):
        unit = _target_changes(report, cmd, officer, ctx.units)
        data["from_unit"] = report.unit
    elif action == Action.EWS:
        ews_at = _required(cmd.ews_at, "ews_at", "untuk estimasi waktu selesai",
                           "for an estimated completion time")
        if ews_at <= ctx.now:
            raise _invalid("ews_at", "Estimasi waktu selesai harus di masa depan.",
                           "The estimated completion time must be in the future.")
        changes.update(ews_at=ews_at, finish_due=ews_at)
        data["ews_at"] = ews_at.isoformat()
    elif action == Action.SELESAI:
        _required(cmd.note, "note", "untuk menjelaskan tindak lanjut",
                  "to describe the follow-up")
        if not any(p.kind == "after" for p in changes.get("photos", report.photos)):
            raise _invalid("photos", "Penyelesaian memerlukan minimal satu foto sesudah (after).",
                           "Finishing needs at least one 'after' photo.")
    elif action == Action.TL_DITOLAK:
        # The validator's time does not count: the unit gets a fresh, shorter finish clock.
        changes.update(finish_due=ctx.sla.add(ctx.now, ctx.sla.redo_hours),
                       finish_started_at=ctx.now)
    elif action == Action.BUKA_KEMBALI:
        changes.update(reopen_changes(report, ctx.sla, ctx.now))
    elif action == Action.TINJAU:
        if not report.review_requested:
            raise NotInReview(
                code="tidak_dalam_tinjauan",
                message_id=f"Laporan {report.ticket} tidak sedang menunggu tinjauan penilaian.",
                message_en=f"Report {report.ticket} is not waiting for a rating review.",
            )
        changes["review_requested"] = False
    elif action == Action.DUPLIKAT:
        parent_text = _required(cmd.parent_ticket, "parent_ticket", "untuk menggabungkan laporan",
                                "to merge the report")
        parent_ticket = normalise_ticket(parent_text)
        if parent_ticket is None or parent_ticket == report.ticket or ctx.parent is None:
            raise _invalid("parent_ticket", "Laporan induk tidak ditemukan.",
                           "The parent report was not found.")
        if ctx.parent.status in CLOSED_STATUSES - {Status.SELESAI}:
            raise _invalid("parent_ticket",
                           f"Laporan induk berstatus '{ctx.parent.status}' dan tidak bisa menjadi "
                           "induk.", f"The parent report is '{ctx.parent.status}' and cannot be "
                           "a parent.")
        changes["parent_ticket"] = parent_ticket
        data["parent_ticket"] = parent_ticket
    elif action == Action.FOTO and not ctx.verified_photos:
        raise _invalid("photos", "Aksi 'foto' memerlukan minimal satu foto.",
                       "The action 'foto' needs at least one photo.")

    return apply_action(report, action, actor=officer.username, now=ctx.now, note=cmd.note,
                        internal_note=cmd.internal_note, unit=unit, data=data, changes=changes)
