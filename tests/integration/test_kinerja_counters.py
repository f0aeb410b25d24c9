"""Kinerja counters kept by the stream: once under redelivery, reconciled nightly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.kinerja import KinerjaCounters
from chalicelib.domain.periods import parse_period
from chalicelib.registry import demo_officers
from chalicelib.services import kinerja_stream
from chalicelib.services.directory import subscribe_officer
from chalicelib.services.kinerja_deps import kinerja_deps
from chalicelib.services.kinerja_reconcile import freeze_periods, reconcile_day
from chalicelib.services.stream import PROCESSORS
from tests.integration import sent
from tests.integration.kinerja_support import KEL, Officers, Stream, cheap_transactions
from tests.integration.streams import drain_stream_event

DAY = date(2026, 8, 12)  # a Wednesday in 2026-Q3
START = datetime(2026, 8, 12, 1, 0, tzinfo=UTC)  # 08:00 WIB


@pytest.fixture
def client(cognito, deps, clock):
    clock.now = START
    for officer in demo_officers():
        subscribe_officer(deps, officer)
    with cheap_transactions(), Client(app) as test_client:
        yield test_client


def finished_report(client, clock, stream=None):
    stream = stream or Stream(client)
    officers = Officers(client, stream)
    ticket = officers.file("+6281200000001")
    clock.advance(hours=2)
    officers.proses(ticket)
    clock.advance(days=1)
    officers.selesai(ticket)
    clock.advance(hours=3)
    officers.validasi(ticket)
    stream.pump()
    return ticket, stream


def day_counts(deps, day):
    return {unit: dict(c.counts) for unit, c in kinerja_deps(deps).counters.day(day).items()}


def test_the_stream_counts_a_finished_report_into_day_month_and_quarter(client, deps, clock):
    finished_report(client, clock)
    counters = kinerja_deps(deps).counters
    assert day_counts(deps, DAY) == {KEL: {"received": 1, "first_action_in_sla": 1}}
    assert day_counts(deps, date(2026, 8, 13)) == {KEL: {"finished_in_sla": 1, "validated": 1}}
    for code in ("2026-08", "2026-Q3"):
        [row] = counters.period(parse_period(code))
        assert row.unit == KEL
        assert dict(row.counters.counts) == {"received": 1, "first_action_in_sla": 1,
                                             "finished_in_sla": 1, "validated": 1}
        assert row.counters.first_action.count == 1 and row.counters.finish.count == 1
        assert row.counters.first_action.median == pytest.approx(2 * 3600, rel=0.01)


def test_redelivered_records_add_nothing(client, deps, clock):
    finished_report(client, clock)
    before = kinerja_deps(deps).counters.period(parse_period("2026-Q3"))
    everything = drain_stream_event()  # the whole stream again, as after a Lambda retry
    for _ in range(2):
        assert client.lambda_.invoke("route_reports", everything).payload == {
            "batchItemFailures": []}
    assert kinerja_deps(deps).counters.period(parse_period("2026-Q3")) == before


def test_reconciliation_of_a_clean_day_finds_nothing(client, deps, clock):
    finished_report(client, clock)
    result = reconcile_day(deps, DAY)
    assert result.clean and result.events >= 3 and result.reports == 1
    assert result.units == 1 and result.corrected == 0
    assert reconcile_day(deps, date(2026, 8, 13)).clean


def test_reconciliation_detects_injected_drift_alerts_the_biro_and_fixes_it(client, deps,
                                                                          clock):
    finished_report(client, clock)
    counters = kinerja_deps(deps).counters
    # A bug (or a hand edit) adds two phantom receipts and a stray sketch count.
    counters.apply_correction("bug#1", KEL, DAY, {"received": 2, "fa_10": 1}, clock())
    clock.now = datetime(2026, 8, 13, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 14th
    result = reconcile_day(deps, DAY, fix=False)
    [drift] = result.drift
    assert drift["unit"] == KEL and drift["correction"] == {"fa_10": -1, "received": -2}
    assert day_counts(deps, DAY)[KEL]["received"] == 3  # report-only leaves it alone

    fixed = reconcile_day(deps, DAY)
    assert fixed.corrected == 1
    assert day_counts(deps, DAY) == {KEL: {"received": 1, "first_action_in_sla": 1}}
    [quarter] = counters.period(parse_period("2026-Q3"))
    assert quarter.counters["received"] == 1 and quarter.counters.first_action.count == 1
    assert reconcile_day(deps, DAY).clean

    # August, frozen with a bug in it, is refreshed when the 12th is corrected.
    counters.apply_correction("bug#2", KEL, DAY, {"validated": 1}, clock())
    assert freeze_periods(deps, date(2026, 8, 31)) == ["2026-08"]
    september = datetime(2026, 9, 2, tzinfo=UTC)
    assert counters.period(parse_period("2026-08"), september)[0].counters["validated"] == 2
    clock.now = datetime(2026, 8, 12, 17, 30, tzinfo=UTC)  # the scheduled run, for the 12th
    payload = client.lambda_.invoke(
        "kinerja_reconcile", client.events.generate_cw_event(
            "aws.events", "Scheduled Event", {}, [], region="ap-southeast-3")).payload
    assert payload["day"] == "2026-08-12" and payload["corrected"] == 1
    assert payload["snapshots"] == ["2026-08"]
    [august] = counters.period(parse_period("2026-08"), september)
    assert august.counters["validated"] == 1  # the snapshot, refreshed after the correction
    [alert] = [a for a in sent.unit_alerts("unit-biro-pemerintahan")
               if "kinerja" in a["subject"]]
    assert "2026-08-12" in alert["subject"] and KEL in alert["email"]


def test_a_record_the_stream_lost_is_applied_once_by_the_reconciliation(client, deps, clock,
                                                                        monkeypatch):
    stream = Stream(client)
    officers = Officers(client, stream)
    ticket = officers.file("+6281200000002")
    clock.advance(hours=1)
    # The kinerja processor misses this change (its record was lost after the retries).
    for key in (("report", "MODIFY"), ("report", "INSERT")):
        monkeypatch.setitem(PROCESSORS, key, [p for p in PROCESSORS[key]
                                              if p is not kinerja_stream.count_report_change])
    officers.proses(ticket)
    stream.pump()
    monkeypatch.undo()
    assert "first_action_in_sla" not in day_counts(deps, DAY)[KEL]

    result = reconcile_day(deps, DAY)
    assert result.missed_events == [f"{ticket}#3"] and result.drift == []
    assert day_counts(deps, DAY)[KEL] == {"received": 1, "first_action_in_sla": 1}
    # The stream delivers the lost record after all: the marker stops a second count.
    client.lambda_.invoke("route_reports", drain_stream_event())
    assert day_counts(deps, DAY)[KEL] == {"received": 1, "first_action_in_sla": 1}


def test_counters_equal_the_sum_of_the_histories(client, deps, clock):
    """Replay and stream agree over a week of mixed work (the reconciliation's premise)."""
    stream = Stream(client)
    finished_report(client, clock, stream)
    officers = Officers(client, stream)
    late = officers.file("+6281200000003")
    clock.advance(hours=7)  # past the 6 h first-action limit: counted late at the breach
    client.lambda_.invoke("sla_sweep", client.events.generate_cw_event(
        "aws.events", "Scheduled Event", {}, [], region="ap-southeast-3"))
    stream.pump()
    officers.proses(late)
    stream.pump()
    for day in (DAY, date(2026, 8, 13), date(2026, 8, 14)):
        assert reconcile_day(deps, day, fix=False).clean, day
    totals = KinerjaCounters()
    for row in kinerja_deps(deps).counters.period(parse_period("2026-08")):
        totals += row.counters
    assert totals["received"] == 2 and totals["first_action_late"] == 1
