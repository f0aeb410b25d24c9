"""The HTTP API through Chalice's test client, with moto as AWS."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from app import app
from chalicelib.services.routing import route_report
from tests.integration.streams import drain_stream_event


@pytest.fixture
def client(deps):
    with Client(app) as test_client:
        yield test_client


def post(client, body, content_type="application/json", headers=None):
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.http.post("/channels/balai-warga", body=payload,
                            headers={"Content-Type": content_type, **(headers or {})})


GOOD = {
    "description": "Lampu jalan di depan Stasiun Gambir mati sejak tiga hari.",
    "category": "lampu-jalan",
    "lat": -6.1767, "lon": 106.8306,
    "address": "Jl. Medan Merdeka Timur",
    "kelurahan_code": "31.71.01.1001",
    "name": "Siti Rahma", "phone": "0812-3456-7890", "email": "siti@example.id",
}


def test_health(client):
    response = client.http.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_file_then_track_without_any_reporter_contact(client):
    response = post(client, GOOD)
    assert response.status_code == 201
    filed = response.json_body
    assert filed["status"] == "Menunggu"
    ticket, token = filed["ticket"], filed["tracking_token"]

    tracked = client.http.get(f"/reports/{ticket}?token={token}")
    assert tracked.status_code == 200
    body = tracked.json_body
    assert body["ticket"] == ticket and body["status"] == "Menunggu"
    assert body["category"]["id"] == "lampu-jalan"
    assert body["unit"] is None
    assert [h["status"] for h in body["history"]] == ["Menunggu"]
    assert body["history"][0]["at"]["wib"].endswith("WIB")
    text = tracked.body.decode()
    for private in ("Siti Rahma", "3456", "siti@example.id", "reporter"):
        assert private not in text


def test_tracking_accepts_a_ticket_typed_loosely(client):
    filed = post(client, GOOD).json_body
    loose = filed["ticket"].replace("-", "").lower()
    assert client.http.get(f"/reports/{loose}?token={filed['tracking_token']}").status_code == 200


@pytest.mark.parametrize("query", ["", "?token=wrong", "?token="])
def test_a_wrong_or_missing_token_is_the_same_404_as_an_unknown_ticket(client, query):
    filed = post(client, GOOD).json_body
    wrong = client.http.get(f"/reports/{filed['ticket']}{query}")
    unknown = client.http.get(f"/reports/ZZZZ-ZZZ0?token={filed['tracking_token']}")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json_body == unknown.json_body
    assert "tidak ditemukan" in wrong.json_body["message_id"]


def test_form_encoded_posts_are_accepted(client):
    response = post(client, "description=Sampah+menumpuk&lat=-6.2&lon=106.8&category=sampah",
                    content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.json_body


def test_an_idempotency_key_returns_the_same_ticket_and_creates_nothing_new(client):
    first = post(client, GOOD, headers={"Idempotency-Key": "form-123"})
    again = post(client, GOOD, headers={"Idempotency-Key": "form-123"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json_body == first.json_body


BAD = [
    ("not json", "body", 400),
    ("[1, 2]", "body", 400),
    ({"category": "sampah"}, "description", 400),
    ({"description": "   "}, "description", 400),
    ({"description": "x" * 4001}, "description", 400),
    ({"description": 42}, "description", 400),
    ({"description": "ok", "lat": -6.2}, "lon", 400),
    ({"description": "ok", "lon": 106.8}, "lat", 400),
    ({"description": "ok", "lat": 91, "lon": 106.8}, "lat", 400),
    ({"description": "ok", "lat": -6.2, "lon": 181}, "lon", 400),
    ({"description": "ok", "lat": "abc", "lon": 106.8}, "lat", 400),
    ({"description": "ok", "lat": True, "lon": 106.8}, "lat", 400),
    ({"description": "ok", "kelurahan_code": "31.71.01.9999"}, "kelurahan_code", 400),
    ({"description": "ok", "category": "ufo"}, "category", 400),
    ({"description": "ok", "phone": "12"}, "phone", 400),
    ({"description": "ok", "email": "not-an-email"}, "email", 400),
]


@pytest.mark.parametrize(("body", "field", "status"), BAD)
def test_bad_input_names_the_field_in_both_languages_and_writes_nothing(client, deps, body,
                                                                       field, status):
    response = post(client, body)
    assert response.status_code == status
    error = response.json_body
    assert error["message_id"] and error["message_en"]
    assert field in {e["field"] for e in error["errors"]}
    assert drain_stream_event()["Records"] == []


def test_a_body_over_one_megabyte_is_413(client):
    response = post(client, {"description": "x" * 1_100_000})
    assert response.status_code == 413
    assert "MB" in response.json_body["message_en"]
    assert drain_stream_event()["Records"] == []


def test_the_stream_routes_a_new_report_to_its_kelurahan_once(client, deps):
    filed = post(client, GOOD).json_body
    event = drain_stream_event()
    result = client.lambda_.invoke("route_reports", event).payload
    assert result == {"batchItemFailures": []}
    # At-least-once delivery: the same batch again must not route twice.
    client.lambda_.invoke("route_reports", event)

    tracked = client.http.get(f"/reports/{filed['ticket']}?token={filed['tracking_token']}")
    body = tracked.json_body
    assert body["unit"] == {"code": "31.71.01.1001", "name": "Kelurahan Gambir"}
    assert [h["action"] for h in body["history"]] == ["terima", "tugaskan"]


def test_parking_goes_straight_to_the_suku_dinas_and_unplaced_reports_to_triage(client, deps):
    parking = post(client, {**GOOD, "category": "parkir-liar"}).json_body
    unplaced = post(client, {"description": "Ada pungli di kantor"}).json_body
    client.lambda_.invoke("route_reports", drain_stream_event())
    assert deps.store.load(parking["ticket"]).report.unit == "sudin:perhubungan:31.71"
    assert deps.store.load(unplaced["ticket"]).report.unit == "biro-pemerintahan"


def test_a_failing_record_is_reported_and_the_others_go_through(client, deps, monkeypatch):
    first = post(client, GOOD).json_body
    second = post(client, GOOD).json_body
    event = drain_stream_event()
    real = route_report

    def poisoned(deps_, ticket):
        if ticket == first["ticket"]:
            raise RuntimeError("boom")
        return real(deps_, ticket)

    monkeypatch.setattr("chalicelib.services.stream.route_report", poisoned)
    result = client.lambda_.invoke("route_reports", event).payload
    first_record = next(r for r in event["Records"]
                        if r["dynamodb"]["Keys"]["pk"]["S"] == f"R#{first['ticket']}")
    assert result["batchItemFailures"] == [
        {"itemIdentifier": first_record["dynamodb"]["SequenceNumber"]}]
    assert deps.store.load(second["ticket"]).report.unit == "31.71.01.1001"
    assert deps.store.load(first["ticket"]).report.unit is None
