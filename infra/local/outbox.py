"""What SES and SNS would have delivered: one record per recipient, kept in `outbox.jsonl`.

The moto process captures the records (see `moto_patches`) and appends them; the stack reads
the file to serve `GET /_local/outbox`, so the outbox survives restarts like everything else.
"""

from __future__ import annotations

import email
import email.policy
import json
import uuid
from datetime import UTC, datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from infra.local.journal import read_entries

OUTBOX_FILE = "outbox.jsonl"
SES_SOURCE = "ses"
SNS_SMS_SOURCE = "sns"
# What SNS puts in the subject of an email notification published without one.
SNS_DEFAULT_SUBJECT = "AWS Notification Message"


def message(channel: str, to: str, subject: str | None, body: str, source: str) -> dict[str, Any]:
    # uuid4 (os.urandom), not moto's seeded random: capture happens only live, never during
    # replay, so drawing from moto's generator here would make replayed ids differ.
    return {
        "id": uuid.uuid4().hex,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "channel": channel,
        "to": to,
        "subject": subject,
        "body": body,
        "source": source,
    }


def ses_messages(recipients: list[str], subject: str | None, body: str) -> list[dict[str, Any]]:
    seen: list[str] = []
    for _name, address in getaddresses(recipients):
        if address and address.lower() not in (s.lower() for s in seen):
            seen.append(address)
    return [message("email", address, subject, body, SES_SOURCE) for address in seen]


def parse_raw_email(raw: str) -> tuple[str | None, str]:
    """(subject, body text) of a MIME message; prefers text/plain over HTML."""
    parsed = email.message_from_string(raw, policy=email.policy.default)
    subject = parsed["subject"]
    part = parsed.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    body = part.get_content() if part is not None else ""
    return (str(subject) if subject is not None else None), body


def sns_email_json(topic_arn: str, message_id: str, subject: str | None, text: str,
                   attributes: dict[str, Any] | None) -> str:
    """The JSON body SNS mails to an `email-json` subscriber (unsigned: nothing verifies it)."""
    notification: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Message": text,
        "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "SignatureVersion": "1",
    }
    if subject is not None:
        notification["Subject"] = subject
    if attributes:
        notification["MessageAttributes"] = {
            name: {"Type": value.get("Type"), "Value": value.get("Value")}
            for name, value in attributes.items()
        }
    return json.dumps(notification)


def read_outbox(data_dir: Path, to: str | None = None,
                channel: str | None = None) -> list[dict[str, Any]]:
    messages = read_entries(data_dir / OUTBOX_FILE)
    return [
        m for m in messages
        if (to is None or str(m.get("to", "")).lower() == to.lower())
        and (channel is None or m.get("channel") == channel)
    ]


def format_line(msg: dict[str, Any]) -> str:
    """One terminal line per message: channel, recipient, subject, start of the body, source."""
    body = " ".join(str(msg.get("body", "")).split())
    if len(body) > 100:
        body = body[:97] + "..."
    subject = f' "{msg["subject"]}"' if msg.get("subject") else ""
    return f"[outbox] {msg['channel']:5} to {msg['to']}{subject}: {body}  ({msg['source']})"
