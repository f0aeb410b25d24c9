"""Reporting periods (week, month, quarter, year) on Jakarta's calendar.

Kinerja rankings and the SKM are computed per period, and DESIGN section 11 says
quarters and "days" are WIB days: a period starts and ends at midnight WIB
(Asia/Jakarta, UTC+7, no daylight saving). `start` and `end` are UTC datetimes of
those WIB boundaries (end exclusive), because the store keeps UTC.

Text forms are the ISO-like codes people and URLs use:

- `2026-W48` ISO 8601 week (Monday to Sunday; week 1 holds the year's first Thursday);
- `2026-11` month; `2026-Q3` quarter; `2026` year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.timefmt import WIB

# Far enough either side for any real report; keeps date arithmetic (previous/next) safe.
MIN_YEAR = 2000
MAX_YEAR = 2999

_ROMAN = ("I", "II", "III", "IV")
_BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
_MONTH = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_PATTERN = re.compile(r"^(\d{4})(?:-(?:W(\d{2})|Q(\d)|(\d{2})))?$", re.ASCII)


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    """One period. `number` is the ISO week, month (1-12) or quarter (1-4); 1 for a year."""

    kind: PeriodKind
    year: int
    number: int = 1

    def __post_init__(self) -> None:
        # Constructed directly (not parsed) periods are checked by the same rules.
        object.__setattr__(self, "kind", PeriodKind(self.kind))
        _check(self.kind, self.year, self.number, self.code)

    # -- text -------------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The canonical text form, e.g. `2026-W48`; `parse_period(p.code) == p`."""
        if self.kind == PeriodKind.WEEK:
            return f"{self.year:04d}-W{self.number:02d}"
        if self.kind == PeriodKind.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.code

    @property
    def label_id(self) -> str:
        if self.kind == PeriodKind.WEEK:
            return f"Minggu ke-{self.number} {self.year}"
        if self.kind == PeriodKind.MONTH:
            return f"{_BULAN[self.number - 1]} {self.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"Triwulan {_ROMAN[self.number - 1]} {self.year}"
        return f"Tahun {self.year}"

    @property
    def label_en(self) -> str:
        if self.kind == PeriodKind.WEEK:
            return f"Week {self.number} of {self.year}"
        if self.kind == PeriodKind.MONTH:
            return f"{_MONTH[self.number - 1]} {self.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"Q{self.number} {self.year}"
        return str(self.year)

    # -- boundaries -------------------------------------------------------------------
    @property
    def first_day(self) -> date:
        """The first WIB day of the period."""
        if self.kind == PeriodKind.WEEK:
            return date.fromisocalendar(self.year, self.number, 1)
        if self.kind == PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind == PeriodKind.QUARTER:
            return date(self.year, 3 * (self.number - 1) + 1, 1)
        return date(self.year, 1, 1)

    @property
    def end_day(self) -> date:
        """The first WIB day after the period (exclusive end)."""
        first = self.first_day
        if self.kind == PeriodKind.WEEK:
            return first + timedelta(days=7)
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        index = first.year * 12 + first.month - 1 + months
        return date(index // 12, index % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """Midnight WIB of the first day, in UTC (e.g. 2026-Q3 -> 2026-06-30T17:00Z)."""
        return wib_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Midnight WIB after the last day, in UTC; exclusive."""
        return wib_midnight(self.end_day)

    def days(self) -> list[date]:
        """Every WIB day in the period, in order (the keys of the daily counters)."""
        first, end = self.first_day, self.end_day
        return [first + timedelta(days=i) for i in range((end - first).days)]

    def contains(self, moment: datetime) -> bool:
        return self.start <= _aware(moment) < self.end

    def contains_day(self, day: date) -> bool:
        return self.first_day <= day < self.end_day

    # -- neighbours -------------------------------------------------------------------
    def previous(self) -> Period:
        """The period of the same kind just before (the baseline of a trend)."""
        if self.kind == PeriodKind.WEEK:
            return period_of_day(self.first_day - timedelta(days=1), PeriodKind.WEEK)
        return self._shift(-1)

    def next(self) -> Period:
        if self.kind == PeriodKind.WEEK:
            return period_of_day(self.first_day + timedelta(days=7), PeriodKind.WEEK)
        return self._shift(1)

    def _shift(self, step: int) -> Period:
        per_year = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[self.kind]
        index = self.year * per_year + (self.number - 1) + step
        return Period(self.kind, index // per_year, index % per_year + 1)


def wib_midnight(day: date) -> datetime:
    """00:00 WIB of `day`, as a UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=WIB).astimezone(UTC)


def wib_date(moment: datetime) -> date:
    """The WIB calendar day of a moment (naive datetimes are taken as UTC, as stored)."""
    return _aware(moment).astimezone(WIB).date()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def period_of_day(day: date, kind: PeriodKind | str) -> Period:
    """The period of `kind` that holds the WIB day `day`."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.WEEK:
        iso = day.isocalendar()
        return Period(kind, iso.year, iso.week)
    if kind == PeriodKind.MONTH:
        return Period(kind, day.year, day.month)
    if kind == PeriodKind.QUARTER:
        return Period(kind, day.year, (day.month - 1) // 3 + 1)
    return Period(kind, day.year)


def period_containing(moment: datetime, kind: PeriodKind | str) -> Period:
    """The period of `kind` holding `moment`, judged on the WIB calendar.

    2026-06-30T17:30Z is 00:30 WIB on 1 July, so it is in 2026-Q3, not Q2.
    """
    return period_of_day(wib_date(moment), kind)


def survey_quarter(launch: datetime) -> Period:
    """The quarter an SKM launched at `launch` surveys: the last complete one.

    The launch fires at 01:00 WIB on the first day of a quarter, so the quarter
    holding the launch has barely begun; the one before it is complete. A late
    or re-run launch later in the quarter still surveys the same previous quarter.
    """
    return period_containing(launch, PeriodKind.QUARTER).previous()


def _problem(id_: str, en: str) -> ValidationFailed:
    return ValidationFailed.of([FieldProblem("period", id_, en)])


def _check(kind: PeriodKind, year: int, number: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _problem(f"Tahun periode '{text}' harus antara {MIN_YEAR} dan {MAX_YEAR}.",
                       f"The year of period '{text}' must be between {MIN_YEAR} and "
                       f"{MAX_YEAR}.")
    if kind == PeriodKind.WEEK:
        weeks = date(year, 12, 28).isocalendar().week  # 28 Dec is always in the last week
        if not 1 <= number <= weeks:
            raise _problem(f"Tahun {year} hanya memiliki minggu ISO 1-{weeks} "
                           f"('{text}').", f"Year {year} has ISO weeks 1-{weeks} only ('{text}').")
    elif kind == PeriodKind.MONTH and not 1 <= number <= 12:
        raise _problem(f"Bulan pada '{text}' harus 01-12.",
                       f"The month in '{text}' must be 01-12.")
    elif kind == PeriodKind.QUARTER and not 1 <= number <= 4:
        raise _problem(f"Triwulan pada '{text}' harus Q1-Q4.",
                       f"The quarter in '{text}' must be Q1-Q4.")
    elif kind == PeriodKind.YEAR and number != 1:
        raise _problem("Periode tahunan tidak memiliki nomor.",
                       "A yearly period has no number.")


def parse_period(text: object) -> Period:
    """`2026-W48`, `2026-11`, `2026-Q3` or `2026` (case and surrounding spaces ignored)."""
    if not isinstance(text, str):
        raise _problem("Periode harus berupa teks, mis. 2026-W48, 2026-11, 2026-Q3 "
                       "atau 2026.", "The period must be text, e.g. 2026-W48, 2026-11, 2026-Q3 "
                       "or 2026.")
    cleaned = text.strip().upper()
    match = _PATTERN.match(cleaned)
    if match is None:
        raise _problem(f"Periode '{text}' tidak dikenal; gunakan 2026-W48 (minggu), "
                       "2026-11 (bulan), 2026-Q3 (triwulan) atau 2026 (tahun).",
                       f"Unknown period '{text}'; use 2026-W48 (week), 2026-11 (month), "
                       "2026-Q3 (quarter) or 2026 (year).")
    year_text, week, quarter, month = match.groups()
    year = int(year_text)
    if week is not None:
        return Period(PeriodKind.WEEK, year, int(week))
    if quarter is not None:
        return Period(PeriodKind.QUARTER, year, int(quarter))
    if month is not None:
        return Period(PeriodKind.MONTH, year, int(month))
    return Period(PeriodKind.YEAR, year)
