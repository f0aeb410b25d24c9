"""Routing alerts the unit (email + one-segment SMS via its SNS topic) and tells the citizen,
exactly once in effect."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.sms import fits_one_sms
from tests.integration import sent
from tests.integration.streams import drain_stream_event

GAMBIR = {"description": "Lampu jalan mati di Jl. Medan Merdeka Timur", "category": "lampu-jalan",
          "kelurahan_code": "31.71.01.1001", "name": "Siti Rahma", "phone": "0812-9876-5432",
          "email": "siti@example.id"}


@pytest.fixture
def client(subscribed, app_client):
    return app_client


def file(client, body=GAMBIR):
    return json.loads(client.http.post("/channels/balai-warga", body=json.dumps(body),
                                       headers={"Content-Type": "application/json"}).body)


def pump(client, after=None):
    """Deliver the stream so far to the stream handler, as Lambda would; returns last seq."""
    event = drain_stream_event(after)
    if event["Records"]:
        result = client.lambda_.invoke("route_reports", event).payload
        assert result == {"batchItemFailures": []}
        return event["Records"][-1]["dynamodb"]["SequenceNumber"], event
    return after, event


def test_assignment_alerts_the_kelurahan_and_tells_the_citizen(client, deps):
    filed = file(client)
    last, _ = pump(client)       # routing writes the 'tugaskan' event
    pump(client, last)           # ...whose record triggers the notices
    (alert,) = sent.unit_alerts("unit-31-71-01-1001")
    assert filed["ticket"] in alert["subject"] and "Penerangan Jalan Umum" in alert["subject"]
    assert "Kel. Gambir" in alert["email"] and "/petugas/laporan/" in alert["email"]
    assert "Batas waktu" in alert["email"] and "WIB" in alert["email"]
    assert fits_one_sms(alert["sms"]) and filed["ticket"] in alert["sms"]
    for private in ("Siti", "98765432", "siti@example.id"):
        assert private not in json.dumps(alert)
    ((phone, text),) = sent.sms_sent()
    assert phone == "+6281298765432" and filed["ticket"] in text and "/lacak/" in text


def test_a_redelivered_batch_sends_nothing_twice(client, deps):
    file(client)
    last, _ = pump(client)
    _, event = pump(client, last)
    client.lambda_.invoke("route_reports", event)  # Lambda redelivers the same batch
    client.lambda_.invoke("route_reports", event)
    assert len(sent.unit_alerts("unit-31-71-01-1001")) == 1
    assert len(sent.sms_sent()) == 1


def test_a_failed_send_is_retried_and_then_sent_once(client, deps, monkeypatch):
    file(client)
    last, _ = pump(client)
    event = drain_stream_event(last)
    real = deps.notifier.alert_unit
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("SNS unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(deps.notifier, "alert_unit", flaky)
    first = client.lambda_.invoke("route_reports", event).payload
    assert first["batchItemFailures"]  # the record is retried, not skipped
    second = client.lambda_.invoke("route_reports", event).payload
    assert second == {"batchItemFailures": []}
    assert len(sent.unit_alerts("unit-31-71-01-1001")) == 1


def test_sms_alerts_fit_one_segment_even_for_long_places(client, deps):
    body = {**GAMBIR, "kelurahan_code": None,
            "address": "Jalan Letnan Jenderal Suprapto Nomor 123 RT 004 RW 009 dekat pasar "
                       "tradisional dan halte busway Cempaka Putih arah Senen"}
    file(client, body)
    last, _ = pump(client)
    pump(client, last)
    alerts = sent.unit_alerts()
    assert alerts and all(fits_one_sms(a["sms"]) for a in alerts)


def test_a_claim_left_behind_by_a_failed_attempt_does_not_swallow_the_alert(client, deps,
                                                                             monkeypatch):
    """SNS fails and so does releasing the claim (found by bench/faults.py): the retry of
    the same record must still send, not take the leftover claim for a sent notice."""
    file(client)
    last, _ = pump(client)
    event = drain_stream_event(last)
    real_alert, real_release = deps.notifier.alert_unit, deps.sent_log.release
    failing = {"alert": True}

    def flaky_alert(*args, **kwargs):
        if failing["alert"]:
            raise RuntimeError("SNS unavailable")
        return real_alert(*args, **kwargs)

    def failing_release(key):
        raise RuntimeError("DynamoDB unavailable")

    monkeypatch.setattr(deps.notifier, "alert_unit", flaky_alert)
    monkeypatch.setattr(deps.sent_log, "release", failing_release)
    assert client.lambda_.invoke("route_reports", event).payload["batchItemFailures"]
    failing["alert"] = False
    monkeypatch.setattr(deps.sent_log, "release", real_release)
    assert client.lambda_.invoke("route_reports", event).payload == {"batchItemFailures": []}
    assert len(sent.unit_alerts("unit-31-71-01-1001")) == 1
    client.lambda_.invoke("route_reports", event)  # and a later redelivery sends nothing
    assert len(sent.unit_alerts("unit-31-71-01-1001")) == 1
