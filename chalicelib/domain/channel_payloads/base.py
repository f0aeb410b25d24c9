"""What every platform adapter produces: `InboundMessage`s the intake service can file.

An adapter reads one platform's native payload and returns, per message in it, either a
complaint (the intake fields, who to answer and how, photos) or the reason it is ignored
(a like, a delivery receipt, the account's own post). A payload whose structure is broken
raises `MalformedPayload` (HTTP 400). Adapters are pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.intake import MAX_DESCRIPTION
from chalicelib.domain.replies import ReplyAddress

MAX_PHOTO_URLS = 10
MAX_URL = 2048
MAX_ATTACHED_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# What a photo's first bytes must be: the declared content type of an attachment is the
# sender's claim; the bytes decide what is stored and shown to officers as an image.
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis")
# Messages that answer our acknowledgement rather than report anything.
_CHATTER = frozenset({
    "ok", "oke", "okey", "okay", "ya", "iya", "siap", "baik", "terima kasih", "terimakasih",
    "makasih", "mksh", "trims", "thanks", "thank you", "thx", "stop", "berhenti", "help",
    "info", "test", "tes", "ping", "halo", "hallo", "hai", "hi", "hello", "p",
})
_PUNCTUATION = re.compile(r"[^\w\s]+")


class MalformedPayload(ValidationFailed):
    """The payload is not what the platform documents: nothing can be read from it."""

    @classmethod
    def because(cls, field_name: str, message_id: str, message_en: str) -> MalformedPayload:
        return cls(code="payload_tidak_sah", message_id=message_id, message_en=message_en,
                   problems=[FieldProblem(field_name, message_id, message_en)])


@dataclass(frozen=True)
class Attachment:
    """A file that came with the message (email attachments): photos go to S3."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class TextRef:
    """Text the webhook does not carry and must be fetched from the platform's API
    (Instagram mention notifications give only ids)."""

    kind: str  # "ig-mentioned-comment" | "ig-mentioned-media"
    account_id: str
    media_id: str
    comment_id: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    external_id: str | None  # the platform's own message id: the dedupe key
    fields: dict[str, Any] = field(default_factory=dict)  # parse_intake fields
    reply: ReplyAddress | None = None
    photo_urls: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    text_ref: TextRef | None = None
    ignored: str | None = None  # why nothing is filed; None for a complaint

    @property
    def text(self) -> str:
        """The citizen's words, for emergency detection."""
        return str(self.fields.get("description") or "")


def ignored(external_id: str | None, reason: str) -> InboundMessage:
    return InboundMessage(external_id=external_id, ignored=reason)


def complaint(external_id: str, text: str, *, reply: ReplyAddress | None = None,
              photo_urls: tuple[str, ...] = (), attachments: tuple[Attachment, ...] = (),
              **fields: Any) -> InboundMessage:
    """A complaint from free text, or the reason it is not one (empty, or only a 'thanks')."""
    text = text.strip()
    if not text:
        return ignored(external_id, "no text")
    if is_chatter(text):
        return ignored(external_id, "no complaint in the text")
    return InboundMessage(
        external_id=external_id,
        fields={"description": fit_description(text),
                **{k: v for k, v in fields.items() if v not in (None, "")}},
        reply=reply, photo_urls=photo_urls, attachments=attachments)


def fit_description(text: str) -> str:
    """Free text cut to what a report holds. The full text stays in the archived payload,
    so a long post or email is filed rather than refused."""
    text = text.strip()
    if len(text) <= MAX_DESCRIPTION:
        return text
    marker = " [...]"
    return text[: MAX_DESCRIPTION - len(marker)].rstrip() + marker


def is_chatter(text: str) -> bool:
    words = " ".join(_PUNCTUATION.sub(" ", text.lower()).split())
    return words in _CHATTER


def malformed(field_name: str, what_id: str, what_en: str) -> MalformedPayload:
    return MalformedPayload.because(field_name, f"Payload tidak sah: {what_id}.",
                                    f"Malformed payload: {what_en}.")


def mapping(value: Any, field_name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise malformed(field_name, f"'{field_name}' harus berupa objek",
                        f"'{field_name}' must be an object")
    return value


def items(value: Any, field_name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise malformed(field_name, f"'{field_name}' harus berupa daftar",
                        f"'{field_name}' must be a list")
    return value


def obj(value: Any) -> Mapping[str, Any]:
    """An optional object: anything else reads as empty (optional parts never crash)."""
    return value if isinstance(value, Mapping) else {}


def seq(value: Any) -> list[Any]:
    """An optional list: anything else reads as empty."""
    return value if isinstance(value, list) else []


def identifier(value: Any, field_name: str) -> str:
    """A platform id (numbers are accepted: some platforms send them unquoted)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise malformed(field_name, f"'{field_name}' wajib berisi id",
                        f"'{field_name}' must hold an id")
    text = str(value).strip()
    if len(text) > 128 or any(ord(c) < 32 for c in text):
        raise malformed(field_name, f"'{field_name}' bukan id yang sah",
                        f"'{field_name}' is not a valid id")
    return text


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def image_type(content: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG, WebP, HEIC), or None."""
    for magic, content_type in _IMAGE_MAGIC:
        if content.startswith(magic):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def photo_url(value: Any) -> str | None:
    """A photo link kept as a reference (never fetched by the webhook): https only."""
    if isinstance(value, str) and value.startswith("https://") and len(value) <= MAX_URL:
        return value
    return None
