"""A citizen's report, the events of its history, and the rules that change it.

A `Report` is the current state; every change produces a `HistoryEvent` that the
store appends and never rewrites. Functions here return new values and never
mutate their inputs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import FieldProblem, IllegalTransition, ValidationFailed
from chalicelib.domain.status import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Status,
    next_status,
)

SYSTEM_ACTOR = "sistem"
FIRST_ACTIONS = frozenset(
    {Action.PROSES, Action.KOORDINASI, Action.DISPOSISI, Action.SELESAI}
)
MAX_NOTE_LENGTH = 2000


class GeoPoint(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Reporter(BaseModel):
    """Who filed the report. Private: only officers ever see it."""

    name: str | None = None
    phone: str | None = None  # E.164, e.g. +6281234567890
    email: str | None = None


class Photo(BaseModel):
    key: str
    kind: str  # "before" | "after"
    at: datetime
    by: str


class Rating(BaseModel):
    stars: int = Field(ge=1, le=5)
    comment: str | None = None
    at: datetime


class HistoryEvent(BaseModel):
    seq: int  # 1, 2, 3 ... per report: the order of events and the store's append key
    at: datetime
    action: Action
    status: Status  # status after the event
    actor: str
    unit: str | None = None  # responsible unit after the event
    note: str | None = None  # shown to the reporter
    internal_note: str | None = None  # officers only
    data: dict[str, Any] = Field(default_factory=dict)


class Report(BaseModel):
    ticket: str
    channel: str
    description: str
    category: str | None = None
    point: GeoPoint | None = None
    address: str | None = None
    kelurahan_code: str | None = None
    reporter: Reporter = Field(default_factory=Reporter)
    photos: list[Photo] = Field(default_factory=list)
    unit: str | None = None
    status: Status = Status.MENUNGGU
    created_at: datetime
    updated_at: datetime
    first_action_due: datetime | None = None
    finish_due: datetime | None = None
    first_action_at: datetime | None = None
    closed_at: datetime | None = None
    external_id: str | None = None  # the channel's own message id (dedupe key)
    entered_by: str | None = None  # officer who typed in a walk-in complaint
    ews_at: datetime | None = None  # estimasi waktu selesai set by the unit for a long job
    parent_ticket: str | None = None  # set when merged as a duplicate
    rating: Rating | None = None
    review_requested: bool = False  # a poor rating waits for the validator
    # When the finish clock last (re)started: intake, or a TL Ditolak / reopening.
    finish_started_at: datetime | None = None
    sla_sent: list[str] = Field(default_factory=list)  # SLA warnings/escalations done (keys)
    # Likely duplicates found at intake, for the officer to confirm (never merged automatically).
    duplicate_candidates: list[dict[str, Any]] = Field(default_factory=list)
    supporter_count: int = 0  # citizens who said "me too" (incl. merged duplicates' reporters)
    priority: str = "normal"  # "tinggi" once enough citizens support it
    reopen_count: int = 0
    event_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def open_report(
    *,
    ticket: str,
    channel: str,
    description: str,
    now: datetime,
    policy: SlaPolicy,
    category: str | None = None,
    point: GeoPoint | None = None,
    address: str | None = None,
    kelurahan_code: str | None = None,
    reporter: Reporter | None = None,
    external_id: str | None = None,
    entered_by: str | None = None,
) -> tuple[Report, HistoryEvent]:
    """A new report in `Menunggu`, its clock started at intake (DESIGN section 5)."""
    report = Report(
        ticket=ticket,
        channel=channel,
        description=description,
        category=category,
        point=point,
        address=address,
        kelurahan_code=kelurahan_code,
        reporter=reporter or Reporter(),
        created_at=now,
        updated_at=now,
        first_action_due=policy.add(now, policy.first_action_hours),
        finish_due=policy.add(now, policy.finish_hours),
        external_id=external_id,
        entered_by=entered_by,
        event_count=1,
    )
    event = HistoryEvent(
        seq=1,
        at=now,
        action=Action.TERIMA,
        status=Status.MENUNGGU,
        actor=entered_by or SYSTEM_ACTOR,
        note="Laporan diterima dan menunggu ditangani. / Report received, waiting for a unit.",
        data={"channel": channel},
    )
    return report, event


def apply_action(
    report: Report,
    action: Action,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    internal_note: str | None = None,
    unit: str | None = None,
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[Report, HistoryEvent]:
    """Apply one lifecycle action; raise `IllegalTransition` if the status does not allow it.

    `changes` are further field updates the action implies (deadlines, photos, rating),
    decided by the caller's rule and applied in the same step.
    """
    target = next_status(report.status, action)
    if target is None:
        raise IllegalTransition(
            code="transisi_tidak_sah",
            message_id=f"Aksi '{action}' tidak dapat dilakukan pada laporan berstatus "
            f"'{report.status}'.",
            message_en=f"Action '{action}' is not allowed while the report is "
            f"'{report.status}'.",
        )
    if TRANSITIONS[action].needs_reason and not (note and note.strip()):
        raise ValidationFailed.of([FieldProblem(
            "note",
            f"Aksi '{action}' memerlukan alasan (note) yang dapat dibaca pelapor.",
            f"Action '{action}' needs a reason (note) the reporter can read.",
        )])
    for name, text in (("note", note), ("internal_note", internal_note)):
        if text is not None and len(text) > MAX_NOTE_LENGTH:
            raise ValidationFailed.of([FieldProblem(
                name,
                f"Kolom '{name}' paling panjang {MAX_NOTE_LENGTH} karakter.",
                f"Field '{name}' must be at most {MAX_NOTE_LENGTH} characters.",
            )])
    changes = {
        **(changes or {}),
        "status": target,
        "updated_at": now,
        "event_count": report.event_count + 1,
    }
    if unit is not None:
        changes["unit"] = unit
    if action in FIRST_ACTIONS and report.first_action_at is None:
        changes["first_action_at"] = now
    if target in CLOSED_STATUSES:
        changes["closed_at"] = now
    elif report.closed_at is not None:
        changes["closed_at"] = None
    updated = report.model_copy(update=changes)
    event = HistoryEvent(
        seq=updated.event_count,
        at=now,
        action=action,
        status=target,
        actor=actor,
        unit=updated.unit,
        note=note,
        internal_note=internal_note,
        data=data or {},
    )
    return updated, event
