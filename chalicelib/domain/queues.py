"""Which queues a report sits in, and which queues an officer reads.

A report is filed under who must act next (its unit, or the validators while it
awaits validation or a rating review), under every level of its unit's hierarchy
(so a camat or wali kota reads one queue for their whole area), and in the list
of all open reports (admins). Queues are sorted by the deadline the unit runs against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.officers import Officer, Role, unit_chain
from chalicelib.domain.report import Report
from chalicelib.domain.sla import next_due
from chalicelib.domain.status import Status
from chalicelib.domain.units import UnitDirectory

VALIDATION_QUEUE = "validasi"


@dataclass(frozen=True)
class QueueKeys:
    due: datetime | None  # sort key of every queue; None sorts last
    work: str | None = None  # unit (or VALIDATION_QUEUE) that must act next
    areas: dict[int, str] = field(default_factory=dict)  # depth -> ancestor unit
    listed: bool = False  # in the list of all open reports


@dataclass(frozen=True)
class QueueSource:
    kind: str  # "work" | "area" | "all"
    key: str = ""
    depth: int = 0


def queue_keys(report: Report, units: UnitDirectory) -> QueueKeys:
    pending_review = report.status == Status.SELESAI and report.review_requested
    if not (report.is_open or pending_review) or report.unit is None:
        return QueueKeys(due=None)
    awaiting_validator = report.status == Status.MENUNGGU_VALIDASI or pending_review
    chain = list(reversed(unit_chain(units, report.unit)))  # root (biro) first
    return QueueKeys(
        due=next_due(report),
        work=VALIDATION_QUEUE if awaiting_validator else report.unit,
        areas={depth: code for depth, code in enumerate(chain) if depth >= 1},
        listed=True,
    )


def officer_sources(officer: Officer, units: UnitDirectory) -> list[QueueSource]:
    """The queues that together hold exactly the reports an officer works on."""
    if officer.role == Role.ADMIN:
        return [QueueSource("all")]
    if officer.role == Role.VALIDATOR:
        # Validation and rating reviews, plus what nobody could place (triage).
        return [QueueSource("work", VALIDATION_QUEUE), QueueSource("work", officer.unit)]
    depth = len(unit_chain(units, officer.unit)) - 1
    if depth <= 0:
        return [QueueSource("work", officer.unit)]
    return [QueueSource("area", officer.unit, depth)]
