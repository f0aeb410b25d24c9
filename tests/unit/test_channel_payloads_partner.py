"""JAKI / LAPOR! partner JSON -> intake fields; status updates back to the partner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.partner import parse_partner, status_update
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.status import Action, Status
from tests.channel_fixtures import load

GOOD = load("partner_report.json")


def test_a_partner_report_maps_to_the_intake_fields():
    message = parse_partner(GOOD)
    assert message.external_id == "JAKI-2026-000123" and message.ignored is None
    assert message.fields == {
        "description": GOOD["text"], "category": "jalan-rusak", "lat": -6.1767,
        "lon": 106.8306, "address": "Jl. Medan Merdeka Timur No. 1",
        "kelurahan_code": "31.71.01.1001", "name": "Andi Wijaya", "phone": "0812-3456-7890",
        "email": "andi@example.id"}
    assert message.photo_urls == ("https://media.jaki.jakarta.go.id/laporan/000123/1.jpg",)
    assert message.reply is None  # the partner answers its own users


def test_only_id_and_text_are_required_and_numeric_ids_are_accepted():
    message = parse_partner({"id": 42, "text": "Sampah menumpuk"})
    assert message.external_id == "42" and message.fields == {"description": "Sampah menumpuk"}


@pytest.mark.parametrize("payload, field", [
    ([], "body"),
    ({"text": "x"}, "id"),
    ({"id": "", "text": "x"}, "id"),
    ({"id": True, "text": "x"}, "id"),
    ({"id": "a" * 129, "text": "x"}, "id"),
    ({"id": "1"}, "text"),
    ({"id": "1", "text": "   "}, "text"),
    ({"id": "1", "text": "x" * 4001}, "text"),
    ({"id": "1", "text": "x", "photos": "https://a/b.jpg"}, "photos"),
    ({"id": "1", "text": "x", "photos": ["http://insecure/b.jpg"]}, "photos"),
    ({"id": "1", "text": "x", "photos": ["https://a/b.jpg"] * 11}, "photos"),
    ({"id": "1", "text": "x", "reporter": "Andi"}, "reporter"),
])
def test_a_malformed_partner_payload_names_its_field(payload, field):
    with pytest.raises(MalformedPayload) as caught:
        parse_partner(payload)
    assert caught.value.problems[0].field == field
    assert caught.value.message_id and caught.value.message_en


def test_a_status_update_never_carries_internal_notes():
    now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    report = Report(ticket="K7Q4-M9XD", channel="lapor", description="x", created_at=now,
                    updated_at=now, external_id="LAPOR-9")
    event = HistoryEvent(seq=3, at=now, action=Action.PROSES, status=Status.PROSES,
                         actor="lurah.gambir", unit="31.71.01.1001", note="Sedang diperbaiki",
                         internal_note="rahasia")
    update = status_update(report, event, "Kelurahan Gambir")
    assert update == {"id": "LAPOR-9", "ticket": "K7Q4-M9XD", "seq": 3,
                      "at": "2026-11-28T03:00:00Z", "action": "proses", "status": "Proses",
                      "unit": {"code": "31.71.01.1001", "name": "Kelurahan Gambir"},
                      "note": "Sedang diperbaiki"}
