"""Two-way SMS JSON -> complaint with the sender's E.164 number."""

from __future__ import annotations

import pytest

from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.sms import parse_sms
from tests.channel_fixtures import load


def test_an_sms_becomes_a_complaint_answered_from_the_same_number():
    message = parse_sms(load("sms_inbound.json"))
    assert message.external_id == "cae173d2-66b9-564c-8309-21f858e9fb84"
    assert message.fields == {"description": "Lampu jalan mati di Jl. Cikini Raya depan TIM "
                                             "sejak kemarin", "phone": "+6281298765432"}
    assert message.reply.medium == "sms"
    assert message.reply.values == {"to": "+6281298765432", "from": "+628111272206"}


@pytest.mark.parametrize("number", ["081298765432", "+62 812-9876-5432", "6281298765432"])
def test_local_and_formatted_numbers_are_normalised_to_e164(number):
    payload = {**load("sms_inbound.json"), "originationNumber": number}
    assert parse_sms(payload).fields["phone"] == "+6281298765432"


@pytest.mark.parametrize("body, reason", [
    ("", "no text"), ("   ", "no text"), ("OK", "no complaint in the text"),
    ("Terima kasih!", "no complaint in the text"), ("STOP", "no complaint in the text"),
])
def test_replies_to_our_messages_are_acknowledged_and_ignored(body, reason):
    assert parse_sms({**load("sms_inbound.json"), "messageBody": body}).ignored == reason


def test_an_alphanumeric_sender_cannot_be_answered():
    payload = {**load("sms_inbound.json"), "originationNumber": "TELKOMSEL"}
    assert parse_sms(payload).ignored == "the sender is not a phone number"


@pytest.mark.parametrize("payload", [
    "x", {}, {"inboundMessageId": "1", "messageBody": "x"},
    {"inboundMessageId": "1", "originationNumber": "+6281298765432"},
    {"originationNumber": "+6281298765432", "messageBody": "x"},
])
def test_malformed_messages_are_refused(payload):
    with pytest.raises(MalformedPayload):
        parse_sms(payload)
