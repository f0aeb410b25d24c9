"""X Account Activity API deliveries: mentions and direct messages to the account.

A delivery is {"for_user_id": <the subscribed account>, "<kind>_events": [...], ...}.
Complaints are `tweet_create_events` that mention (or reply to) the account and
`direct_message_events` of type message_create sent to it. Everything else (likes,
follows, typing and read indicators, deletions, the account's own tweets and DMs, retweets)
is acknowledged and ignored. Tweets are v1.1 objects: long tweets keep their text in
`extended_tweet.full_text`, and text is HTML-escaped (&amp;).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.channel_payloads.base import (
    InboundMessage,
    complaint,
    identifier,
    ignored,
    items,
    mapping,
    obj,
    photo_url,
    seq,
    text_of,
)
from chalicelib.domain.intake import MAX_NAME
from chalicelib.domain.replies import ReplyAddress

_LEADING_MENTIONS = re.compile(r"^(?:\s*@\w+)+\s*")
_COMPLAINT_KEYS = ("tweet_create_events", "direct_message_events")


def parse_x(payload: Any) -> list[InboundMessage]:
    body = mapping(payload, "body")
    account = identifier(body.get("for_user_id"), "for_user_id")
    messages = [_tweet(mapping(t, "tweet_create_events[]"), account)
                for t in items(body.get("tweet_create_events"), "tweet_create_events")]
    users = obj(body.get("users"))
    messages += [_direct_message(mapping(e, "direct_message_events[]"), account, users)
                 for e in items(body.get("direct_message_events"), "direct_message_events")]
    messages += [ignored(None, f"{key}: nothing to report") for key in body
                 if key.endswith("_events") and key not in _COMPLAINT_KEYS]
    return messages or [ignored(None, "no events")]


def _name(user: Mapping[str, Any]) -> str | None:
    name, handle = text_of(user.get("name")).strip(), text_of(user.get("screen_name")).strip()
    label = f"{name} (@{handle})" if name and handle else name or (f"@{handle}" if handle else "")
    return label[:MAX_NAME] or None


def _point(value: Any) -> tuple[float | None, float | None]:
    """(lat, lon) of a GeoJSON point, which X writes as [longitude, latitude]."""
    if not isinstance(value, Mapping) or value.get("type") != "Point":
        return None, None
    pair = value.get("coordinates")
    if (isinstance(pair, list) and len(pair) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
            and -180 <= pair[0] <= 180 and -90 <= pair[1] <= 90):
        return float(pair[1]), float(pair[0])
    return None, None


def _tweet(tweet: Mapping[str, Any], account: str) -> InboundMessage:
    tweet_id = identifier(tweet.get("id_str") or tweet.get("id"), "tweet.id_str")
    external_id = f"tweet:{tweet_id}"
    user = mapping(tweet.get("user"), "tweet.user")
    author = identifier(user.get("id_str") or user.get("id"), "tweet.user.id_str")
    if author == account:
        return ignored(external_id, "the account's own tweet")
    if tweet.get("retweeted_status"):
        return ignored(external_id, "a retweet")
    extended = obj(tweet.get("extended_tweet"))
    entities = obj(extended.get("entities") or tweet.get("entities"))
    mentioned = {str(m.get("id_str") or m.get("id")) for m in seq(entities.get("user_mentions"))
                 if isinstance(m, Mapping)}
    if account not in mentioned and str(tweet.get("in_reply_to_user_id_str")) != account:
        return ignored(external_id, "does not mention the account")
    media = [m for m in seq(obj(extended.get("extended_entities")
                                or tweet.get("extended_entities") or entities).get("media"))
             if isinstance(m, Mapping)]
    text = text_of(extended.get("full_text") or tweet.get("full_text") or tweet.get("text"))
    for item in media:  # the t.co link X appends for attached media says nothing
        text = text.replace(text_of(item.get("url")) or "\0", "")
    text = _LEADING_MENTIONS.sub("", html.unescape(text))
    lat, lon = _point(tweet.get("coordinates"))
    photos = tuple(u for u in (photo_url(m.get("media_url_https")) for m in media
                               if m.get("type") == "photo") if u)
    reply = ReplyAddress(medium="x-tweet", values={
        "tweet_id": tweet_id, "user_id": author,
        "screen_name": text_of(user.get("screen_name"))})
    return complaint(external_id, text, reply=reply, photo_urls=photos,
                     name=_name(user), lat=lat, lon=lon)


def _direct_message(event: Mapping[str, Any], account: str,
                    users: Mapping[str, Any]) -> InboundMessage:
    event_id = identifier(event.get("id"), "direct_message_events[].id")
    external_id = f"dm:{event_id}"
    if event.get("type") != "message_create":
        return ignored(external_id, f"direct message event {event.get('type')!r}")
    create = mapping(event.get("message_create"), "message_create")
    sender = identifier(create.get("sender_id"), "message_create.sender_id")
    if sender == account:
        return ignored(external_id, "the account's own message")
    data = mapping(create.get("message_data"), "message_create.message_data")
    text = text_of(data.get("text"))
    media = obj(obj(data.get("attachment")).get("media"))
    if media:
        text = text.replace(text_of(media.get("url")) or "\0", "")
    photo = photo_url(media.get("media_url_https")) if media.get("type") == "photo" else None
    user = obj(users.get(sender))
    return complaint(external_id, html.unescape(text),
                     reply=ReplyAddress(medium="x-dm", values={"user_id": sender}),
                     photo_urls=(photo,) if photo else (), name=_name(user))
