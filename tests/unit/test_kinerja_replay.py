"""Replaying a report's history gives what the stream counted, change by change.

The nightly reconciliation relies on it: `replay_deltas(report, history, policy)` must
equal the sum of `kinerja_deltas(before, after, new events)` over the stored changes,
whatever the workflow did (deadlines moved by EWS, TL Ditolak, reopening, SLA sweeps).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.kinerja import (
    KinerjaCounters,
    counter_drift,
    counters_by_unit,
    kinerja_deltas,
    replay_deltas,
)
from chalicelib.domain.rating import rate
from chalicelib.domain.report import apply_action, open_report
from chalicelib.domain.sketch import DurationSketch, bucket_of
from chalicelib.domain.sla import record_steps
from chalicelib.domain.status import Action, Status, next_status

POLICY = SlaPolicy()
T0 = datetime(2026, 8, 3, 1, 0, tzinfo=UTC)
KEL = "31.71.01.1001"
SUDIN = "sudin:bina-marga:31.71"
CHAIN = [KEL, "31.71.01", "31.71", "biro-pemerintahan"]
STEPS = ("proses", "koordinasi", "ews", "selesai", "validasi", "tl_ditolak", "buka_kembali",
         "nilai", "sweep")


class Recorder:
    """A report driven through the domain as the services do, recording each stored change."""

    def __init__(self) -> None:
        self.report, event = open_report(ticket="K7Q4-M9XD", channel="jaki",
                                         description="jalan rusak", now=T0, policy=POLICY,
                                         kelurahan_code=KEL)
        self.history = [event]
        self.stream = kinerja_deltas(None, self.report, [event])
        self.now = T0
        self.change(*apply_action(self.report, Action.TUGASKAN, actor="sistem", now=T0,
                                  unit=KEL))

    def change(self, after, events) -> None:
        events = events if isinstance(events, list) else [events]
        self.stream += kinerja_deltas(self.report, after, events)
        self.report = after
        self.history += events

    def step(self, name: str, hours: float) -> None:
        self.now += timedelta(hours=hours)
        now, report = self.now, self.report
        if name == "sweep":
            after, events = record_steps(report, POLICY, CHAIN, now)
            if events:
                self.change(after, events)
            return
        if name == "nilai":
            if report.status == Status.SELESAI and report.rating is None:
                self.change(*rate(report, 1 + int(hours) % 5, None, now))
            return
        action = Action(name)
        if next_status(report.status, action) is None:
            return
        changes: dict = {}
        unit = None
        if action == Action.KOORDINASI:
            unit = SUDIN if report.unit != SUDIN else KEL
        elif action == Action.EWS:
            changes = {"finish_due": now + timedelta(days=10), "ews_at": now + timedelta(days=10)}
        elif action in (Action.TL_DITOLAK, Action.BUKA_KEMBALI):
            changes = {"finish_due": POLICY.add(now, POLICY.redo_hours),
                       "finish_started_at": now, "review_requested": False}
        data = {"ews_at": changes["ews_at"].isoformat()} if "ews_at" in changes else {}
        self.change(*apply_action(report, action, actor="x", now=now, note="catatan",
                                  unit=unit, data=data, changes=changes))


def totals(deltas) -> dict[tuple[str, date], dict]:
    out: dict[tuple[str, date], KinerjaCounters] = {}
    for d in deltas:
        out[(d.unit, d.day)] = out.get((d.unit, d.day), KinerjaCounters()) + d.counters
    return {k: v.to_item() for k, v in out.items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.floats(0.5, 60)), max_size=14))
def test_replay_equals_what_the_stream_counted(steps):
    flow = Recorder()
    for name, hours in steps:
        flow.step(name, hours)
    replayed = replay_deltas(flow.report, flow.history, POLICY)
    assert totals(replayed) == totals(flow.stream)
    assert {d.source for d in replayed} == {d.source for d in flow.stream}


def test_a_rejected_follow_up_is_judged_against_the_deadline_it_had():
    flow = Recorder()
    flow.step("proses", 1)
    flow.step("selesai", 24 * 6)  # in time for the 7-day deadline
    flow.step("tl_ditolak", 2)
    flow.step("selesai", 24 * 5)  # late for the 72 h redo
    flow.step("validasi", 1)
    counts = KinerjaCounters()
    for delta in replay_deltas(flow.report, flow.history, POLICY):
        counts += delta.counters
    assert (counts["finished_in_sla"], counts["finished_late"]) == (1, 1)


def test_counter_drift_names_the_units_and_the_correction():
    day = date(2026, 8, 3)
    flow = Recorder()
    flow.step("proses", 2)
    expected = counters_by_unit(replay_deltas(flow.report, flow.history, POLICY), day)
    assert set(expected) == {KEL}
    stored = {KEL: expected[KEL] + KinerjaCounters({"received": 2}),
              SUDIN: KinerjaCounters({"validated": 1}, finish=DurationSketch.of([600]))}
    drifts = counter_drift(expected, stored)
    assert [d.unit for d in drifts] == [KEL, SUDIN]
    assert drifts[0].correction == {"received": -2}
    assert drifts[1].correction == {f"fin_{bucket_of(600)}": -1, "validated": -1}
    assert counter_drift(expected, expected) == []
