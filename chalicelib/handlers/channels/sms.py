"""Inbound SMS: AWS End User Messaging two-way SMS publishes each message to the
`*-inbound-sms` SNS topic, which invokes this function.

As for email: only what a retry can fix is raised (SNS/Lambda then redeliver, and the
inboundMessageId dedupe key makes that harmless); a malformed message is logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from chalice import Blueprint
from chalice.app import SNSEvent

from chalicelib.channel_config import inbound_sms_topic
from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.sms import parse_sms
from chalicelib.handlers.channels.webhook import channels_with_payload
from chalicelib.services.channel_intake import receive
from chalicelib.services.deps import default_deps

log = logging.getLogger("crm.channels.sms")
bp = Blueprint(__name__)
(CHANNEL,) = channels_with_payload("sms")


@bp.on_sns_message(topic=inbound_sms_topic(), name="inbound_sms")
def inbound_sms(event: SNSEvent) -> dict[str, Any]:
    raw = event.message.encode("utf-8")
    try:
        message = parse_sms(json.loads(raw))
    except (ValueError, MalformedPayload) as exc:
        log.error("inbound SMS rejected: %s", exc)
        return {"ignored": "malformed message"}
    return receive(default_deps(), CHANNEL, raw, [message]).summary()
