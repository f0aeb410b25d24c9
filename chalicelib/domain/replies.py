"""What the citizen is told through the channel they used, and how long each medium allows.

Every complaint from an external channel is acknowledged with its ticket number and a
tracking link; a complaint that speaks of an emergency also gets, as its own message, the
instruction to call 112. Bahasa Indonesia first, English after, as everywhere in CRM.

Media and their limits:
- `x-tweet` (public reply) 280 weighted characters, any URL counting 23 (t.co);
- `x-dm`, `meta-message` (Messenger / Instagram direct), `meta-private-reply` (a private
  message answering a comment or visitor post), `ig-mention` (a comment answering a
  mention): text only, 1000-2000 characters;
- `email`: subject + plain text;
- `sms`: one segment, 160 GSM-7 characters or 70 UCS-2 ones. Each extra segment is paid.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.sms import fits_one_sms, is_gsm7, single_segment_limit, sms_units

TEXT_LIMITS = {"x-tweet": 280, "x-dm": 10_000, "meta-message": 1000,
               "meta-private-reply": 1000, "ig-mention": 2200}
MEDIA = (*TEXT_LIMITS, "email", "sms")
X_URL_WEIGHT = 23
_URL = re.compile(r"https?://\S+")


class ReplyAddress(BaseModel):
    """Where and how a citizen is answered; `values` are the medium's own ids."""

    medium: str
    values: dict[str, str] = {}


class Outgoing(BaseModel):
    """One message for the outbox: an answer to a citizen, or a status update to a partner."""

    kind: str  # "ack" | "emergency" | "partner-sync"
    channel: str
    medium: str  # one of MEDIA, or "partner"
    address: dict[str, str] = {}
    text: str = ""
    subject: str | None = None
    body: dict[str, Any] | None = None  # partner-sync: the JSON the partner receives


def tracking_link(public_base_url: str, ticket: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}/lacak/{ticket}?token={token}"


# -- measuring ---------------------------------------------------------------------

def sms_segments(text: str) -> int:
    """How many SMS segments `text` is sent as (concatenated parts carry a 6-7 byte header:
    153 GSM-7 or 67 UCS-2 characters each)."""
    units = sms_units(text)
    if units <= single_segment_limit(text):
        return 1
    return math.ceil(units / (153 if is_gsm7(text) else 67))


def _x_char_weight(char: str) -> int:
    # twitter-text v3: Latin, Greek, Cyrillic, Hebrew, Arabic... and some punctuation count 1;
    # everything else (CJK, emoji) counts 2.
    code = ord(char)
    light = (code <= 0x10FF or 0x2000 <= code <= 0x200D or 0x2010 <= code <= 0x201F
             or 0x2032 <= code <= 0x2037)
    return 1 if light else 2


def x_weighted_length(text: str) -> int:
    """A tweet's length as X counts it: every URL is 23, wide characters count 2."""
    rest = _URL.sub("", text)
    return X_URL_WEIGHT * len(_URL.findall(text)) + sum(_x_char_weight(c) for c in rest)


def fits(medium: str, text: str) -> bool:
    if medium == "sms":
        return fits_one_sms(text)
    if medium == "x-tweet":
        return x_weighted_length(text) <= TEXT_LIMITS[medium]
    limit = TEXT_LIMITS.get(medium)
    return limit is None or len(text) <= limit


# -- composing ---------------------------------------------------------------------

_ACK_SHORT = ("Terima kasih, laporan Anda diterima dengan tiket {ticket}. / "
              "Thank you, your report was received as ticket {ticket}.\n"
              "Pantau / Track: {link}")
_ACK_SUBJECT = "Laporan diterima: {ticket} / Report received: {ticket}"
_ACK_EMAIL = (
    "Terima kasih. Laporan Anda telah kami terima dengan nomor tiket {ticket}.\n"
    "Pantau perkembangannya di: {link}\n\n"
    "-- English --\n"
    "Thank you. Your report was received with ticket number {ticket}.\n"
    "Follow its progress at: {link}\n\n"
    "Pemprov DKI Jakarta - Cepat Respon Masyarakat (CRM)\n"
    "Pesan otomatis; balasan ke email ini dicatat sebagai laporan baru.\n"
    "Automatic message; a reply to this email is filed as a new report.\n"
)
# Longest first; the first that fits one segment is sent. The last has no link: a very long
# public URL must not push an acknowledgement into a second paid segment.
_ACK_SMS = (
    "Laporan diterima / Report received: {ticket}. Pantau / Track: {link}",
    "Laporan {ticket} diterima. Pantau: {link}",
    "Tiket {ticket}: {link}",
    "Laporan Anda diterima, tiket {ticket}. / Report received, ticket {ticket}.",
)

_112_SHORT = ("PENTING: jika ini keadaan darurat (kebakaran, kecelakaan, kejahatan, medis), "
              "segera telepon 112. Laporan {ticket} tetap kami catat.\n"
              "IMPORTANT: if this is an emergency (fire, accident, crime, medical), call 112 "
              "now. Report {ticket} is still recorded.")
_112_SUBJECT = "PENTING: telepon 112 jika darurat / IMPORTANT: call 112 in an emergency"
_112_SMS = (
    "DARURAT? Segera telepon 112. EMERGENCY? Call 112 now. Laporan {ticket} tetap dicatat.",
    "DARURAT? Telepon 112. EMERGENCY? Call 112. ({ticket})",
)


def _first_fitting(variants: tuple[str, ...], **values: str) -> str:
    for variant in variants:
        text = variant.format(**values)
        if fits_one_sms(text):
            return text
    raise ValueError("no variant fits one SMS segment")  # only with an absurd ticket


def acknowledgement(medium: str, ticket: str, link: str) -> tuple[str | None, str]:
    """(subject or None, text) acknowledging a filed report with its ticket and link."""
    if medium == "sms":
        return None, _first_fitting(_ACK_SMS, ticket=ticket, link=link)
    if medium == "email":
        return (_ACK_SUBJECT.format(ticket=ticket),
                _ACK_EMAIL.format(ticket=ticket, link=link))
    return None, _ACK_SHORT.format(ticket=ticket, link=link)


def emergency_notice(medium: str, ticket: str) -> tuple[str | None, str]:
    """(subject or None, text) telling the citizen to call 112; the report is kept."""
    if medium == "sms":
        return None, _first_fitting(_112_SMS, ticket=ticket)
    if medium == "email":
        return _112_SUBJECT, _112_SHORT.format(ticket=ticket) + "\n"
    return None, _112_SHORT.format(ticket=ticket)


def emergency_notice_for_partner() -> dict[str, str]:
    """What a partner app shows its user at once (the partner answers its own users)."""
    return {
        "id": "Jika ini keadaan darurat (kebakaran, kecelakaan, kejahatan, medis), segera "
              "telepon 112. Laporan tetap dicatat.",
        "en": "If this is an emergency (fire, accident, crime, medical), call 112 now. "
              "The report is still recorded.",
    }


def reply_messages(channel: str, address: ReplyAddress, ticket: str, link: str,
                   emergency: bool) -> list[tuple[str, Outgoing]]:
    """(deterministic reply id, message) pairs for one filed report: queueing them twice
    is queueing them once. The 112 notice comes first: it is the urgent one."""
    replies = []
    composed = []
    if emergency:
        composed.append(("112", "emergency", emergency_notice(address.medium, ticket)))
    composed.append(("ack", "ack", acknowledgement(address.medium, ticket, link)))
    for reply_id, kind, (subject, text) in composed:
        replies.append((reply_id, Outgoing(kind=kind, channel=channel, medium=address.medium,
                                           address=dict(address.values), text=text,
                                           subject=subject)))
    return replies
