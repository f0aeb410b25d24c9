"""The store against moto: atomic creation, dedupe, append-only history, optimistic locking."""

from __future__ import annotations

import boto3
import pytest

from chalicelib.adapters.store import DuplicateDelivery, TicketTaken
from chalicelib.config import settings
from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.report import Reporter, apply_action, open_report
from chalicelib.domain.status import Action, Status


def _new(deps, ticket="K7Q4-M9XD", external_id=None):
    return open_report(ticket=ticket, channel="balai-warga", description="Lampu jalan mati",
                       now=deps.clock(), policy=SlaPolicy(), kelurahan_code="31.71.01.1001",
                       reporter=Reporter(name="Siti", phone="+6281234567890"),
                       external_id=external_id)


def _items():
    table = boto3.resource("dynamodb").Table(settings().table_name)
    return table.scan()["Items"]


def test_create_writes_report_event_and_dedupe_key_together(deps):
    report, event = _new(deps, external_id="msg-1")
    deps.store.create(report, event)
    kinds = sorted(item["type"] for item in _items())
    assert kinds == ["dedupe", "event", "report"]
    loaded = deps.store.load(report.ticket)
    assert loaded.report == report
    assert deps.store.history(report.ticket) == [event]
    assert deps.store.ticket_for("balai-warga", "msg-1") == report.ticket


def test_a_redelivered_message_writes_nothing_and_names_the_first_ticket(deps):
    first, event = _new(deps, external_id="msg-1")
    deps.store.create(first, event)
    second, event2 = _new(deps, ticket="ZZZZ-ZZZ0", external_id="msg-1")
    with pytest.raises(DuplicateDelivery) as caught:
        deps.store.create(second, event2)
    assert caught.value.ticket == first.ticket
    assert deps.store.load(second.ticket) is None  # the whole transaction was cancelled
    assert len(_items()) == 3


def test_a_taken_ticket_is_refused_without_touching_the_existing_report(deps):
    first, event = _new(deps)
    deps.store.create(first, event)
    clash, clash_event = _new(deps, external_id="other")
    with pytest.raises(TicketTaken):
        deps.store.create(clash, clash_event)
    assert deps.store.ticket_for("balai-warga", "other") is None
    assert deps.store.load(first.ticket).report == first


def test_concurrent_updates_one_wins_the_other_gets_a_conflict(deps):
    report, event = _new(deps)
    deps.store.create(report, event)
    officer_a = deps.store.load(report.ticket)
    officer_b = deps.store.load(report.ticket)

    done_a, event_a = apply_action(officer_a.report, Action.PROSES, actor="a", now=deps.clock())
    deps.store.update(officer_a, done_a, [event_a])
    done_b, event_b = apply_action(officer_b.report, Action.TOLAK, actor="b", now=deps.clock(),
                                   note="bukan pengaduan")
    with pytest.raises(ConcurrentUpdate):
        deps.store.update(officer_b, done_b, [event_b])

    final = deps.store.load(report.ticket)
    assert final.report.status == Status.PROSES
    assert final.version == officer_a.version + 1
    assert [e.action for e in deps.store.history(report.ticket)] == [Action.TERIMA, Action.PROSES]


def test_open_reports_sit_in_the_unit_queue_and_due_index_and_leave_them_when_closed(deps):
    report, event = _new(deps)
    deps.store.create(report, event)
    loaded = deps.store.load(report.ticket)
    assigned, e2 = apply_action(loaded.report, Action.TUGASKAN, actor="sistem",
                                now=deps.clock(), unit="31.71.01.1001")
    loaded = deps.store.update(loaded, assigned, [e2])
    (item,) = [i for i in _items() if i["type"] == "report"]
    assert item["gsi1pk"] == "W#31.71.01.1001"  # the kelurahan must act
    assert item["gsi1sk"].startswith("2026-11-28T09:00:00Z#")  # first action due 6 h after intake
    assert item["gsi2pk"].startswith("DUE#")
    # ... and it shows in the kecamatan's and the kota's area queues
    assert (item["gsi4pk"], item["gsi5pk"], item["gsi6pk"]) == (
        "A1#31.71", "A2#31.71.01", "A3#31.71.01.1001")

    closed, e3 = apply_action(loaded.report, Action.TOLAK, actor="lurah", now=deps.clock(),
                              note="Bukan pengaduan")
    deps.store.update(loaded, closed, [e3])
    (item,) = [i for i in _items() if i["type"] == "report"]
    # it leaves every queue; only the created index (every report, for Open311) keeps it
    assert sorted(key for key in item if key.startswith("gsi")) == ["gsi8pk", "gsi8sk"]
