"""Complaint categories and the policy values that vary by category."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.calendar import WorkingCalendar, add_calendar_hours


class SlaPolicy(BaseModel):
    """Time limits of DESIGN section 5, in calendar hours."""

    first_action_hours: float = Field(6, gt=0)
    finish_hours: float = Field(7 * 24, gt=0)
    warn_fraction: float = Field(0.8, gt=0, lt=1)
    # After a validator rejects the follow-up (TL Ditolak) the unit gets this long to redo it
    # (unconfirmed default; shorter than a fresh finish limit).
    redo_hours: float = Field(72, gt=0)
    # Escalation after a breach, in hours after the deadline: the unit's parent at the
    # breach, the next level 24 h later, the Biro Pemerintahan 72 h later.
    escalation_hours: list[float] = Field(default_factory=lambda: [0, 24, 72])
    calendar: Literal["calendar", "working"] = "calendar"
    holidays: list[date] = Field(default_factory=list)  # filled in by the registry

    def add(self, start: datetime, hours: float) -> datetime:
        """`start` plus `hours` of this policy's time (calendar or working hours)."""
        if self.calendar == "working":
            return WorkingCalendar(self.holidays).add(start, hours)
        return add_calendar_hours(start, hours)

    def fraction_point(self, start: datetime, deadline: datetime, fraction: float) -> datetime:
        """The moment `fraction` of the time from `start` to `deadline` has run."""
        if self.calendar == "working":
            calendar = WorkingCalendar(self.holidays)
            return calendar.add(start, fraction * calendar.working_hours_between(start, deadline))
        return start + (deadline - start) * fraction


class Category(BaseModel):
    id: str
    name: str  # Bahasa Indonesia, shown first
    name_en: str
    opd: str | None = None  # the OPD to coordinate with (DESIGN section 3)
    # Who acts first: the kelurahan of the place (the default), or the OPD's suku dinas.
    first_responder: str = "kelurahan"
    sla: SlaPolicy = Field(default_factory=SlaPolicy)


class Categories:
    def __init__(self, categories: list[Category]) -> None:
        self._by_id = {c.id: c for c in categories}
        if len(self._by_id) != len(categories):
            raise ValueError("duplicate category ids")

    def get(self, category_id: str) -> Category | None:
        return self._by_id.get(category_id)

    def all(self) -> list[Category]:
        return list(self._by_id.values())
