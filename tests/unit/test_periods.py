"""Reporting periods on the WIB calendar: parsing, boundaries, neighbours, the SKM quarter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.periods import (
    Period,
    PeriodKind,
    parse_period,
    period_containing,
    period_of_day,
    survey_quarter,
    wib_date,
    wib_midnight,
)
from chalicelib.domain.timefmt import WIB


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


@pytest.mark.parametrize(("text", "kind", "year", "number"), [
    ("2026-W48", PeriodKind.WEEK, 2026, 48),
    ("2026-11", PeriodKind.MONTH, 2026, 11),
    ("2026-Q3", PeriodKind.QUARTER, 2026, 3),
    ("2026", PeriodKind.YEAR, 2026, 1),
    (" 2026-q3 ", PeriodKind.QUARTER, 2026, 3),
    ("2026-w01", PeriodKind.WEEK, 2026, 1),
    ("2026-W53", PeriodKind.WEEK, 2026, 53),  # 2026 starts on a Thursday: 53 ISO weeks
])
def test_parse_known_forms(text, kind, year, number):
    period = parse_period(text)
    assert (period.kind, period.year, period.number) == (kind, year, number)
    assert parse_period(period.code) == period


@pytest.mark.parametrize("text", [
    "", "26-Q3", "2026-Q0", "2026-Q5", "2026-00", "2026-13", "2026-W00", "2025-W53",
    "2026-W54", "2026-1", "2026/11", "2026-H1", "1999", "3000-01", "Q3-2026", "2026-11-01",
])
def test_bad_strings_are_a_bilingual_validation_failure(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_period(text)
    problem = caught.value.problems[0]
    assert problem.field == "period"
    assert problem.message_id and problem.message_en
    assert problem.message_id != problem.message_en


def test_non_text_is_refused():
    with pytest.raises(ValidationFailed):
        parse_period(202611)


def test_quarter_boundaries_are_wib_midnights():
    q3 = parse_period("2026-Q3")
    assert q3.start == wib(2026, 7, 1) == datetime(2026, 6, 30, 17, tzinfo=UTC)
    assert q3.end == wib(2026, 10, 1) == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert q3.start.tzinfo == UTC
    assert q3.first_day == date(2026, 7, 1)
    assert q3.last_day == date(2026, 9, 30)
    assert len(q3.days()) == 92
    assert q3.label_id == "Triwulan III 2026"


def test_week_month_year_boundaries():
    week = parse_period("2026-W48")
    assert week.first_day == date(2026, 11, 23)  # a Monday
    assert week.days() == [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
    assert week.start == wib(2026, 11, 23)
    assert parse_period("2026-02").days()[-1] == date(2026, 2, 28)
    assert len(parse_period("2028-02").days()) == 29
    assert len(parse_period("2028").days()) == 366
    # ISO week 1 of 2027 starts on Monday 4 January 2027.
    assert parse_period("2027-W01").first_day == date(2027, 1, 4)


def test_contains_uses_wib_not_utc():
    q3 = parse_period("2026-Q3")
    # 30 June 17:30 UTC is 1 July 00:30 WIB.
    assert q3.contains(datetime(2026, 6, 30, 17, 30, tzinfo=UTC))
    assert not q3.contains(datetime(2026, 6, 30, 16, 59, tzinfo=UTC))
    assert not q3.contains(datetime(2026, 9, 30, 17, 0, tzinfo=UTC))  # end is exclusive
    assert period_containing(datetime(2026, 6, 30, 17, 30, tzinfo=UTC), "quarter") == q3
    assert period_containing(datetime(2026, 6, 30, 16, 30, tzinfo=UTC), "quarter").code == (
        "2026-Q2")
    assert wib_date(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_previous_and_next():
    assert parse_period("2026-Q1").previous().code == "2025-Q4"
    assert parse_period("2026-01").previous().code == "2025-12"
    assert parse_period("2026").previous().code == "2025"
    assert parse_period("2026-W01").previous().code == "2025-W52"
    assert parse_period("2026-W53").next().code == "2027-W01"
    assert parse_period("2021-W01").previous().code == "2020-W53"
    assert parse_period("2026-12").next().code == "2027-01"


def test_survey_quarter_is_the_one_before_the_launch():
    # The launch fires at 01:00 WIB on the first day of a quarter.
    assert survey_quarter(wib(2026, 10, 1, 1, 0)).code == "2026-Q3"
    assert survey_quarter(wib(2026, 1, 1, 1, 0)).code == "2025-Q4"
    # A re-run later in the quarter still surveys the previous one.
    assert survey_quarter(wib(2026, 11, 15, 9, 0)).code == "2026-Q3"
    # 00:30 UTC on 1 October is 07:30 WIB, Q4; 17:00 UTC 30 Sept is 00:00 WIB 1 Oct.
    assert survey_quarter(datetime(2026, 9, 30, 17, 0, tzinfo=UTC)).code == "2026-Q3"
    assert survey_quarter(datetime(2026, 9, 30, 16, 59, tzinfo=UTC)).code == "2026-Q2"


def test_constructing_directly_is_checked_too():
    with pytest.raises(ValidationFailed):
        Period(PeriodKind.MONTH, 2026, 13)
    assert Period("quarter", 2026, 2).kind == PeriodKind.QUARTER  # type: ignore[arg-type]


days = st.dates(min_value=date(2001, 1, 1), max_value=date(2998, 12, 31))
kinds = st.sampled_from(list(PeriodKind))


@given(days, kinds)
def test_every_day_is_in_exactly_its_period(day, kind):
    period = period_of_day(day, kind)
    assert period.contains_day(day)
    assert day in period.days()
    assert not period.previous().contains_day(day)
    assert not period.next().contains_day(day)
    # Periods tile the calendar: the previous one ends where this one starts.
    assert period.previous().end == period.start
    assert period.previous().next() == period
    assert parse_period(period.code) == period
    # Every moment of the day, in WIB, belongs to the period.
    midnight = wib_midnight(day)
    assert period.contains(midnight)
    assert period.contains(midnight + timedelta(hours=23, minutes=59))
    assert period_containing(midnight + timedelta(hours=12), kind) == period
