"""X Account Activity API deliveries -> complaints (mentions, DMs) or ignored events."""

from __future__ import annotations

import copy

import pytest

from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.x import parse_x
from tests.channel_fixtures import load


def test_a_mention_becomes_a_complaint_answered_by_a_reply_tweet():
    (message,) = parse_x(load("x_tweet_mention.json"))
    assert message.external_id == "tweet:1862345678901234567" and message.ignored is None
    assert message.fields["description"] == (
        "Lampu jalan di Jl. Medan Merdeka Timur mati sejak 3 hari, gelap & rawan")
    assert message.fields["name"] == "Budi Santoso (@budisan)"
    assert (message.fields["lat"], message.fields["lon"]) == (-6.1767, 106.8306)
    assert message.photo_urls == ("https://pbs.twimg.com/media/GdXyZabc.jpg",)
    assert message.reply.medium == "x-tweet"
    assert message.reply.values == {"tweet_id": "1862345678901234567", "user_id": "987654321",
                                    "screen_name": "budisan"}


def test_a_long_tweet_is_read_from_extended_tweet():
    payload = load("x_tweet_mention.json")
    tweet = payload["tweet_create_events"][0]
    tweet["truncated"] = True
    tweet["text"] = "@DKIJakarta Lampu jalan di Jl. Medan… https://t.co/more"
    tweet["extended_tweet"] = {"full_text": "@DKIJakarta " + "sangat panjang " * 20,
                               "entities": tweet["entities"]}
    (message,) = parse_x(payload)
    assert message.fields["description"].startswith("sangat panjang sangat panjang")


def test_a_direct_message_becomes_a_complaint_answered_by_dm():
    (message,) = parse_x(load("x_direct_message.json"))
    assert message.external_id == "dm:1862400000000000001"
    assert "perampokan" in message.fields["description"]
    assert message.fields["name"] == "Budi Santoso (@budisan)"
    assert message.reply.medium == "x-dm" and message.reply.values == {"user_id": "987654321"}


@pytest.mark.parametrize("fixture, reason", [
    ("x_favorite.json", "favorite_events: nothing to report"),
    ("x_own_tweet.json", "the account's own tweet"),
])
def test_likes_and_our_own_tweets_are_ignored(fixture, reason):
    (message,) = parse_x(load(fixture))
    assert message.ignored == reason


def test_retweets_tweets_not_addressed_to_us_and_bare_mentions_are_ignored():
    base = load("x_tweet_mention.json")
    retweet = copy.deepcopy(base)
    retweet["tweet_create_events"][0]["retweeted_status"] = {"id_str": "1"}
    elsewhere = copy.deepcopy(base)
    elsewhere["tweet_create_events"][0]["entities"]["user_mentions"] = []
    bare = copy.deepcopy(base)
    bare["tweet_create_events"][0]["text"] = "@DKIJakarta https://t.co/AbCdEf1234"
    thanks = copy.deepcopy(base)
    thanks["tweet_create_events"][0]["text"] = "@DKIJakarta terima kasih!"
    assert parse_x(retweet)[0].ignored == "a retweet"
    assert parse_x(elsewhere)[0].ignored == "does not mention the account"
    assert parse_x(bare)[0].ignored == "no text"
    assert parse_x(thanks)[0].ignored == "no complaint in the text"


def test_our_own_direct_messages_are_ignored():
    payload = load("x_direct_message.json")
    payload["direct_message_events"][0]["message_create"]["sender_id"] = "1118043880"
    assert parse_x(payload)[0].ignored == "the account's own message"


def test_a_reply_to_our_tweet_counts_as_addressed_to_us():
    payload = load("x_tweet_mention.json")
    tweet = payload["tweet_create_events"][0]
    tweet["entities"]["user_mentions"] = []
    tweet["in_reply_to_user_id_str"] = "1118043880"
    assert parse_x(payload)[0].ignored is None


def test_odd_coordinates_are_dropped_not_fatal():
    payload = load("x_tweet_mention.json")
    payload["tweet_create_events"][0]["coordinates"] = {"type": "Point", "coordinates": ["a", 1]}
    (message,) = parse_x(payload)
    assert "lat" not in message.fields and message.ignored is None


@pytest.mark.parametrize("payload", [
    [], {"tweet_create_events": []}, {"for_user_id": "1", "tweet_create_events": {}},
    {"for_user_id": "1", "tweet_create_events": [{"id_str": "5", "text": "x"}]},
    {"for_user_id": "1", "direct_message_events": ["x"]},
])
def test_malformed_deliveries_are_refused(payload):
    with pytest.raises(MalformedPayload):
        parse_x(payload)
