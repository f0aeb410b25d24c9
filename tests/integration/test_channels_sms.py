"""SMS: two-way SMS JSON on SNS, E.164 numbers, one-segment answers from the same number."""

from __future__ import annotations

import json
import logging

from app import app
from chalicelib.domain.replies import sms_segments
from tests.channel_fixtures import load
from tests.integration import channels_support, sent
from tests.integration.channels_support import archived, outbox, pump

# The shared fixtures (a strict `responses` mock, the app's test client)
channel_client = channels_support.channel_client
http = channels_support.http

SMS = load("sms_inbound.json")


def text_in(client, payload):
    message = payload if isinstance(payload, str) else json.dumps(payload)
    event = client.events.generate_sns_event(message=message)
    return client.lambda_.invoke("inbound_sms", event).payload


def test_the_function_listens_on_the_stages_inbound_sms_topic():
    (source,) = [s for s in app.event_sources if getattr(s, "name", "") == "inbound_sms"]
    assert source.topic == "crm-test-inbound-sms"


def test_an_sms_is_filed_with_the_e164_number_and_answered_in_one_segment(
        channel_client, deps):

    (filed,) = text_in(channel_client, SMS)["filed"]
    assert archived() == {
        "raw/sms/2026/11/28/cae173d2-66b9-564c-8309-21f858e9fb84.json": json.dumps(SMS).encode()}
    assert deps.store.load(filed["ticket"]).report.reporter.phone == "+6281298765432"
    pump(channel_client)
    acks = [(to, text) for to, text in sent.sms_sent() if "Track" in text]
    ((to, text),) = acks
    assert to == "+6281298765432" and filed["ticket"] in text and "/lacak/" in text
    assert sms_segments(text) == 1
    assert outbox(deps, filed["ticket"])["ack"].message.address["from"] == "+628111272206"


def test_an_emergency_sms_is_told_to_call_112(channel_client, deps):
    payload = {**SMS, "inboundMessageId": "fire-1",
               "messageBody": "KEBAKARAN di Jl. Cikini gang 3, api besar"}
    ticket = text_in(channel_client, payload)["filed"][0]["ticket"]
    pump(channel_client)
    texts = [text for _, text in sent.sms_sent()]
    assert any("112" in t for t in texts) and all(sms_segments(t) == 1 for t in texts)
    assert outbox(deps, ticket)["112"].status == "sent"


def test_a_redelivered_sms_files_nothing_new(channel_client):
    first = text_in(channel_client, SMS)["filed"][0]
    assert text_in(channel_client, SMS)["filed"][0] == {**first, "created": False}


def test_thanks_and_keywords_are_acknowledged_and_ignored(channel_client):
    answer = text_in(channel_client, {**SMS, "messageBody": "Terima kasih"})
    assert answer["filed"] == [] and answer["ignored"][0]["ignored"] == "no complaint in the text"
    assert archived() == {}


def test_a_malformed_message_is_logged_and_dropped(channel_client, caplog):
    with caplog.at_level(logging.ERROR, logger="crm.channels.sms"):
        assert text_in(channel_client, "not json")["ignored"] == "malformed message"
        assert text_in(channel_client, {"messageBody": "x"})["ignored"] == "malformed message"
    assert caplog.text.count("rejected") == 2 and archived() == {}
