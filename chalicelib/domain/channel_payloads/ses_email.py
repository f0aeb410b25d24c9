"""Mail to dki@jakarta.go.id, received by Amazon SES and announced on an SNS topic.

The notification is {"notificationType": "Received", "mail": {"messageId", "source",
"commonHeaders", ...}, "receipt": {"spamVerdict", "virusVerdict", "spfVerdict",
"dkimVerdict", "dmarcVerdict", "action": {...}}, "content"?}. With an SNS action the raw
MIME message is in `content` (BASE64 or UTF8 `encoding`, mail up to 150 KB); with an S3
action it is the object `bucketName`/`objectKey` and there is no content.

Rules:
- spam or virus (verdict FAIL): never a report (the service logs it);
- a sender SES could not authenticate (DMARC FAIL, or both SPF and DKIM FAIL) may be
  forged: the report is filed, but that address is neither answered nor kept as the
  reporter's contact (a reply would be backscatter to a stranger);
- automatic mail (auto-replies, bounces, bulk and list mail, our own) is ignored, or two
  auto-responders would answer each other forever;
- the description is the subject and the text (HTML converted to text when there is no
  plain part), without quoted earlier mail; image attachments become report photos.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from email_validator import EmailNotValidError, validate_email

from chalicelib.domain.channel_payloads.base import (
    MAX_ATTACHED_PHOTOS,
    MAX_PHOTO_BYTES,
    Attachment,
    InboundMessage,
    complaint,
    identifier,
    ignored,
    image_type,
    malformed,
    mapping,
    obj,
    text_of,
)
from chalicelib.domain.intake import MAX_NAME
from chalicelib.domain.replies import ReplyAddress

_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_ROBOT_MAILBOXES = {"mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply"}
_QUOTE_START = re.compile(
    r"^(On .{1,200} wrote:|Pada .{1,200} menulis:|-{2,}\s*Original Message\s*-{2,}|"
    r"-{2,}\s*Pesan Asli\s*-{2,})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SesEnvelope:
    """What SES says about one received mail, before the MIME message is read."""

    message_id: str
    source: str = ""
    verdicts: dict[str, str] = field(default_factory=dict)
    action: str = "SNS"  # SNS | S3
    encoding: str | None = None
    content: str | None = None
    bucket: str | None = None
    object_key: str | None = None
    ignored: str | None = None

    @property
    def sender_verified(self) -> bool:
        v = self.verdicts
        return v.get("dmarc") != "FAIL" and not (v.get("spf") == "FAIL"
                                                  and v.get("dkim") == "FAIL")


def ses_envelope(notification: Any) -> SesEnvelope:
    body = mapping(notification, "Message")
    kind = body.get("notificationType")
    if kind != "Received":
        return SesEnvelope(message_id="", ignored=f"SES notification {kind!r}")
    mail = mapping(body.get("mail"), "mail")
    receipt = mapping(body.get("receipt"), "receipt")
    message_id = identifier(mail.get("messageId"), "mail.messageId")
    verdicts = {name: text_of(obj(receipt.get(f"{name}Verdict")).get("status")).upper()
                for name in ("spam", "virus", "spf", "dkim", "dmarc")}
    action = mapping(receipt.get("action"), "receipt.action")
    envelope = SesEnvelope(
        message_id=message_id, source=text_of(mail.get("source")), verdicts=verdicts,
        action=text_of(action.get("type")), encoding=text_of(action.get("encoding")) or None,
        content=body.get("content") if isinstance(body.get("content"), str) else None,
        bucket=text_of(action.get("bucketName")) or None,
        object_key=text_of(action.get("objectKey")) or None)
    if verdicts["virus"] == "FAIL":
        return _ignore(envelope, "virus")
    if verdicts["spam"] == "FAIL":
        return _ignore(envelope, "spam")
    if envelope.action == "SNS" and envelope.content is None:
        raise malformed("content", "notifikasi SNS tanpa isi email",
                        "an SNS-action notification without the mail content")
    if envelope.action == "S3" and not (envelope.bucket and envelope.object_key):
        raise malformed("receipt.action", "aksi S3 tanpa bucketName/objectKey",
                        "an S3 action without bucketName/objectKey")
    if envelope.action not in ("SNS", "S3"):
        raise malformed("receipt.action.type", f"aksi {envelope.action!r} tidak didukung",
                        f"action {envelope.action!r} is not supported")
    return envelope


def _ignore(envelope: SesEnvelope, reason: str) -> SesEnvelope:
    return SesEnvelope(**{**envelope.__dict__, "ignored": reason})


def carried_mail(envelope: SesEnvelope) -> bytes:
    """The raw MIME message an SNS-action notification carries."""
    content = envelope.content or ""
    if (envelope.encoding or "UTF8").upper() == "BASE64":
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise malformed("content", "isi BASE64 tidak sah",
                            "the BASE64 content is invalid") from None
    return content.encode("utf-8", "surrogateescape")


# -- the MIME message --------------------------------------------------------------

class _TextExtractor(HTMLParser):
    _BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "table", "ul", "ol", "hr"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _without_quotes(text: str) -> str:
    kept = []
    for line in text.splitlines():
        if _QUOTE_START.match(line.strip()) or line.rstrip() == "--":
            break  # earlier mail or the signature follows
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # unknown or lying charset
        raw = part.get_payload(decode=True) or b""
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return _without_quotes(content)


def _addresses(message: EmailMessage, header: str) -> list[tuple[str, str]]:
    try:
        values = message.get_all(header) or []
        return [(name, addr) for name, addr in getaddresses([str(v) for v in values]) if addr]
    except (TypeError, ValueError, IndexError):
        return []


def _is_automatic(message: EmailMessage, sender: str, own: frozenset[str]) -> bool:
    auto = str(message.get("auto-submitted") or "no").strip().lower()
    precedence = str(message.get("precedence") or "").strip().lower()
    mailbox = sender.split("@")[0].lower()
    return (auto != "no" or precedence in _BULK_PRECEDENCE
            or any(message.get(h) is not None
                   for h in ("x-autoreply", "x-autorespond", "list-id", "list-unsubscribe"))
            or mailbox in _ROBOT_MAILBOXES or sender.lower() in own)


def _photos(message: EmailMessage) -> tuple[Attachment, ...]:
    photos = []
    for part in message.walk():
        if part.get_content_maintype() != "image" or len(photos) >= MAX_ATTACHED_PHOTOS:
            continue
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes) or not 0 < len(content) <= MAX_PHOTO_BYTES:
            continue
        real_type = image_type(content)
        if real_type:
            photos.append(Attachment(part.get_filename() or "photo", real_type, content))
    return tuple(photos)


def _valid_address(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def email_message(raw: bytes, envelope: SesEnvelope, *,
                  own_addresses: frozenset[str] = frozenset()) -> InboundMessage:
    """The complaint in one received mail (or why there is none)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    external_id = envelope.message_id
    senders = _addresses(message, "from")
    sender_name, sender = senders[0] if senders else ("", envelope.source)
    if _is_automatic(message, sender or envelope.source, own_addresses):
        return ignored(external_id, "automatic or bulk mail")
    answer_to = (_addresses(message, "reply-to") or [("", sender)])[0][1]
    address = _valid_address(answer_to) if envelope.sender_verified and answer_to else None
    subject = " ".join(str(message.get("subject") or "").split())
    body = _body_text(message)
    text = f"{subject}\n\n{body}" if subject and body else subject or body
    reply = None
    if address:
        message_id = str(message.get("message-id") or "").strip()
        references = " ".join(str(message.get("references") or "").split() + [message_id])
        reply = ReplyAddress(medium="email", values={
            "to": address, "subject": subject, "in_reply_to": message_id,
            "references": references.strip()})
    return complaint(external_id, text, reply=reply, attachments=_photos(message),
                     name=sender_name.strip()[:MAX_NAME] or None, email=address)


def own_mailboxes(addresses: list[str]) -> frozenset[str]:
    return frozenset(a.strip().lower() for a in addresses if a and a.strip())


def ses_action_summary(envelope: SesEnvelope) -> Mapping[str, Any]:
    """What is logged about a mail that is not filed: never its content nor its sender's
    address (a citizen's contact); the sender's domain tells spam waves apart."""
    domain = (envelope.source or "").rpartition("@")[2].lower() or None
    return {"message_id": envelope.message_id, "source_domain": domain,
            "verdicts": envelope.verdicts, "reason": envelope.ignored}
