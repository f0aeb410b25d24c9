"""Mail to dki@jakarta.go.id: SES receives it and publishes a notification to the
`*-inbound-email` SNS topic, which invokes this function.

SNS invokes asynchronously: an exception makes Lambda retry (twice, then the function's
on-failure destination), so only what a retry can fix (S3 or DynamoDB unavailable) is
raised. A malformed notification or a mail that is not a complaint is logged and answered
normally: retrying would give the same answer.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from chalice import Blueprint
from chalice.app import SNSEvent

from chalicelib.channel_config import inbound_email_topic
from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.ses_email import (
    carried_mail,
    email_message,
    own_mailboxes,
    ses_action_summary,
    ses_envelope,
)
from chalicelib.handlers.channels.webhook import channels_with_payload
from chalicelib.services.channel_deps import channel_deps
from chalicelib.services.channel_intake import receive
from chalicelib.services.deps import default_deps

log = logging.getLogger("crm.channels.email")
bp = Blueprint(__name__)
(CHANNEL,) = channels_with_payload("ses-email")


@bp.on_sns_message(topic=inbound_email_topic(), name="inbound_email")
def inbound_email(event: SNSEvent) -> dict[str, Any]:
    deps = default_deps()
    cd = channel_deps(deps)
    try:
        envelope = ses_envelope(json.loads(event.message))
        if envelope.ignored:
            log.warning("inbound mail not filed: %s", ses_action_summary(envelope))
            return {"ignored": envelope.ignored, "id": envelope.message_id or None}
        if envelope.action == "S3":
            raw = cd.archive.fetch(envelope.bucket or "", envelope.object_key or "")
            if raw is None:
                log.error("inbound mail %s: s3://%s/%s is missing", envelope.message_id,
                          envelope.bucket, envelope.object_key)
                return {"ignored": "stored mail missing", "id": envelope.message_id}
        else:
            raw = carried_mail(envelope)
        message = email_message(raw, envelope,
                                own_addresses=own_mailboxes(cd.config.own_mail_addresses))
    except (ValueError, MalformedPayload) as exc:
        log.error("inbound mail notification rejected: %s", exc)
        return {"ignored": "malformed notification"}
    return receive(deps, CHANNEL, raw, [message], suffix="eml").summary()
