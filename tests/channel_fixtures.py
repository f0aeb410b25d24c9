"""Payloads of the external channels, in each platform's documented format (tests only).

The JSON and .eml files in tests/fixtures/channels/ follow the platforms' public
documentation (X Account Activity API, Meta Graph webhooks, SES receipt notifications,
End User Messaging two-way SMS). Signatures are computed here with hmac directly, an
oracle independent of chalicelib.domain.signatures.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "channels"
# The first bytes of a JPEG (what the photo check looks at), then filler.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def body_of(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def secret(channel: str) -> bytes:
    """The documented local default secret of a channel."""
    return f"crm-local-{channel}-secret".encode()


def partner_headers(body: bytes, timestamp: int, *, channel: str = "jaki",
                    key_id: str | None = None, key: bytes | None = None) -> dict[str, str]:
    stamp = str(timestamp)
    digest = hmac.new(key or secret(channel), f"{stamp}.".encode() + body, hashlib.sha256)
    return {"Content-Type": "application/json", "X-CRM-Key-Id": key_id or channel,
            "X-CRM-Timestamp": stamp, "X-CRM-Signature": "sha256=" + digest.hexdigest()}


def x_headers(body: bytes, key: bytes | None = None) -> dict[str, str]:
    digest = hmac.new(key or secret("x"), body, hashlib.sha256).digest()
    return {"Content-Type": "application/json",
            "x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}


def meta_headers(body: bytes, channel: str, key: bytes | None = None) -> dict[str, str]:
    digest = hmac.new(key or secret(channel), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + digest}


def html_mail_with_photo(*, subject: str = "Jalan rusak di Jl. Salemba Raya",
                         sender: str = "Rudi <rudi@example.id>",
                         message_id: str = "<html-1@mail.example.id>",
                         html: str | None = None) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "dki@jakarta.go.id"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail.set_content(html or "<html><head><style>p{color:red}</style></head><body>"
                     "<p>Jalan <b>berlubang</b> di depan kampus UI Salemba.</p>"
                     "<p>Mohon segera diperbaiki &amp; diberi tanda.</p></body></html>",
                     subtype="html")
    mail.add_attachment(JPEG, maintype="image", subtype="jpeg", filename="lubang.jpg")
    mail.add_attachment(b"not an image at all", maintype="image", subtype="png",
                        filename="fake.png")
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                        filename="surat.pdf")
    return mail.as_bytes()


def ses_notification(mail: bytes | None, *, message_id: str = "o3vrnil0e2ic28trm7dfhrc2v0c",
                     encoding: str = "BASE64", action: str = "SNS",
                     bucket: str | None = None, key: str | None = None,
                     **verdicts: str) -> dict[str, Any]:
    """The SES receipt notification for `mail`; verdicts as spam="FAIL", dkim="GRAY"..."""
    notification = copy.deepcopy(load("ses_received.json"))
    notification["mail"]["messageId"] = message_id
    receipt = notification["receipt"]
    for name, status in verdicts.items():
        receipt[f"{name}Verdict"] = {"status": status}
    if action == "S3":
        receipt["action"] = {"type": "S3", "topicArn": receipt["action"]["topicArn"],
                             "bucketName": bucket, "objectKeyPrefix": "inbound/",
                             "objectKey": key}
        notification.pop("content")
    else:
        receipt["action"]["encoding"] = encoding
        notification["content"] = (base64.b64encode(mail or b"").decode()
                                   if encoding == "BASE64" else (mail or b"").decode())
    return notification
