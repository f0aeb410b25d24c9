"""Meta Graph webhooks (page and Instagram) -> complaints or ignored events."""

from __future__ import annotations

import pytest

from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.meta import parse_meta, with_fetched_text
from tests.channel_fixtures import load

PAGE = "102938475610293"
IG = "17841400000000000"


def test_a_page_comment_is_answered_by_a_private_reply():
    (message,) = parse_meta(load("fb_feed_comment.json"), "page")
    assert message.external_id == "comment:123456789012345_987654321098765"
    assert message.fields["description"].startswith("Trotoar di depan Pasar Senen")
    assert message.fields["name"] == "Siti Rahma"
    assert message.reply.medium == "meta-private-reply"
    assert message.reply.values == {"account_id": PAGE,
                                    "comment_id": "123456789012345_987654321098765"}


def test_a_visitor_photo_post_keeps_its_photo_as_a_reference():
    (message,) = parse_meta(load("fb_feed_visitor_post.json"), "page")
    assert message.external_id == "post:102938475610293_555666777888999"
    assert message.photo_urls == ("https://scontent.xx.fbcdn.net/v/t39.30808-6/pohon.jpg",)
    assert message.reply.values["post_id"] == "102938475610293_555666777888999"


def test_a_messenger_message_is_answered_in_messenger():
    (message,) = parse_meta(load("fb_messenger.json"), "page")
    assert message.external_id.startswith("message:m_AG5Hz2Uq7")
    assert message.reply.medium == "meta-message"
    assert message.reply.values == {"account_id": PAGE, "recipient_id": "7012345678901234"}
    assert message.photo_urls == ("https://scontent.xx.fbcdn.net/v/t1.15752-9/sampah.jpg",)


def test_receipts_reactions_and_echoes_are_ignored():
    reasons = [m.ignored for m in parse_meta(load("fb_delivery.json"), "page")]
    assert reasons == ["messaging delivery: nothing to report", "messaging read: nothing to report",
                       "the account's own message"]
    (reaction,) = parse_meta(load("fb_feed_reaction.json"), "page")
    assert reaction.ignored == "feed reaction: nothing to report"


def test_edits_removals_and_the_pages_own_comments_are_ignored():
    edited = load("fb_feed_comment.json")
    edited["entry"][0]["changes"][0]["value"]["verb"] = "edited"
    own = load("fb_feed_comment.json")
    own["entry"][0]["changes"][0]["value"]["from"]["id"] = PAGE
    assert parse_meta(edited, "page")[0].ignored == "feed comment edited"
    assert parse_meta(own, "page")[0].ignored == "the page's own post or comment"


def test_an_instagram_comment_is_answered_by_a_private_reply():
    (message,) = parse_meta(load("ig_comment.json"), "instagram")
    assert message.external_id == "comment:17865799348089039"
    assert message.fields["name"] == "@warga_jkt"
    assert message.reply.values == {"account_id": IG, "comment_id": "17865799348089039"}


def test_an_instagram_mention_needs_its_text_fetched():
    (message,) = parse_meta(load("ig_mention.json"), "instagram")
    assert message.external_id == "mention:17895695668004551" and message.ignored is None
    assert message.text_ref.kind == "ig-mentioned-comment"
    assert message.text_ref.comment_id == "17895695668004551"
    assert message.reply.medium == "ig-mention"
    filled = with_fetched_text(message, "Halte Transjakarta rusak @dkijakarta", "warga_jkt")
    assert filled.fields == {"description": "Halte Transjakarta rusak @dkijakarta",
                             "name": "@warga_jkt"}
    assert filled.text_ref is None and filled.reply == message.reply


def test_a_caption_mention_has_only_a_media_id():
    payload = load("ig_mention.json")
    del payload["entry"][0]["changes"][0]["value"]["comment_id"]
    (message,) = parse_meta(payload, "instagram")
    assert message.external_id == "mention:17918195224117851"
    assert message.text_ref.kind == "ig-mentioned-media"


def test_an_instagram_direct_message_is_answered_directly():
    (message,) = parse_meta(load("ig_message.json"), "instagram")
    assert message.reply.medium == "meta-message"
    assert message.reply.values == {"account_id": IG, "recipient_id": "1254459154682919"}


def test_a_batch_yields_one_message_per_event():
    payload = load("fb_feed_comment.json")
    payload["entry"] += load("fb_messenger.json")["entry"] + load("fb_delivery.json")["entry"]
    messages = parse_meta(payload, "page")
    assert [m.ignored is None for m in messages] == [True, True, False, False, False]


def test_a_delivery_for_another_object_is_ignored():
    (message,) = parse_meta(load("ig_comment.json"), "page")
    assert message.ignored == "object 'instagram' is not handled by this channel"


@pytest.mark.parametrize("payload", [
    "page", {}, {"object": "page", "entry": {}}, {"object": "page", "entry": [{}]},
    {"object": "page", "entry": [{"id": PAGE, "changes": [{"field": "feed", "value": 1}]}]},
    {"object": "page", "entry": [{"id": PAGE, "messaging": [{"message": {"text": "x"}}]}]},
])
def test_malformed_deliveries_are_refused(payload):
    with pytest.raises(MalformedPayload):
        parse_meta(payload, "page")
