"""SMS answers through SNS Publish to a phone number, from the number the citizen wrote to.

Two-way SMS only works as a conversation if the answer comes from the same long code:
`AWS.MM.SMS.OriginationNumber` says which. Transactional: delivered even to numbers on
promotional do-not-disturb lists, and priced as such.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.senders.base import PermanentSendError, TemporarySendError
from chalicelib.domain.replies import Outgoing

_PERMANENT = {"InvalidParameter", "InvalidParameterValue", "OptedOut", "AuthorizationError"}


class SmsSender:
    def __init__(self, region: str, endpoint_url: str | None = None) -> None:
        self._sns = boto3.client("sns", region_name=region, endpoint_url=endpoint_url)

    def send(self, message: Outgoing) -> str:
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                              "StringValue": "Transactional"}}
        if message.address.get("from"):
            attributes["AWS.MM.SMS.OriginationNumber"] = {
                "DataType": "String", "StringValue": message.address["from"]}
        try:
            answer = self._sns.publish(PhoneNumber=message.address["to"], Message=message.text,
                                       MessageAttributes=attributes)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            error = PermanentSendError if code in _PERMANENT else TemporarySendError
            # The code only: AWS's message may quote the citizen's address or number.
            raise error(f"SNS {code}") from exc
        except BotoCoreError as exc:
            raise TemporarySendError(str(exc)) from exc
        return answer["MessageId"]
