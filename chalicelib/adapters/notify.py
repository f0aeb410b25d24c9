"""Sending alerts: SNS topics per unit (email + SMS subscribers), SMS and SES email to citizens.

Why one topic per unit rather than one topic with filter policies: each officer's
email and phone is a subscription, and SNS caps filter policies at 200 per account
and region by default, far below Jakarta's ~400 units x several officers; topics
cost nothing idle and their subscriptions follow the officer directory.
"""

from __future__ import annotations

import json
import re
from functools import cached_property

import boto3
from botocore.exceptions import ClientError


def unit_topic_name(stage: str, unit_code: str) -> str:
    """`crm-dev-unit-31-71-01-1001`: SNS topic names allow only letters, digits, - and _."""
    return f"crm-{stage}-unit-" + re.sub(r"[^A-Za-z0-9_-]+", "-", unit_code).strip("-")


class NoSubscribers(Exception):
    """The unit has no alert topic yet (no officer registered for alerts)."""


class Notifier:
    def __init__(self, stage: str, region: str, sender: str,
                 endpoint_url: str | None = None) -> None:
        self._stage, self._sender = stage, sender
        self._sns = boto3.client("sns", region_name=region, endpoint_url=endpoint_url)
        self._ses = boto3.client("ses", region_name=region, endpoint_url=endpoint_url)
        self._sts = boto3.client("sts", region_name=region, endpoint_url=endpoint_url)
        self._region = region

    @cached_property
    def _account(self) -> str:
        return self._sts.get_caller_identity()["Account"]

    def unit_topic_arn(self, unit_code: str) -> str:
        return (f"arn:aws:sns:{self._region}:{self._account}:"
                f"{unit_topic_name(self._stage, unit_code)}")

    def alert_unit(self, unit_code: str, subject: str, email: str, sms: str) -> str:
        """Publish to the unit's topic: email subscribers get `email`, SMS subscribers `sms`."""
        try:
            answer = self._sns.publish(
                TopicArn=self.unit_topic_arn(unit_code),
                Subject=subject[:99],  # SNS limit: under 100 characters
                MessageStructure="json",
                Message=json.dumps({"default": email, "email": email, "sms": sms}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NotFound":
                raise NoSubscribers(unit_code) from exc
            raise
        return answer["MessageId"]

    def sms(self, phone: str, text: str) -> str:
        return self._sns.publish(
            PhoneNumber=phone, Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                                       "StringValue": "Transactional"}},
        )["MessageId"]

    def email(self, to: str, subject: str, body: str) -> str:
        return self._ses.send_email(
            Source=self._sender, Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
        )["MessageId"]

    # -- directory side: the topics and who is subscribed -------------------

    @property
    def topic_key(self) -> str | None:
        """The KMS key unit topics are encrypted with: the stage's own (alias/crm-<stage>,
        made by the stack) in AWS; none locally, where moto has no such key."""
        return None if self._stage in ("local", "test") else f"alias/crm-{self._stage}"

    def ensure_unit_topic(self, unit_code: str) -> str:
        """The unit's alert topic, created if missing and encrypted at rest (it carries the
        complaint's text and place). An older unencrypted topic is encrypted in place:
        CreateTopic refuses other attributes for a topic that exists."""
        arn = self._sns.create_topic(Name=unit_topic_name(self._stage, unit_code))["TopicArn"]
        key = self.topic_key
        if key is not None:
            current = self._sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            if current.get("KmsMasterKeyId") != key:
                self._sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId",
                                               AttributeValue=key)
        return arn

    def subscribe(self, topic_arn: str, protocol: str, endpoint: str) -> None:
        self._sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint,
                            ReturnSubscriptionArn=True)

    def unsubscribe(self, topic_arn: str, protocol: str, endpoint: str) -> int:
        """Remove `endpoint`'s subscriptions to a topic; returns how many. A subscription
        still waiting for its confirmation has no ARN yet and cannot be removed (SNS
        deletes it after three days unconfirmed)."""
        removed = 0
        try:
            pages = self._sns.get_paginator("list_subscriptions_by_topic").paginate(
                TopicArn=topic_arn)
            for page in pages:
                for sub in page.get("Subscriptions", []):
                    if (sub.get("Protocol"), sub.get("Endpoint")) == (protocol, endpoint) \
                            and sub.get("SubscriptionArn", "").startswith("arn:"):
                        self._sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
                        removed += 1
        except self._sns.exceptions.NotFoundException:
            return 0  # no such topic: nothing to remove
        return removed
