"""What moto's SNS and SES "sent" in this process (tests only)."""

from __future__ import annotations

import json
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.config import settings


def unit_alerts(topic_suffix: str | None = None) -> list[dict[str, Any]]:
    """Messages published to unit topics, with the per-protocol bodies."""
    backend = sns_backends[DEFAULT_ACCOUNT_ID][settings().region]
    alerts = []
    for arn, topic in backend.topics.items():
        if topic_suffix and not arn.endswith(topic_suffix):
            continue
        for message_id, message, subject, _attributes, _group in topic.sent_notifications:
            alerts.append({"topic": arn, "id": message_id, "subject": subject,
                           **json.loads(message)})
    return alerts


def sms_sent() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][settings().region].sms_messages.values())


def emails_sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][settings().region].sent_messages)
