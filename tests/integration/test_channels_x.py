"""X: CRC challenge, signed deliveries, reply tweets and DMs sent through API v2."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import responses

from chalicelib.services.channel_deps import channel_deps
from tests.channel_fixtures import body_of, load, secret, x_headers
from tests.integration import channels_support
from tests.integration.channels_support import X_API, archived, calls_to, outbox, pump

# The shared fixtures (a strict `responses` mock, the app's test client)
channel_client = channels_support.channel_client
http = channels_support.http

TWEETS = f"{X_API}/2/tweets"
DMS = f"{X_API}/2/dm_conversations/with/987654321/messages"


def deliver(client, payload, headers=None, raw=None):
    body = raw if raw is not None else body_of(payload)
    return client.http.post("/channels/x", body=body, headers=headers or x_headers(body))


def test_the_crc_challenge_is_answered_with_the_hmac_of_the_token(channel_client):
    response = channel_client.http.get("/channels/x?crc_token=challenge-123")
    expected = base64.b64encode(hmac.new(secret("x"), b"challenge-123", hashlib.sha256).digest())
    assert response.status_code == 200
    assert response.json_body == {"response_token": "sha256=" + expected.decode()}
    assert channel_client.http.get("/channels/x").status_code == 400


def test_a_mention_is_filed_archived_and_answered_with_a_reply_tweet(
        channel_client, deps, http):
    http.add(responses.POST, TWEETS, json={"data": {"id": "1862999", "text": "..."}},
             status=201)
    payload = load("x_tweet_mention.json")
    response = deliver(channel_client, payload)
    assert response.status_code == 200
    (filed,) = response.json_body["filed"]
    ticket = filed["ticket"]
    (key,) = archived()
    assert key.startswith("raw/x/2026/11/28/tweet_1862345678901234567")
    assert archived()[key] == body_of(payload)
    report = deps.store.load(ticket).report
    assert report.channel == "x" and report.point.lat == -6.1767
    assert outbox(deps, ticket)["ack"].status == "pending"  # queued before the answer
    pump(channel_client)
    (call,) = calls_to(http, TWEETS)
    sent = json.loads(call.request.body)
    assert sent["reply"] == {"in_reply_to_tweet_id": "1862345678901234567"}
    assert ticket in sent["text"] and f"/lacak/{ticket}?token=" in sent["text"]
    assert call.request.headers["Authorization"] == "Bearer x-user-token"
    entry = outbox(deps, ticket)["ack"]
    assert (entry.status, entry.remote_id) == ("sent", "1862999")


def test_an_emergency_dm_gets_the_112_notice_and_the_acknowledgement(
        channel_client, deps, http):
    http.add(responses.POST, DMS, json={"data": {"dm_event_id": "77"}}, status=201)
    ticket = deliver(channel_client, load("x_direct_message.json")).json_body["filed"][0][
        "ticket"]
    pump(channel_client)
    texts = [json.loads(c.request.body)["text"] for c in calls_to(http, DMS)]
    assert len(texts) == 2
    assert any("112" in t for t in texts) and any(f"/lacak/{ticket}" in t for t in texts)
    assert {e.status for e in outbox(deps, ticket).values()} == {"sent"}


def test_a_redelivery_files_nothing_new_and_sends_nothing_twice(channel_client, deps, http):
    http.add(responses.POST, TWEETS, json={"data": {"id": "1"}}, status=201)
    payload = load("x_tweet_mention.json")
    first = deliver(channel_client, payload).json_body["filed"][0]
    last, _ = pump(channel_client)
    again = deliver(channel_client, payload).json_body["filed"][0]
    assert again == {**first, "created": False}
    pump(channel_client, last)
    assert len(calls_to(http, TWEETS)) == 1


def test_a_forged_missing_or_foreign_signature_creates_nothing(channel_client, deps):
    body = body_of(load("x_tweet_mention.json"))
    for headers, status in [
        ({"Content-Type": "application/json", "x-twitter-webhooks-signature": "sha256=AA"}, 403),
        ({"Content-Type": "application/json"}, 401),
        (x_headers(body, b"another app's secret"), 403),
    ]:
        assert deliver(channel_client, None, headers=headers, raw=body).status_code == status
    assert deps.store.ticket_for("x", "tweet:1862345678901234567") is None
    assert archived() == {}


def test_a_malformed_delivery_is_400(channel_client):
    for raw in (b"not json", body_of({"tweet_create_events": []}),
                body_of({"for_user_id": "1", "tweet_create_events": [{}]})):
        response = deliver(channel_client, None, raw=raw)
        assert response.status_code == 400 and response.json_body["message_en"]
    assert archived() == {}


def test_likes_and_our_own_tweets_are_acknowledged_and_ignored(channel_client):
    for fixture in ("x_favorite.json", "x_own_tweet.json"):
        response = deliver(channel_client, load(fixture))
        assert response.status_code == 200
        assert response.json_body["filed"] == [] and response.json_body["ignored"]
    assert archived() == {}


def test_a_body_over_1_mb_is_413(channel_client):
    payload = load("x_tweet_mention.json")
    payload["padding"] = "x" * 1_000_001
    assert deliver(channel_client, payload).status_code == 413


def test_a_failing_api_is_retried_a_bounded_number_of_times_then_given_up(
        channel_client, deps, http):
    http.add(responses.POST, TWEETS, json={"title": "Service Unavailable"}, status=503)
    ticket = deliver(channel_client, load("x_tweet_mention.json")).json_body["filed"][0]["ticket"]
    last, answers = pump(channel_client, expect_failures=True)
    assert answers[-1]["batchItemFailures"]  # Lambda will retry from this record
    for attempt in (1, 2):
        entry = outbox(deps, ticket)["ack"]
        assert (entry.status, entry.attempts) == ("pending", attempt)
        _, answers = pump(channel_client, last, expect_failures=True)
    entry = outbox(deps, ticket)["ack"]
    assert (entry.status, entry.attempts) == ("failed", 3) and "503" in entry.last_error
    assert answers[-1]["batchItemFailures"] == []  # the batch moves on
    assert len(calls_to(http, TWEETS)) == 3


def test_a_refused_reply_fails_at_once(channel_client, deps, http):
    http.add(responses.POST, TWEETS, json={"detail": "You are not allowed to reply"},
             status=403)
    ticket = deliver(channel_client, load("x_tweet_mention.json")).json_body["filed"][0]["ticket"]
    _, answers = pump(channel_client)
    entry = outbox(deps, ticket)["ack"]
    assert (entry.status, entry.attempts) == ("failed", 1) and "403" in entry.last_error


def test_without_a_token_nothing_is_sent_and_the_reason_is_kept(
        channel_client, deps, http, monkeypatch):

    monkeypatch.delenv("CRM_ACCESS_TOKEN_X")
    ticket = deliver(channel_client, load("x_tweet_mention.json")).json_body["filed"][0]["ticket"]
    pump(channel_client)
    entry = outbox(deps, ticket)["ack"]
    assert entry.status == "failed" and "CRM_ACCESS_TOKEN" in entry.last_error
    assert len(http.calls) == 0


def test_queueing_the_same_reply_twice_writes_one_item(channel_client, deps):
    cd = channel_deps(deps)
    entry_id = deliver(channel_client, load("x_tweet_mention.json")).json_body["filed"][0]
    message = outbox(deps, entry_id["ticket"])["ack"].message
    assert cd.outbox.queue(entry_id["ticket"], "ack", message, deps.clock()) is False
