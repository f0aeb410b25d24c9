"""Inbound SMS: AWS End User Messaging (Pinpoint) two-way SMS, published to an SNS topic.

The SNS message is {"originationNumber": "+62812...", "destinationNumber": our long code,
"messageKeyword", "messageBody", "inboundMessageId", "previousPublishedMessageId"?}.
The citizen's number is normalised to E.164 (+62...) and kept as the reporter's phone, so
the acknowledgement and later notices reach them; the answer is sent from the number they
wrote to. Replies to our own messages ("ok", "terima kasih") and opt-out keywords carry
nothing to report.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.channel_payloads.base import (
    InboundMessage,
    complaint,
    identifier,
    ignored,
    malformed,
    mapping,
)
from chalicelib.domain.intake import normalise_phone
from chalicelib.domain.replies import ReplyAddress

_E164 = re.compile(r"^\+?[0-9]{3,15}$")


def parse_sms(payload: Any) -> InboundMessage:
    body = mapping(payload, "Message")
    external_id = identifier(body.get("inboundMessageId"), "inboundMessageId")
    origin = body.get("originationNumber")
    text = body.get("messageBody")
    if not isinstance(origin, str) or not origin.strip():
        raise malformed("originationNumber", "nomor pengirim tidak ada",
                        "the sender's number is missing")
    if not isinstance(text, str):
        raise malformed("messageBody", "isi SMS tidak ada", "the message body is missing")
    phone = normalise_phone(origin)
    if phone is None:
        # Alphanumeric sender ids (operator notices, promotions) cannot be answered.
        return ignored(external_id, "the sender is not a phone number")
    values = {"to": phone}
    destination = str(body.get("destinationNumber") or "").strip()
    if _E164.match(destination):  # our own number (or short code): answer from it
        values["from"] = destination
    return complaint(external_id, text, reply=ReplyAddress(medium="sms", values=values),
                     phone=phone)
