"""Adding SLA hours in calendar time, or in working time with Jakarta's holidays.

Working time is Monday to Friday, 07:30-16:00 WIB (Pemprov DKI office hours), minus
national holidays and cuti bersama. Calendar time is the default (DESIGN section 5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from chalicelib.domain.timefmt import WIB

DAY_START = time(7, 30)
DAY_END = time(16, 0)


class WorkingCalendar:
    def __init__(self, holidays: Iterable[date] = (), start: time = DAY_START,
                 end: time = DAY_END) -> None:
        self.holidays = frozenset(holidays)
        self.start, self.end = start, end

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add(self, moment: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `moment` (UTC in, UTC out)."""
        remaining = timedelta(hours=hours)
        local = moment.astimezone(WIB)
        while True:
            day = local.date()
            opens = datetime.combine(day, self.start, WIB)
            closes = datetime.combine(day, self.end, WIB)
            if self.is_working_day(day) and local < closes:
                local = max(local, opens)
                available = closes - local
                if remaining <= available:
                    return (local + remaining).astimezone(moment.tzinfo)
                remaining -= available
            local = datetime.combine(day + timedelta(days=1), self.start, WIB)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from `start` to `end` (0 if end is before start)."""
        if end <= start:
            return 0.0
        total = timedelta()
        local, stop = start.astimezone(WIB), end.astimezone(WIB)
        while local < stop:
            day = local.date()
            opens = datetime.combine(day, self.start, WIB)
            closes = datetime.combine(day, self.end, WIB)
            if self.is_working_day(day):
                low, high = max(local, opens), min(stop, closes)
                if high > low:
                    total += high - low
            local = datetime.combine(day + timedelta(days=1), time(0), WIB)
        return total.total_seconds() / 3600


def add_calendar_hours(moment: datetime, hours: float) -> datetime:
    return moment + timedelta(hours=hours)
