"""Facebook page and Instagram: handshake, signed deliveries, Graph API replies."""

from __future__ import annotations

import json

import responses

from chalicelib.domain.status import Action
from tests.channel_fixtures import body_of, load, meta_headers
from tests.integration import channels_support
from tests.integration.channels_support import GRAPH, archived, calls_to, outbox, pump

# The shared fixtures (a strict `responses` mock, the app's test client)
channel_client = channels_support.channel_client
http = channels_support.http

PAGE = "102938475610293"
IG = "17841400000000000"


def deliver(client, channel, payload, headers=None, raw=None):
    body = raw if raw is not None else body_of(payload)
    return client.http.post(f"/channels/{channel}", body=body,
                            headers=headers or meta_headers(body, channel))


def test_the_subscription_handshake_echoes_the_challenge(channel_client):
    for channel in ("facebook", "instagram"):
        query = (f"hub.mode=subscribe&hub.verify_token=crm-local-{channel}-verify"
                 "&hub.challenge=15822")
        response = channel_client.http.get(f"/channels/{channel}?{query}")
        assert response.status_code == 200 and response.body == b"15822"
        assert response.headers["Content-Type"].startswith("text/plain")
        wrong = channel_client.http.get(f"/channels/{channel}?{query.replace('verify', 'no')}")
        assert wrong.status_code == 403
        assert channel_client.http.get(f"/channels/{channel}?hub.challenge=1").status_code == 400


def test_a_page_comment_is_filed_and_answered_privately(channel_client, deps, http):
    http.add(responses.POST, f"{GRAPH}/{PAGE}/messages",
             json={"recipient_id": "5566778899001122", "message_id": "m_1"})
    response = deliver(channel_client, "facebook", load("fb_feed_comment.json"))
    (filed,) = response.json_body["filed"]
    assert response.status_code == 200 and filed["created"]
    assert len(archived("raw/facebook/2026/11/28/")) == 1
    pump(channel_client)
    (call,) = calls_to(http, f"{GRAPH}/{PAGE}/messages")
    body = json.loads(call.request.body)
    assert body["recipient"] == {"comment_id": "123456789012345_987654321098765"}
    assert filed["ticket"] in body["message"]["text"]
    assert call.request.headers["Authorization"] == "Bearer fb-page-token"
    assert outbox(deps, filed["ticket"])["ack"].remote_id == "m_1"


def test_a_messenger_message_keeps_its_photo_reference_and_is_answered(
        channel_client, deps, http):
    http.add(responses.POST, f"{GRAPH}/{PAGE}/messages", json={"message_id": "m_2"})
    ticket = deliver(channel_client, "facebook",
                     load("fb_messenger.json")).json_body["filed"][0]["ticket"]
    (photos,) = [e for e in deps.store.history(ticket) if e.action == Action.FOTO]
    assert photos.data["photo_urls"] == ["https://scontent.xx.fbcdn.net/v/t1.15752-9/sampah.jpg"]
    pump(channel_client)
    body = json.loads(calls_to(http, f"{GRAPH}/{PAGE}/messages")[0].request.body)
    assert body["recipient"] == {"id": "7012345678901234"}
    assert body["messaging_type"] == "RESPONSE"


def test_an_instagram_mention_is_read_through_the_graph_api_and_answered_there(
        channel_client, deps, http):
    http.add(responses.GET, f"{GRAPH}/{IG}", json={
        "mentioned_comment": {"text": "@dkijakarta halte Transjakarta Cikini rusak",
                              "username": "warga_jkt", "id": "17895695668004551"},
        "id": IG})
    http.add(responses.POST, f"{GRAPH}/{IG}/mentions", json={"id": "17900000000000001"})
    response = deliver(channel_client, "instagram", load("ig_mention.json"))
    ticket = response.json_body["filed"][0]["ticket"]
    report = deps.store.load(ticket).report
    assert report.description == "@dkijakarta halte Transjakarta Cikini rusak"
    assert report.reporter.name == "@warga_jkt"
    assert "mentioned_comment.comment_id(17895695668004551)" in calls_to(
        http, f"{GRAPH}/{IG}?")[0].request.url.replace("%28", "(").replace("%29", ")")
    pump(channel_client)
    body = json.loads(calls_to(http, f"{GRAPH}/{IG}/mentions")[0].request.body)
    assert body["media_id"] == "17918195224117851"
    assert body["comment_id"] == "17895695668004551" and ticket in body["message"]


def test_a_mention_whose_text_cannot_be_fetched_yet_is_503_so_meta_redelivers(
        channel_client, deps, http):

    http.add(responses.GET, f"{GRAPH}/{IG}", json={"error": {"code": 2,
                                                             "is_transient": True}}, status=500)
    response = deliver(channel_client, "instagram", load("ig_mention.json"))
    assert response.status_code == 503
    assert deps.store.ticket_for("instagram", "mention:17895695668004551") is None


def test_an_instagram_fire_message_gets_112_and_the_acknowledgement(channel_client, deps, http):
    http.add(responses.POST, f"{GRAPH}/{IG}/messages", json={"message_id": "m_ig"})
    ticket = deliver(channel_client, "instagram",
                     load("ig_message.json")).json_body["filed"][0]["ticket"]
    pump(channel_client)
    texts = [json.loads(c.request.body)["message"]["text"]
             for c in calls_to(http, f"{GRAPH}/{IG}/messages")]
    assert sorted("112" in t for t in texts) == [False, True]
    assert set(outbox(deps, ticket)) == {"112", "ack"}


def test_an_instagram_comment_is_answered_privately(channel_client, http):
    http.add(responses.POST, f"{GRAPH}/{IG}/messages", json={"message_id": "m_c"})
    deliver(channel_client, "instagram", load("ig_comment.json"))
    pump(channel_client)
    body = json.loads(calls_to(http, f"{GRAPH}/{IG}/messages")[0].request.body)
    assert body["recipient"] == {"comment_id": "17865799348089039"}
    assert calls_to(http, GRAPH)[0].request.headers["Authorization"] == "Bearer ig-token"


def test_a_batch_is_archived_once_and_each_event_filed_once(channel_client, deps):
    payload = load("fb_feed_comment.json")
    payload["entry"] += load("fb_messenger.json")["entry"] + load("fb_delivery.json")["entry"]
    answer = deliver(channel_client, "facebook", payload).json_body
    assert len(answer["filed"]) == 2 and len(answer["ignored"]) == 3
    (key,) = archived()
    assert "/batch-" in key
    again = deliver(channel_client, "facebook", payload).json_body
    assert [f["ticket"] for f in again["filed"]] == [f["ticket"] for f in answer["filed"]]
    assert not any(f["created"] for f in again["filed"])


def test_receipts_and_reactions_are_acknowledged_and_ignored(channel_client):
    for fixture in ("fb_delivery.json", "fb_feed_reaction.json"):
        response = deliver(channel_client, "facebook", load(fixture))
        assert response.status_code == 200 and response.json_body["filed"] == []
    assert archived() == {}


def test_a_forged_missing_or_cross_channel_signature_creates_nothing(channel_client, deps):
    payload = load("fb_feed_comment.json")
    body = body_of(payload)
    forged = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert deliver(channel_client, "facebook", None, headers=forged, raw=body).status_code == 403
    unsigned = {"Content-Type": "application/json"}
    assert deliver(channel_client, "facebook", None, headers=unsigned,
                   raw=body).status_code == 401
    other = meta_headers(body, "instagram")  # signed with the other channel's secret
    assert deliver(channel_client, "facebook", None, headers=other, raw=body).status_code == 403
    assert archived() == {}


def test_a_malformed_or_oversized_delivery_is_refused(channel_client):
    assert deliver(channel_client, "facebook", None, raw=b"[1, 2").status_code == 400
    missing = deliver(channel_client, "facebook", {"entry": []})
    assert missing.status_code == 400 and missing.json_body["errors"][0]["field"] == "object"
    huge = {"object": "page", "entry": [], "pad": "x" * 1_000_001}
    assert deliver(channel_client, "facebook", huge).status_code == 413
