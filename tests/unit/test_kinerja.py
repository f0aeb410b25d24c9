"""Kinerja: what the stream counts, aggregation, the score, rankings and trends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.ikm import HasilSkm
from chalicelib.domain.kinerja import (
    COUNTERS,
    BobotSkor,
    DailyCounters,
    KinerjaConfig,
    KinerjaCounters,
    Lingkup,
    aggregate,
    evaluate,
    kinerja_deltas,
    kinerja_periode,
    komponen_skor,
    latest_ikm,
    peringkat,
    rank_positions,
    rollup,
    skor,
)
from chalicelib.domain.periods import parse_period
from chalicelib.domain.rating import rate
from chalicelib.domain.report import Report, apply_action, open_report
from chalicelib.domain.sketch import DurationSketch
from chalicelib.domain.sla import record_steps
from chalicelib.domain.status import Action
from chalicelib.domain.units import Opd, UnitDirectory
from chalicelib.domain.wilayah import Wilayah, WilayahRow
from chalicelib.kinerja_config import kinerja_config, load_kinerja_config

POLICY = SlaPolicy()  # first action 6 h, finish 7 days, breach escalations at 0/24/72 h
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 08:00 WIB
KEL = "31.71.01.1001"
KEL2 = "31.71.01.1002"
KEL3 = "31.71.02.1001"
KEL_B = "31.72.01.1001"
KEC = "31.71.01"
KEC2 = "31.71.02"
KEC_B = "31.72.01"
KOTA = "31.71"
KOTA_B = "31.72"
OPD = "opd:bina-marga"
SUDIN = "sudin:bina-marga:31.71"
SUDIN_B = "sudin:bina-marga:31.72"
PAM = "opd:pam-jaya"
CHAIN = [KEL, KEC, KOTA, "biro-pemerintahan"]


def directory() -> UnitDirectory:
    rows = [
        WilayahRow(KEL, "Gambir", KEC, "Gambir", KOTA, "Kota Administrasi Jakarta Pusat"),
        WilayahRow(KEL2, "Cideng", KEC, "Gambir", KOTA, "Kota Administrasi Jakarta Pusat"),
        WilayahRow(KEL3, "Kebon Kosong", KEC2, "Kemayoran", KOTA,
                   "Kota Administrasi Jakarta Pusat"),
        WilayahRow(KEL_B, "Tanjung Priok", KEC_B, "Tanjung Priok", KOTA_B,
                   "Kota Administrasi Jakarta Utara"),
    ]
    return UnitDirectory(Wilayah(rows), [Opd("bina-marga", "Dinas Bina Marga", "Bina Marga"),
                                         Opd("pam-jaya", "PAM Jaya", "PAM Jaya", False)])


UNITS = directory()
CONFIG = KinerjaConfig()


# -- the stream's decision ------------------------------------------------------------


class Flow:
    """Drives one report through real domain actions, collecting kinerja deltas."""

    def __init__(self, at: datetime = T0, ticket: str = "K7Q4-M9XD") -> None:
        self.report, event = open_report(ticket=ticket, channel="jaki", description="jalan "
                                         "berlubang", now=at, policy=POLICY, kelurahan_code=KEL)
        self.deltas = kinerja_deltas(None, self.report, [event])

    def do(self, action: Action, at: datetime, **kwargs):
        before = self.report
        kwargs.setdefault("note", "catatan")
        self.report, event = apply_action(before, action, actor="petugas", now=at, **kwargs)
        new = kinerja_deltas(before, self.report, [event])
        self.deltas += new
        return new

    def sweep(self, at: datetime):
        before = self.report
        self.report, events = record_steps(before, POLICY, CHAIN, at)
        new = kinerja_deltas(before, self.report, events)
        self.deltas += new
        return new

    def rate(self, stars: int, at: datetime):
        before = self.report
        self.report, event = rate(before, stars, None, at)
        new = kinerja_deltas(before, self.report, [event])
        self.deltas += new
        return new

    def totals(self) -> dict[str, KinerjaCounters]:
        out: dict[str, KinerjaCounters] = {}
        for d in self.deltas:
            out[d.unit] = out.get(d.unit, KinerjaCounters()) + d.counters
        return out


def counts(deltas) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for d in deltas:
        for name, value in d.counters.counts.items():
            out.setdefault(d.unit, {})
            out[d.unit][name] = out[d.unit].get(name, 0) + value
    return out


def test_intake_credits_nobody_and_routing_credits_the_kelurahan():
    flow = Flow()
    assert flow.deltas == []
    new = flow.do(Action.TUGASKAN, T0 + timedelta(minutes=1), unit=KEL, note=None)
    assert counts(new) == {KEL: {"received": 1}}
    assert new[0].day == date(2026, 11, 23)
    assert new[0].source == "K7Q4-M9XD#2"


def test_first_action_within_sla_with_its_duration():
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    new = flow.do(Action.PROSES, T0 + timedelta(hours=2))
    assert counts(new) == {KEL: {"first_action_in_sla": 1}}
    assert new[0].counters.first_action == DurationSketch.of([7200])


def test_late_first_action_without_a_breach_event_counts_late_once():
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    new = flow.do(Action.PROSES, T0 + timedelta(hours=7))
    assert counts(new) == {KEL: {"first_action_late": 1}}
    assert flow.do(Action.SELESAI, T0 + timedelta(hours=8))  # finish counted, not first action
    assert counts(flow.deltas)[KEL].get("first_action_late") == 1


def test_a_unit_that_never_acts_is_late_at_the_breach_and_not_again_when_it_acts():
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    assert counts(flow.sweep(T0 + timedelta(hours=5))) == {}  # the 80 % warning
    breach = flow.sweep(T0 + timedelta(hours=6, minutes=5))
    assert counts(breach) == {KEL: {"first_action_late": 1}}
    assert counts(flow.sweep(T0 + timedelta(hours=31))) == {}  # escalation: no new count
    act = flow.do(Action.PROSES, T0 + timedelta(hours=40))
    assert counts(act) == {}
    assert act[0].counters.first_action.count == 1  # the duration is still recorded


def test_a_late_sweep_writing_warning_and_breach_at_once_counts_once():
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    new = flow.sweep(T0 + timedelta(hours=30))  # warning, breach, first escalation
    assert len(flow.report.sla_sent) == 3
    assert counts(new) == {KEL: {"first_action_late": 1}}
    assert {d.source for d in new} == {f"K7Q4-M9XD#{flow.report.event_count - 1}"}


def test_koordinasi_credits_the_acting_kelurahan_and_the_receiving_unit():
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    new = flow.do(Action.KOORDINASI, T0 + timedelta(hours=1), unit=OPD)
    assert counts(new) == {KEL: {"first_action_in_sla": 1}, OPD: {"received": 1}}
    new = flow.do(Action.DISPOSISI, T0 + timedelta(hours=2), unit=SUDIN)
    assert counts(new) == {SUDIN: {"received": 1}}  # not a first action any more


def test_closing_with_a_reason_is_a_response():
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    new = flow.do(Action.BUKAN_KEWENANGAN, T0 + timedelta(hours=1))
    assert counts(new) == {KEL: {"first_action_in_sla": 1}}


def finish_flow() -> Flow:
    flow = Flow()
    flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
    flow.do(Action.PROSES, T0 + timedelta(hours=1))
    return flow


def test_finish_validation_rejection_and_redo():
    flow = finish_flow()
    new = flow.do(Action.SELESAI, T0 + timedelta(days=2))
    assert counts(new) == {KEL: {"finished_in_sla": 1}}
    assert new[0].counters.finish == DurationSketch.of([2 * 86400])
    now = T0 + timedelta(days=2, hours=3)
    new = flow.do(Action.TL_DITOLAK, now, changes={
        "finish_due": now + timedelta(hours=POLICY.redo_hours), "finish_started_at": now})
    assert counts(new) == {KEL: {"validated": 1, "tl_ditolak": 1}}
    # The redo misses its 72 h: the sweep counts the new obligation late once...
    breach = flow.sweep(now + timedelta(hours=73))
    assert counts(breach) == {KEL: {"finished_late": 1}}
    # ...and the late redo adds only its duration (from the rejection, 100 h).
    redo = flow.do(Action.SELESAI, now + timedelta(hours=100))
    assert counts(redo) == {}
    assert redo[0].counters.finish == DurationSketch.of([100 * 3600])
    assert counts(flow.do(Action.VALIDASI, now + timedelta(hours=101))) == {KEL: {"validated": 1}}
    assert counts(flow.deltas)[KEL] == {
        "received": 1, "first_action_in_sla": 1, "finished_in_sla": 1, "finished_late": 1,
        "validated": 2, "tl_ditolak": 1}


def test_ews_after_a_breach_does_not_turn_lateness_into_on_time():
    flow = finish_flow()
    flow.sweep(T0 + timedelta(days=7, hours=2))  # finish deadline breached
    later = T0 + timedelta(days=20)
    flow.do(Action.EWS, T0 + timedelta(days=8), changes={"finish_due": later, "ews_at": later})
    new = flow.do(Action.SELESAI, T0 + timedelta(days=10))
    assert counts(new) == {}
    assert counts(flow.deltas)[KEL]["finished_late"] == 1
    assert "finished_in_sla" not in counts(flow.deltas)[KEL]


def test_ews_before_the_deadline_moves_it():
    flow = finish_flow()
    later = T0 + timedelta(days=20)
    flow.do(Action.EWS, T0 + timedelta(days=3), changes={"finish_due": later, "ews_at": later})
    assert counts(flow.do(Action.SELESAI, T0 + timedelta(days=10))) == {
        KEL: {"finished_in_sla": 1}}


def selesai_flow() -> Flow:
    flow = finish_flow()
    flow.do(Action.SELESAI, T0 + timedelta(days=1))
    flow.do(Action.VALIDASI, T0 + timedelta(days=1, hours=1))
    return flow


def test_low_rating_and_the_reopening_it_causes_count_once_as_unhappy():
    flow = selesai_flow()
    new = flow.rate(1, T0 + timedelta(days=2))
    assert counts(new) == {KEL: {"ratings_count": 1, "ratings_sum": 1, "low_ratings": 1,
                                 "reopen_or_low": 1}}
    now = T0 + timedelta(days=3)
    new = flow.do(Action.BUKA_KEMBALI, now, changes={
        "review_requested": False, "finish_started_at": now,
        "finish_due": now + timedelta(hours=72)})
    assert counts(new) == {KEL: {"reopened": 1}}


def test_good_rating_and_a_reopening_without_low_rating():
    flow = selesai_flow()
    assert counts(flow.rate(5, T0 + timedelta(days=2))) == {
        KEL: {"ratings_count": 1, "ratings_sum": 5}}
    new = flow.do(Action.BUKA_KEMBALI, T0 + timedelta(days=3))
    assert counts(new) == {KEL: {"reopened": 1, "reopen_or_low": 1}}


def test_events_are_dated_by_their_wib_day_and_redelivery_is_ignored():
    flow = Flow(at=datetime(2026, 11, 28, 16, 0, tzinfo=UTC))
    before = flow.report
    late_evening = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 29th
    after, event = apply_action(before, Action.TUGASKAN, actor="sistem", now=late_evening,
                                unit=KEL)
    [delta] = kinerja_deltas(before, after, [event])
    assert delta.day == date(2026, 11, 29)
    assert kinerja_deltas(after, after, [event]) == []  # already in the "before" state


def test_deltas_store_as_flat_numeric_attributes():
    flow = finish_flow()
    [delta] = flow.do(Action.SELESAI, T0 + timedelta(days=1))
    item = delta.counters.to_item()
    assert item["finished_in_sla"] == 1
    assert all(isinstance(v, int) for v in item.values())
    assert KinerjaCounters.from_item({"pk": "x", **item}) == delta.counters


# -- aggregation and roll-up ----------------------------------------------------------


def c(**values) -> KinerjaCounters:
    return KinerjaCounters(values)


def test_aggregate_takes_only_the_days_of_the_period():
    week = parse_period("2026-W48")  # 23-29 November 2026
    rows = [
        DailyCounters(KEL, date(2026, 11, 22), c(received=100)),
        DailyCounters(KEL, date(2026, 11, 23), c(received=1)),
        DailyCounters(KEL, date(2026, 11, 29), c(received=2)),
        DailyCounters(KEL2, date(2026, 11, 30), c(received=50)),
    ]
    assert aggregate(rows, week) == {KEL: c(received=3)}


def test_rollup_follows_the_hierarchy():
    own = {KEL: c(received=1), KEL2: c(received=2), KEC: c(received=4), SUDIN: c(received=8),
           OPD: c(received=16)}
    rolled = rollup(own, UNITS)
    assert rolled[KEL]["received"] == 1
    assert rolled[KEC]["received"] == 7
    assert rolled[KOTA]["received"] == 7  # the sudin is the OPD's, not the kota's
    assert rolled[OPD]["received"] == 24
    assert rolled["biro-pemerintahan"]["received"] == 31


# -- score ---------------------------------------------------------------------------


def full() -> KinerjaCounters:
    return c(received=20, first_action_in_sla=8, first_action_late=2, finished_in_sla=6,
             finished_late=4, validated=10, tl_ditolak=2, reopen_or_low=2, ratings_count=4,
             ratings_sum=14)


def test_score_hand_computed():
    components = komponen_skor(full(), 85)
    # respons 8/10 = 0.8; selesai 6/10 = 0.6; validasi 1 - 2/10 = 0.8;
    # keluhan 1 - 2/8 = 0.75 (8 accepted follow-ups); rating (3.5 - 1)/4 = 0.625;
    # ikm (85 - 25)/75 = 0.8
    assert {k: float(v) for k, v in components.items()} == {
        "respons": 0.8, "selesai": 0.6, "validasi": 0.8, "keluhan": 0.75, "rating": 0.625,
        "ikm": 0.8}
    # 100 x (0.2x0.8 + 0.25x0.6 + 0.15x0.8 + 0.1x0.75 + 0.15x0.625 + 0.15x0.8) / 1.0
    # = 100 x (0.16 + 0.15 + 0.12 + 0.075 + 0.09375 + 0.12) = 71.875 -> 71.88
    metrics = evaluate(KEL, full(), parse_period("2026-11"), CONFIG, 85)
    assert metrics.skor == 71.88
    assert metrics.first_action_in_sla_pct == 80.0
    assert metrics.finished_in_sla_pct == 60.0
    assert metrics.tl_ditolak_pct == 20.0
    assert metrics.reopen_low_pct == 25.0
    assert metrics.avg_rating == 3.5
    assert metrics.selesai == 8
    assert metrics.eligible


def test_missing_components_are_left_out_and_the_weights_renormalised():
    only_sla = c(received=10, first_action_in_sla=8, first_action_late=2, finished_in_sla=6,
                 finished_late=4)
    # (0.2 x 0.8 + 0.25 x 0.6) / (0.2 + 0.25) = 0.31 / 0.45 = 0.68888.. -> 68.89
    assert evaluate(KEL, only_sla, parse_period("2026-11"), CONFIG).skor == 68.89
    assert skor(komponen_skor(KinerjaCounters(), None), BobotSkor()) is None


def test_weights_are_configuration():
    speed_only = KinerjaConfig(bobot=BobotSkor(respons=1, selesai=0, validasi=0, keluhan=0,
                                               rating=0, ikm=0))
    assert evaluate(KEL, full(), parse_period("2026-11"), speed_only, 85).skor == 80.0
    with pytest.raises(ValueError):
        BobotSkor(respons=0, selesai=0, validasi=0, keluhan=0, rating=0, ikm=0)


def scaled(counters: KinerjaCounters, k: int) -> KinerjaCounters:
    return KinerjaCounters({n: v * k for n, v in counters.counts.items()},
                           DurationSketch({i: v * k for i, v in counters.first_action.counts
                                           .items()}),
                           DurationSketch({i: v * k for i, v in counters.finish.counts.items()}))


quality = st.builds(
    lambda fa_in, fa_late, fin_in, fin_late, ok, tl, unhappy, rated, stars, durations: c(
        received=fa_in + fa_late + 1, first_action_in_sla=fa_in, first_action_late=fa_late,
        finished_in_sla=fin_in, finished_late=fin_late, validated=ok + tl, tl_ditolak=tl,
        reopen_or_low=min(unhappy, ok), ratings_count=rated,
        ratings_sum=min(max(stars, rated), 5 * rated)).merge(
        KinerjaCounters(first_action=DurationSketch.of(durations))),
    *[st.integers(0, 40)] * 8, st.integers(0, 200), st.lists(st.floats(60, 10**6), max_size=5))


@settings(max_examples=150)
@given(quality, st.integers(2, 50), st.one_of(st.none(), st.floats(25, 100)))
def test_volume_never_raises_the_score(counters, k, ikm):
    # The same quality over k times the reports scores exactly the same.
    period = parse_period("2026-Q3")
    assert evaluate(KEL, scaled(counters, k), period, CONFIG, ikm).skor == evaluate(
        KEL, counters, period, CONFIG, ikm).skor


def test_doubling_a_units_identical_reports_leaves_its_rank_and_score():
    flows = []
    for i in range(12):
        flow = finish_flow() if i % 3 else Flow(ticket=f"T{i}")
        if i % 3 == 0:
            flow.do(Action.TUGASKAN, T0, unit=KEL, note=None)
            flow.do(Action.PROSES, T0 + timedelta(hours=8))  # late
        flows.append(flow)
    rows = [DailyCounters(d.unit, d.day, d.counters) for f in flows for d in f.deltas]
    period = parse_period("2026-W48")
    once = kinerja_periode(rows, period, UNITS, CONFIG)
    twice = kinerja_periode(rows + rows, period, UNITS, CONFIG)
    assert once[KEL].received == 12 and twice[KEL].received == 24
    assert once[KEL].skor == twice[KEL].skor


# -- rankings ------------------------------------------------------------------------


def good(n: int, late: int = 0) -> KinerjaCounters:
    return c(received=n, first_action_in_sla=n - late, first_action_late=late)


def rows_for(values: dict[str, KinerjaCounters], day: date = date(2026, 11, 24)):
    return [DailyCounters(u, day, v) for u, v in values.items()]


def table(tables, scope, group=None):
    return next(t for t in tables if t.lingkup == scope and t.kelompok == group)


def test_small_units_are_shown_but_not_ranked():
    period = parse_period("2026-W48")
    metrics = kinerja_periode(rows_for({KEL: good(10, 1), KEL2: good(9)}), period, UNITS,
                              CONFIG)
    tab = table(peringkat(metrics, UNITS, CONFIG), Lingkup.KELURAHAN_DALAM_KECAMATAN, KEC)
    assert [(p.unit, p.peringkat) for p in tab.posisi] == [(KEL, 1), (KEL2, None)]
    small = tab.posisi[1]
    assert small.skor == 100.0 and not small.eligible  # a perfect small unit is not ranked
    assert "kurang dari 10" in small.alasan_id and "fewer than 10" in small.alasan_en


def test_rankings_are_scoped_by_the_hierarchy():
    period = parse_period("2026-W48")
    data = {KEL: good(20, 2), KEL2: good(20, 1), KEL3: good(20, 0), KEL_B: good(20, 10),
            SUDIN: good(20, 0), SUDIN_B: good(20, 5), PAM: good(20, 4)}
    metrics = kinerja_periode(rows_for(data), period, UNITS, CONFIG)
    tables = peringkat(metrics, UNITS, CONFIG)

    within_kec = table(tables, Lingkup.KELURAHAN_DALAM_KECAMATAN, KEC)
    assert [(p.unit, p.peringkat) for p in within_kec.posisi] == [(KEL2, 1), (KEL, 2)]
    assert [p.unit for p in table(tables, Lingkup.KELURAHAN_DALAM_KECAMATAN, KEC2).posisi] == [
        KEL3]
    jakarta = table(tables, Lingkup.KELURAHAN_JAKARTA)
    assert [p.unit for p in jakarta.posisi] == [KEL3, KEL2, KEL, KEL_B]
    assert [p.peringkat for p in jakarta.posisi] == [1, 2, 3, 4]

    # Kecamatan on their rolled-up counters: Gambir 37/40 in SLA, Kemayoran 20/20.
    kec = table(tables, Lingkup.KECAMATAN_DALAM_KOTA, KOTA)
    assert [(p.unit, p.skor) for p in kec.posisi] == [(KEC2, 100.0), (KEC, 92.5)]
    assert [p.unit for p in table(tables, Lingkup.KECAMATAN_DALAM_KOTA, KOTA_B).posisi] == [
        KEC_B]
    kota = table(tables, Lingkup.KOTA)
    # Jakarta Pusat 57/60 = 95 %; Jakarta Utara 10/20 = 50 % (sudin do not count for kota)
    assert [(p.unit, p.skor) for p in kota.posisi] == [(KOTA, 95.0), (KOTA_B, 50.0)]
    opd = table(tables, Lingkup.OPD)
    # Bina Marga = its two sudin: 35/40 = 87.5 %; PAM Jaya 16/20 = 80 %
    assert [(p.unit, p.skor, p.peringkat) for p in opd.posisi] == [(OPD, 87.5, 1),
                                                                   (PAM, 80.0, 2)]
    sudin = table(tables, Lingkup.SUDIN_DALAM_OPD, OPD)
    assert [p.unit for p in sudin.posisi] == [SUDIN, SUDIN_B]
    assert {t.lingkup for t in tables} == set(Lingkup)


def test_units_without_data_are_listed_unranked():
    metrics = kinerja_periode([], parse_period("2026-W48"), UNITS, CONFIG)
    jakarta = table(peringkat(metrics, UNITS, CONFIG), Lingkup.KELURAHAN_JAKARTA)
    assert len(jakarta.posisi) == 4
    assert all(p.peringkat is None and p.skor is None for p in jakarta.posisi)


def test_tie_rules():
    from decimal import Decimal

    scores = {"a": Decimal("90"), "b": Decimal("80"), "c": Decimal("80"), "d": Decimal("70")}
    assert rank_positions(scores, "competition") == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert rank_positions(scores, "dense") == {"a": 1, "b": 2, "c": 2, "d": 3}


def test_tied_units_share_a_rank_and_are_listed_by_code():
    metrics = kinerja_periode(rows_for({KEL2: good(10, 1), KEL: good(20, 2), KEL3: good(10)}),
                              parse_period("2026-W48"), UNITS, CONFIG)
    jakarta = table(peringkat(metrics, UNITS, CONFIG), Lingkup.KELURAHAN_JAKARTA)
    assert [(p.unit, p.peringkat) for p in jakarta.posisi] == [
        (KEL3, 1), (KEL, 2), (KEL2, 2), (KEL_B, None)]


def test_trend_against_the_previous_period():
    period = parse_period("2026-W48")
    previous = period.previous()
    prev_rows = rows_for({KEL: good(20, 0), KEL2: good(20, 10), KEL3: good(20, 5)},
                         previous.first_day)
    rows = rows_for({KEL: good(20, 4), KEL2: good(20, 0), KEL3: good(5)})
    now = kinerja_periode(rows, period, UNITS, CONFIG)
    before = kinerja_periode(prev_rows, previous, UNITS, CONFIG)
    tab = table(peringkat(now, UNITS, CONFIG, before), Lingkup.KELURAHAN_JAKARTA)
    by_unit = {p.unit: p for p in tab.posisi}
    assert (by_unit[KEL2].peringkat, by_unit[KEL2].peringkat_sebelumnya) == (1, 3)
    assert by_unit[KEL2].perubahan_peringkat == 2  # moved up two places
    assert by_unit[KEL2].perubahan_skor == 50.0  # 50 -> 100
    assert by_unit[KEL].perubahan_peringkat == -1 and by_unit[KEL].perubahan_skor == -20.0
    assert by_unit[KEL3].peringkat is None and by_unit[KEL3].perubahan_peringkat is None
    assert by_unit[KEL3].skor_sebelumnya == 75.0


def test_latest_ikm_is_the_last_survey_ended_by_the_period_end():
    def hasil(unit, periode, konversi):
        return HasilSkm(unit=unit, periode=periode, populasi=1, sampel_minimal=1, diundang=1,
                        responden=1, sampel_terpenuhi=True, tingkat_respons=1.0, nrr=None,
                        ikm=None, ikm_konversi=konversi, mutu=None, kinerja=None,
                        kinerja_en=None, unsur_terlemah=[])

    results = [hasil(KEL, "2026-Q2", 70.0), hasil(KEL, "2026-Q3", 80.0),
               hasil(KEL, "2026-Q4", 90.0), hasil(KEL2, "2026-Q1", 60.0)]
    assert latest_ikm(results, parse_period("2026-11")) == {KEL: 80.0, KEL2: 60.0}
    assert latest_ikm(results, parse_period("2026-Q4")) == {KEL: 90.0, KEL2: 60.0}


def test_the_shipped_configuration_loads():
    config = load_kinerja_config()
    assert config == kinerja_config()
    assert config.min_reports == 10
    assert sum(config.bobot.model_dump().values()) == pytest.approx(1.0)
    assert set(COUNTERS) >= {"received", "tl_ditolak", "ratings_sum"}


def test_unknown_counters_are_refused():
    with pytest.raises(ValueError):
        KinerjaCounters({"points": 5})
    with pytest.raises(KeyError):
        KinerjaCounters()["points"]


def test_report_model_still_has_the_fields_the_counters_read():
    # The credit rule reads these; a rename in report.py must fail here, not in production.
    assert {"unit", "first_action_at", "first_action_due", "finish_due", "finish_started_at",
            "sla_sent", "review_requested", "created_at"} <= set(Report.model_fields)
