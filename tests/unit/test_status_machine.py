"""The lifecycle: every (status, action) pair follows the transition table, and random
sequences of actions never corrupt a report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import IllegalTransition, ValidationFailed
from chalicelib.domain.report import apply_action, open_report
from chalicelib.domain.status import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    next_status,
)

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def fresh():
    return open_report(ticket="K7Q4-M9XD", channel="balai-warga", description="Jalan berlubang",
                       now=T0, policy=SlaPolicy())


def report_in(status: Status):
    report, _ = fresh()
    return report.model_copy(update={"status": status})


EXPECTED = {
    # (action): statuses it may start from -> status it leads to (None: unchanged)
    Action.PROSES: ({"Menunggu", "Koordinasi", "Disposisi", "TL Ditolak"}, "Proses"),
    Action.SELESAI: ({"Menunggu", "Koordinasi", "Disposisi", "Proses", "TL Ditolak"},
                     "Menunggu Validasi"),
    Action.VALIDASI: ({"Menunggu Validasi"}, "Selesai"),
    Action.TL_DITOLAK: ({"Menunggu Validasi"}, "TL Ditolak"),
    Action.BUKA_KEMBALI: ({"Selesai"}, "Proses"),
    Action.LUAR_WILAYAH: ({"Menunggu"}, "Di Luar Wilayah"),
}


@pytest.mark.parametrize("action", list(EXPECTED))
def test_key_transitions_match_design_section_4(action):
    starts, target = EXPECTED[action]
    for status in Status:
        assert (next_status(status, action) == Status(target)) == (status in starts), status


def test_nothing_leaves_a_closed_status_except_reopening_a_finished_report():
    for status in CLOSED_STATUSES:
        leaving = [a for a in allowed_actions(status)
                   if (TRANSITIONS[a].to or status) != status]
        assert leaving == ([Action.BUKA_KEMBALI] if status == Status.SELESAI else [])
    # A finished report can still be rated and its rating reviewed, in place.
    assert set(allowed_actions(Status.SELESAI)) == {
        Action.BUKA_KEMBALI, Action.NILAI, Action.TINJAU}


def test_open_and_closed_partition_the_statuses():
    assert set(Status) == OPEN_STATUSES | CLOSED_STATUSES
    assert not OPEN_STATUSES & CLOSED_STATUSES


ALL_PAIRS = [(s, a) for s in Status for a in Action if a != Action.TERIMA]


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_every_status_action_pair_is_allowed_or_refused_as_the_table_says(status, action):
    report = report_in(status)
    allowed = status in TRANSITIONS[action].allowed_from if action in TRANSITIONS else False
    kwargs = {"actor": "petugas", "now": T0 + timedelta(hours=1), "note": "alasan jelas"}
    if allowed:
        updated, event = apply_action(report, action, **kwargs)
        assert updated.status == (TRANSITIONS[action].to or status)
        assert event.status == updated.status and event.seq == report.event_count + 1
    else:
        with pytest.raises(IllegalTransition) as caught:
            apply_action(report, action, **kwargs)
        assert str(status) in caught.value.message_id and str(action) in caught.value.message_en


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.needs_reason])
def test_actions_the_reporter_must_understand_need_a_reason(action):
    start = next(iter(TRANSITIONS[action].allowed_from))
    with pytest.raises(ValidationFailed) as caught:
        apply_action(report_in(start), action, actor="petugas", now=T0, note="  ")
    assert caught.value.problems[0].field == "note"


def test_a_note_over_2000_characters_is_refused():
    with pytest.raises(ValidationFailed):
        apply_action(report_in(Status.MENUNGGU), Action.PROSES, actor="p", now=T0,
                     note="x" * 2001)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([a for a in Action if a != Action.TERIMA]),
                          st.integers(min_value=0, max_value=600)), max_size=25))
def test_random_action_sequences_keep_the_report_consistent(steps):
    report, first = fresh()
    history = [first]
    now = T0
    for action, minutes in steps:
        now += timedelta(minutes=minutes)
        before = report
        try:
            report, event = apply_action(report, action, actor="petugas", now=now, note="catatan")
        except IllegalTransition:
            assert report == before  # refused: nothing changed
            assert before.status not in TRANSITIONS[action].allowed_from
            continue
        history.append(event)
        assert event.seq == len(history) == report.event_count
        assert report.status == event.status
        assert (report.closed_at is not None) == (report.status in CLOSED_STATUSES)
        if report.first_action_at is not None:
            assert report.first_action_at <= now
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert all(a.at <= b.at for a, b in zip(history, history[1:], strict=False))
