"""What the public may see of a report: never the reporter's name, phone or email."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.categories import Categories
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.sla import next_due, overdue_by
from chalicelib.domain.status import STATUS_COLOUR, Action
from chalicelib.domain.timefmt import utc_iso, wib_text
from chalicelib.domain.units import UnitDirectory


def _moment(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    return {"utc": utc_iso(value), "wib": wib_text(value)}


def public_report(report: Report, history: list[HistoryEvent], *, units: UnitDirectory,
                  categories: Categories, now: datetime) -> dict[str, Any]:
    category = categories.get(report.category) if report.category else None
    unit = units.get(report.unit) if report.unit else None
    return {
        "ticket": report.ticket,
        "status": str(report.status),
        "status_colour": STATUS_COLOUR[report.status],
        "category": (
            {"id": category.id, "name": category.name, "name_en": category.name_en}
            if category else None
        ),
        "channel": report.channel,
        "description": report.description,
        "address": report.address,
        "kelurahan_code": report.kelurahan_code,
        "unit": {"code": unit.code, "name": unit.name} if unit else None,
        "created_at": _moment(report.created_at),
        "due_at": _moment(next_due(report)),
        "overdue": overdue_by(report, now) is not None,
        "first_action_due": _moment(report.first_action_due),
        "finish_due": _moment(report.finish_due),
        "ews_at": _moment(report.ews_at),
        "parent_ticket": report.parent_ticket,
        "supporter_count": report.supporter_count,
        "rating": {"stars": report.rating.stars} if report.rating else None,
        # SLA warnings and escalations are internal: the timeline shows what the citizen can use.
        "history": [
            {
                "at": _moment(event.at),
                "action": str(event.action),
                "status": str(event.status),
                "status_colour": STATUS_COLOUR[event.status],
                "unit": event.unit,
                "note": event.note,
            }
            for event in history
            if event.action != Action.SLA
        ],
    }
