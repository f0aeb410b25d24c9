"""Hostile and random input never breaks the API: 4xx with a clear message, data unchanged."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import app
from tests.integration.streams import drain_stream_event

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["description", "lat", "lon", "category", "phone",
                                       "email", "kelurahan_code", "name", "address", "stars",
                                       "note", "action", "x"]), children, max_size=6),
    max_leaves=12)


@pytest.fixture(scope="module")
def module_client():
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def client(deps, module_client):
    return module_client


def assert_clear_4xx(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.body[:300])
    body = json.loads(response.body)
    assert body["message_id"] and body["message_en"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON)
def test_random_json_to_intake_is_accepted_or_refused_clearly(client, body):
    response = client.http.post("/channels/balai-warga", body=json.dumps(body),
                                headers={"Content-Type": "application/json"})
    if response.status_code != 201:
        assert_clear_4xx(response)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON, path=st.sampled_from(["/reports/K7Q4-M9XD/rating?token=x",
                                        "/reports/K7Q4-M9XD/support",
                                        "/reports/K7Q4-M9XD/reopen?token=x", "/auth/login"]))
def test_random_json_elsewhere_never_5xx(client, body, path):
    response = client.http.post(path, body=json.dumps(body),
                                headers={"Content-Type": "application/json"})
    assert_clear_4xx(response)


@pytest.mark.parametrize("raw", [
    b"[" * 200_000,                      # nesting deeper than the parser's stack
    b"\xff\xfe\x00not utf-8",           # invalid UTF-8
    b'{"description": "' + b"x" * 1_000_100 + b'"}',  # over 1 MB
    b"",
])
def test_malformed_bodies(client, raw):
    response = client.http.post("/channels/balai-warga", body=raw,
                                headers={"Content-Type": "application/json"})
    assert_clear_4xx(response)
    assert drain_stream_event()["Records"] == []


@pytest.mark.parametrize("text", [
    "<script>alert('x')</script>", "'; DROP TABLE reports; --", '{"$gt": ""}',
    "../../etc/passwd", "\u202eevil", "😀" * 100,
])
def test_odd_text_is_stored_as_text_and_returned_verbatim(client, text):
    filed = json.loads(client.http.post(
        "/channels/balai-warga", body=json.dumps({"description": text}),
        headers={"Content-Type": "application/json"}).body)
    tracked = json.loads(client.http.get(
        f"/reports/{filed['ticket']}?token={filed['tracking_token']}").body)
    assert tracked["description"] == text


def test_dynamodb_throttling_at_intake_is_a_503_with_retry_after_and_writes_nothing(
        client, deps, monkeypatch):
    from pynamodb.connection.base import Connection

    real = Connection._make_api_call
    attempts = []

    def throttled(self, operation, kwargs):
        if operation == "TransactWriteItems":
            attempts.append(operation)
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException",
                                         "Message": "slow down"}}, operation)
        return real(self, operation, kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", throttled)
    response = client.http.post("/channels/balai-warga",
                                body=json.dumps({"description": "Jalan rusak"}),
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "tidak ada yang tersimpan" in json.loads(response.body)["message_id"]
    assert attempts and drain_stream_event()["Records"] == []


def test_internal_server_errors_on_dynamodb_5xx_are_503_too(client, deps, monkeypatch):
    from pynamodb.connection.base import Connection

    def failing(self, operation, kwargs):
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, operation)

    monkeypatch.setattr(Connection, "_make_api_call", failing)
    response = client.http.get("/reports/K7Q4-M9XD?token=x")
    assert response.status_code in (404, 503)  # an unverifiable token is refused before I/O
    response = client.http.post("/channels/balai-warga", body=json.dumps({"description": "x"}),
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 503
    # A 5xx on a write does not say whether DynamoDB applied it: the answer must not claim
    # nothing was saved, and points to resending with the same key.
    body = json.loads(response.body)
    assert body["error"] == "layanan_terganggu" and "Idempotency-Key" in body["message_en"]
    assert "mungkin sudah tersimpan" in body["message_id"]
