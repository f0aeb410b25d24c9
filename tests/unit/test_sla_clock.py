"""The SLA clock under random action sequences and random sweep times."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import IllegalTransition
from chalicelib.domain.report import apply_action, open_report
from chalicelib.domain.sla import (
    next_check,
    next_due,
    overdue_by,
    pending_steps,
    record_steps,
    running_clock,
    sla_steps,
    step_recipients,
    time_left,
)
from chalicelib.domain.status import Action, Status

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # Saturday 10:00 WIB
CHAIN = ["31.71.01.1001", "31.71.01", "31.71", "biro-pemerintahan"]
POLICY = SlaPolicy()


def fresh(policy=POLICY):
    report, _ = open_report(ticket="K7Q4-M9XD", channel="jaki", description="x", now=T0,
                            policy=policy, kelurahan_code=CHAIN[0])
    report, _ = apply_action(report, Action.TUGASKAN, actor="sistem", now=T0, unit=CHAIN[0])
    return report


def test_default_steps_warn_at_80_percent_then_escalate_up_the_chain():
    report = fresh()
    steps = sla_steps(report, POLICY)
    assert [(s.level, s.at - T0) for s in steps] == [
        (0, timedelta(hours=4.8)), (1, timedelta(hours=6)), (2, timedelta(hours=30)),
        (3, timedelta(hours=78))]
    last = len(POLICY.escalation_hours)
    assert [step_recipients(CHAIN, s.level, last) for s in steps] == [
        ["31.71.01.1001"], ["31.71.01.1001", "31.71.01"], ["31.71"], ["biro-pemerintahan"]]
    assert step_recipients(["sudin:x:31.71", "opd:x", "biro-pemerintahan"], 2, 3) == [
        "biro-pemerintahan"]


def test_first_action_switches_to_the_finish_clock_and_validation_stops_it():
    report, _ = apply_action(fresh(), Action.PROSES, actor="l", now=T0 + timedelta(hours=1))
    assert running_clock(report)[0] == "finish" and next_due(report) == T0 + timedelta(days=7)
    report, _ = apply_action(report, Action.SELESAI, actor="l", now=T0 + timedelta(hours=2),
                             note="beres")
    assert report.status == Status.MENUNGGU_VALIDASI and next_check(report, POLICY) is None


def test_time_left_is_never_negative_and_overdue_says_by_how_much():
    report = fresh()
    assert time_left(report, T0) == timedelta(hours=6) and overdue_by(report, T0) is None
    late = T0 + timedelta(hours=8)
    assert time_left(report, late) == timedelta() and overdue_by(report, late) == timedelta(
        hours=2)


def test_working_calendar_skips_nights_weekends_and_holidays():
    calendar = WorkingCalendar(holidays=[datetime(2026, 12, 25).date()])
    # Saturday 10:00 WIB + 6 working hours -> Monday 13:30 WIB (07:30 + 6 h)
    assert calendar.add(T0, 6) == datetime(2026, 11, 30, 6, 30, tzinfo=UTC)
    # Thursday 24 Dec 15:00 WIB + 2 h: 1 h that day, Christmas skipped, Saturday/Sunday too
    start = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
    assert calendar.add(start, 2) == datetime(2026, 12, 28, 1, 30, tzinfo=UTC)
    assert calendar.working_hours_between(start, calendar.add(start, 2)) == 2


ACTIONS = [Action.PROSES, Action.KOORDINASI, Action.EWS, Action.SELESAI, Action.VALIDASI,
           Action.TL_DITOLAK, Action.TOLAK, Action.BUKA_KEMBALI]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60 * 30), st.sampled_from([None, *ACTIONS]),
                          st.booleans()), max_size=30))
def test_random_lives_never_miss_or_repeat_a_step(script):
    """After every sweep, every due step of the running clock is recorded, none twice, and
    each recorded step produced exactly one event."""
    report, now, sla_events = fresh(), T0, 0
    for minutes, action, sweep in script:
        now += timedelta(minutes=minutes)
        if action is not None:
            extra = {}
            if action == Action.EWS:
                extra = {"changes": {"ews_at": now + timedelta(days=3),
                                     "finish_due": now + timedelta(days=3)}}
            if action == Action.TL_DITOLAK:
                extra = {"changes": {"finish_due": now + timedelta(hours=72),
                                     "finish_started_at": now}}
            with contextlib.suppress(IllegalTransition):
                report, _ = apply_action(report, action, actor="o", now=now, note="n",
                                         unit="opd:bina-marga" if action == Action.KOORDINASI
                                         else None, **extra)
        if sweep:
            report, events = record_steps(report, POLICY, CHAIN, now)
            sla_events += len(events)
            assert pending_steps(report, POLICY, now) == []  # nothing due is left unsent
            again, repeat = record_steps(report, POLICY, CHAIN, now)  # an overlapping sweep
            assert repeat == [] and again == report
            check = next_check(report, POLICY)
            assert check is None or check > now
        remaining = time_left(report, now)
        assert remaining is None or remaining >= timedelta()
    assert len(report.sla_sent) == len(set(report.sla_sent)) == sla_events
