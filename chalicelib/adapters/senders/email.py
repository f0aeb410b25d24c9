"""Email answers through SES SendRawEmail, threaded under the citizen's mail.

Raw rather than SendEmail because threading needs In-Reply-To and References, and
`Auto-Submitted: auto-replied` (RFC 3834) keeps other robots from answering the answer.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.senders.base import PermanentSendError, TemporarySendError
from chalicelib.domain.replies import Outgoing

_PERMANENT = {"MessageRejected", "MailFromDomainNotVerifiedException",
              "ConfigurationSetDoesNotExist", "InvalidParameterValue", "AccountSendingPaused"}


def _subject(message: Outgoing) -> str:
    original = message.address.get("subject") or ""
    if not original:
        return message.subject or ""
    prefix = "" if original.lower().startswith("re:") else "Re: "
    return f"{prefix}{original} [{message.subject}]"


class EmailSender:
    def __init__(self, sender: str, region: str, endpoint_url: str | None = None) -> None:
        self._from = sender
        self._ses = boto3.client("ses", region_name=region, endpoint_url=endpoint_url)

    def send(self, message: Outgoing) -> str:
        mail = EmailMessage()
        mail["From"] = self._from
        mail["To"] = message.address["to"]
        mail["Subject"] = _subject(message)[:900]
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(domain=self._from.rpartition("@")[2] or None)
        mail["Auto-Submitted"] = "auto-replied"
        if message.address.get("in_reply_to"):
            mail["In-Reply-To"] = message.address["in_reply_to"]
            mail["References"] = message.address.get("references") or \
                message.address["in_reply_to"]
        mail.set_content(message.text)
        try:
            # The To header is the only recipient: no Destinations, no Cc/Bcc.
            answer = self._ses.send_raw_email(Source=self._from,
                                              RawMessage={"Data": mail.as_bytes()})
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            error = PermanentSendError if code in _PERMANENT else TemporarySendError
            # The code only: AWS's message may quote the citizen's address or number.
            raise error(f"SES {code}") from exc
        except BotoCoreError as exc:
            raise TemporarySendError(str(exc)) from exc
        return answer["MessageId"]
