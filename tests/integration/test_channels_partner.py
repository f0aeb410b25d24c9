"""JAKI and LAPOR!: signed partner API, idempotent filing, status sync back to the partner."""

from __future__ import annotations

import hashlib
import hmac
import json

import responses

from chalicelib.domain.status import Action
from tests.channel_fixtures import body_of, load, partner_headers, secret
from tests.integration import channels_support
from tests.integration.channels_support import (
    JAKI_CALLBACK,
    LAPOR_CALLBACK,
    archived,
    calls_to,
    outbox,
    pump,
)

# The shared fixtures (a strict `responses` mock, the app's test client)
channel_client = channels_support.channel_client
http = channels_support.http

REPORT = load("partner_report.json")


def send(client, clock, payload=REPORT, *, channel="jaki", offset=0, headers=None, raw=None):
    body = raw if raw is not None else body_of(payload)
    signed = partner_headers(body, int(clock.now.timestamp()) + offset, channel=channel)
    return client.http.post(f"/channels/{channel}", body=body, headers={**signed,
                                                                         **(headers or {})})


def test_a_signed_report_is_filed_archived_first_and_answered_201(channel_client, deps, clock):
    response = send(channel_client, clock)
    assert response.status_code == 201
    answer = response.json_body
    assert set(answer) == {"ticket", "tracking_token", "status"}
    assert answer["status"] == "Menunggu"
    assert archived() == {"raw/jaki/2026/11/28/JAKI-2026-000123.json": body_of(REPORT)}
    report = deps.store.load(answer["ticket"]).report
    assert (report.channel, report.external_id) == ("jaki", "JAKI-2026-000123")
    assert report.reporter.phone == "+6281234567890" and report.category == "jalan-rusak"
    (photos,) = [e for e in deps.store.history(answer["ticket"]) if e.action == Action.FOTO]
    assert photos.data["photo_urls"] == REPORT["photos"]  # a reference, never fetched


def test_a_redelivery_returns_the_same_ticket_with_200_and_creates_nothing(
        channel_client, deps, clock):
    first = send(channel_client, clock).json_body
    again = send(channel_client, clock, offset=60)
    assert again.status_code == 200 and again.json_body == first
    assert len(deps.store.history(first["ticket"])) == 2  # terima + photo references, once
    assert len(archived()) == 1


def test_jaki_and_lapor_share_the_module_but_not_their_ids(channel_client, deps, clock):
    jaki = send(channel_client, clock).json_body
    lapor = send(channel_client, clock, channel="lapor")
    assert lapor.status_code == 201 and lapor.json_body["ticket"] != jaki["ticket"]
    assert deps.store.load(lapor.json_body["ticket"]).report.channel == "lapor"


FORGERIES = [  # (headers changed, other secret, clock offset) -> status, error
    ({"X-CRM-Signature": "sha256=" + "0" * 64}, None, 0, 403, "tanda_tangan_tidak_sah"),
    ({"X-CRM-Signature": ""}, None, 0, 401, "tanda_tangan_tidak_ada"),
    ({"X-CRM-Timestamp": ""}, None, 0, 401, "tanda_tangan_tidak_ada"),
    ({"X-CRM-Key-Id": "lapor"}, None, 0, 403, "tanda_tangan_tidak_sah"),
    ({}, secret("lapor"), 0, 403, "tanda_tangan_tidak_sah"),  # the other partner's secret
    ({}, None, -301, 403, "tanda_tangan_tidak_sah"),  # stale: 5 minutes and a second
    ({}, None, 301, 403, "tanda_tangan_tidak_sah"),
]


def test_a_forged_missing_or_stale_signature_creates_nothing(channel_client, deps, clock):
    body = body_of(REPORT)
    for change, key, offset, status, code in FORGERIES:
        headers = partner_headers(body, int(clock.now.timestamp()) + offset, key=key)
        response = channel_client.http.post("/channels/jaki", body=body,
                                            headers={**headers, **change})
        assert (response.status_code, response.json_body["error"]) == (status, code), change
    assert deps.store.ticket_for("jaki", REPORT["id"]) is None and archived() == {}


MALFORMED = [
    (b"{not json", "body"),
    (body_of({"id": "1"}), "text"),
    (body_of({**REPORT, "category": "tidak-ada"}), "category"),
    (body_of({**REPORT, "reporter": {"phone": "12"}}), "phone"),
]


def test_a_malformed_report_is_400_with_a_reason_and_creates_nothing(channel_client, clock):
    for raw, field in MALFORMED:
        response = send(channel_client, clock, raw=raw)
        assert response.status_code == 400
        assert field in {e["field"] for e in response.json_body.get("errors", [])}
    assert archived() == {}


def test_a_body_over_1_mb_is_413(channel_client, clock):
    big = body_of({**REPORT, "text": "x" * 1_000_001})
    assert send(channel_client, clock, raw=big).status_code == 413
    assert archived() == {}


def test_an_emergency_gets_the_112_notice_in_the_answer(channel_client, clock):
    answer = send(channel_client, clock, {**REPORT, "id": "J-2",
                                          "text": "Ada kebakaran di Pasar Senen!"}).json_body
    assert "112" in answer["emergency_notice"]["id"] and "112" in answer["emergency_notice"]["en"]


def test_the_static_partner_route_wins_over_the_walk_in_route(channel_client):
    unsigned = channel_client.http.post("/channels/jaki", body=b"{}",
                                        headers={"Content-Type": "application/json"})
    walk_in = channel_client.http.post("/channels/kelurahan", body=b"{}",
                                       headers={"Content-Type": "application/json"})
    assert unsigned.json_body["error"] == "tanda_tangan_tidak_ada"
    # No officer sign-in is configured here: the walk-in route answers for itself (401/503).
    assert walk_in.status_code in (401, 503)
    assert walk_in.json_body["error"] != "tanda_tangan_tidak_ada"


def test_status_changes_are_sent_back_to_the_partner_signed_once_each(
        channel_client, deps, clock, http):
    http.add(responses.POST, JAKI_CALLBACK, json={"id": "cb-1"}, status=200)
    ticket = send(channel_client, clock).json_body["ticket"]
    last, _ = pump(channel_client)  # routing assigns the kelurahan: a 'tugaskan' event
    (call,) = calls_to(http, JAKI_CALLBACK)
    body = call.request.body
    update = json.loads(body)
    assert update["id"] == "JAKI-2026-000123" and update["ticket"] == ticket
    assert (update["action"], update["status"], update["seq"]) == ("tugaskan", "Menunggu", 3)
    assert update["unit"]["code"] == "31.71.01.1001" and "internal_note" not in update
    headers = call.request.headers
    expected = hmac.new(secret("jaki"), f"{headers['X-CRM-Timestamp']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-CRM-Signature"] == f"sha256={expected}"
    assert headers["X-CRM-Key-Id"] == "jaki"
    assert outbox(deps, ticket)["sync#000003"].status == "sent"
    event = pump(channel_client)  # the whole stream again, as a redelivery
    assert event and len(calls_to(http, JAKI_CALLBACK)) == 1


def test_reports_from_other_channels_are_not_synced(channel_client, http):
    channel_client.http.post("/channels/balai-warga", body=json.dumps(
        {"description": "Lampu mati", "kelurahan_code": "31.71.01.1001"}),
        headers={"Content-Type": "application/json"})
    pump(channel_client)
    assert [c.request.url for c in http.calls] == []


def test_a_partner_that_refuses_an_update_marks_it_failed_without_blocking(
        channel_client, deps, clock, http):

    http.add(responses.POST, LAPOR_CALLBACK, json={"error": "unknown id"}, status=404)
    ticket = send(channel_client, clock, channel="lapor").json_body["ticket"]
    _, answers = pump(channel_client)
    assert all(a["batchItemFailures"] == [] for a in answers)
    entry = outbox(deps, ticket)["sync#000003"]
    assert entry.status == "failed" and "HTTP 404" in entry.last_error
