"""Meta Graph webhooks: the Facebook page (`object: page`) and Instagram (`object: instagram`).

A delivery is {"object", "entry": [{"id": <page or IG account id>, "time",
"messaging": [...] | "changes": [{"field", "value"}]}]}; Meta batches many entries under
load. Complaints are:
- facebook: `feed` changes that add a visitor post or a comment, and Messenger messages;
- instagram: `comments` on the account's media, `mentions` of the account, and direct
  messages (in `messaging`, or as a `messages` change in Meta's dashboard test deliveries).
Everything else (reactions, likes, edits, removals, delivery/read receipts, echoes of the
account's own messages and comments) is acknowledged and ignored.

Instagram mention notifications carry only ids; the text must be fetched from the Graph API
(`InboundMessage.text_ref`, then `with_fetched_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from chalicelib.domain.channel_payloads.base import (
    InboundMessage,
    TextRef,
    complaint,
    identifier,
    ignored,
    items,
    malformed,
    mapping,
    obj,
    photo_url,
    seq,
    text_of,
)
from chalicelib.domain.intake import MAX_NAME
from chalicelib.domain.replies import ReplyAddress

_FEED_COMPLAINTS = ("post", "status", "photo", "video", "comment")
_RECEIPTS = ("delivery", "read", "reaction", "postback", "optin", "referral", "message_edit",
             "account_linking", "policy-enforcement")


def parse_meta(payload: Any, expected_object: str) -> list[InboundMessage]:
    """Messages of one delivery for the channel subscribed to `expected_object`."""
    body = mapping(payload, "body")
    obj = body.get("object")
    if not isinstance(obj, str) or not obj:
        raise malformed("object", "'object' wajib diisi", "'object' is required")
    entries = items(body.get("entry"), "entry")
    if obj != expected_object:
        return [ignored(None, f"object {obj!r} is not handled by this channel")]
    handlers = _CHANGE_HANDLERS[expected_object]
    messages: list[InboundMessage] = []
    for raw_entry in entries:
        entry = mapping(raw_entry, "entry[]")
        account = identifier(entry.get("id"), "entry[].id")
        for event in items(entry.get("messaging"), "entry[].messaging"):
            messages.append(_messaging(mapping(event, "entry[].messaging[]"), account))
        for raw_change in items(entry.get("changes"), "entry[].changes"):
            change = mapping(raw_change, "entry[].changes[]")
            handler = handlers.get(text_of(change.get("field")))
            if handler is None:
                messages.append(ignored(None, f"field {change.get('field')!r}"))
                continue
            messages.append(handler(mapping(change.get("value"), "changes[].value"), account))
    return messages or [ignored(None, "no events")]


def _name(person: Any, *, handle: bool = False) -> str | None:
    if not isinstance(person, Mapping):
        return None
    name = text_of(person.get("username" if handle else "name")).strip()
    return (f"@{name}" if handle and name else name)[:MAX_NAME] or None


def _messaging(event: Mapping[str, Any], account: str) -> InboundMessage:
    sender = str(obj(event.get("sender")).get("id") or "")
    message = event.get("message")
    if not isinstance(message, Mapping):
        kind = next((k for k in _RECEIPTS if k in event), "unknown")
        return ignored(None, f"messaging {kind}: nothing to report")
    external_id = f"message:{identifier(message.get('mid'), 'message.mid')}"
    if message.get("is_echo") or sender == account:
        return ignored(external_id, "the account's own message")
    if message.get("is_deleted"):
        return ignored(external_id, "a deleted message")
    photos: list[str] = []
    lat = lon = None
    for attachment in seq(message.get("attachments")):
        attachment = obj(attachment)
        payload = obj(attachment.get("payload"))
        if attachment.get("type") == "image" and photo_url(payload.get("url")):
            photos.append(payload["url"])
        coordinates = payload.get("coordinates")
        if attachment.get("type") == "location" and isinstance(coordinates, Mapping):
            lat, lon = coordinates.get("lat"), coordinates.get("long")
    if not sender:
        raise malformed("messaging[].sender", "pengirim pesan tidak ada",
                        "the message has no sender")
    reply = ReplyAddress(medium="meta-message",
                         values={"account_id": account, "recipient_id": sender})
    return complaint(external_id, text_of(message.get("text")), reply=reply,
                     photo_urls=tuple(photos), lat=_number(lat), lon=_number(lon))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _feed(value: Mapping[str, Any], account: str) -> InboundMessage:
    item, verb = text_of(value.get("item")), text_of(value.get("verb"))
    if item == "comment":
        external_id = f"comment:{identifier(value.get('comment_id'), 'value.comment_id')}"
        target = {"comment_id": value["comment_id"]}
    elif item in _FEED_COMPLAINTS:
        external_id = f"post:{identifier(value.get('post_id'), 'value.post_id')}"
        target = {"post_id": value["post_id"]}
    else:
        return ignored(None, f"feed {item or 'item'}: nothing to report")
    if verb != "add":
        return ignored(external_id, f"feed {item} {verb or 'change'}")
    author = obj(value.get("from"))
    if str(author.get("id")) == account:
        return ignored(external_id, "the page's own post or comment")
    photos = [value.get("photo"), *seq(value.get("photos"))]
    reply = ReplyAddress(medium="meta-private-reply",
                         values={"account_id": account, **{k: str(v) for k, v in target.items()}})
    return complaint(external_id, text_of(value.get("message")), reply=reply,
                     photo_urls=tuple(u for u in map(photo_url, photos) if u),
                     name=_name(author))


def _ig_comment(value: Mapping[str, Any], account: str) -> InboundMessage:
    comment_id = identifier(value.get("id"), "value.id")
    external_id = f"comment:{comment_id}"
    author = obj(value.get("from"))
    if str(author.get("id")) == account:
        return ignored(external_id, "the account's own comment")
    reply = ReplyAddress(medium="meta-private-reply",
                         values={"account_id": account, "comment_id": comment_id})
    return complaint(external_id, text_of(value.get("text")), reply=reply,
                     name=_name(author, handle=True))


def _ig_mention(value: Mapping[str, Any], account: str) -> InboundMessage:
    media_id = identifier(value.get("media_id"), "value.media_id")
    comment_id = identifier(value["comment_id"], "value.comment_id") \
        if value.get("comment_id") else None
    ref = TextRef(kind="ig-mentioned-comment" if comment_id else "ig-mentioned-media",
                  account_id=account, media_id=media_id, comment_id=comment_id)
    values = {"account_id": account, "media_id": media_id}
    if comment_id:
        values["comment_id"] = comment_id
    return InboundMessage(external_id=f"mention:{comment_id or media_id}",
                          reply=ReplyAddress(medium="ig-mention", values=values), text_ref=ref)


def with_fetched_text(message: InboundMessage, text: str,
                      username: str | None) -> InboundMessage:
    """A mention completed with the text fetched from the Graph API."""
    filled = complaint(message.external_id or "", text, reply=message.reply,
                       name=f"@{username}"[:MAX_NAME] if username else None)
    return replace(filled, text_ref=None)


_Handler = Callable[[Mapping[str, Any], str], InboundMessage]
_CHANGE_HANDLERS: dict[str, dict[str, _Handler]] = {
    "page": {"feed": _feed, "messages": _messaging},
    "instagram": {"comments": _ig_comment, "mentions": _ig_mention, "messages": _messaging},
}
