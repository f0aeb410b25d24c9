"""Delivers SNS topic messages to the app's `@app.on_sns_message` functions, as Lambda would.

moto does not invoke our functions, so each topic gets an SQS queue subscribed to it
(moto delivers topic -> queue internally, and that delivery is journaled like any
write). A thread per function polls the queue and calls the handler with Lambda's SNS
event shape; a message is deleted only after the handler returned, so a crash or an
error redelivers it (at least once, as SNS -> Lambda does; the channel handlers dedupe
on the platform's message id). After `max_attempts` a message goes to the DLQ.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("crm.local.sns")


def queue_name(topic: str) -> str:
    return f"{topic}-delivery"[:80]


def ensure_topic_delivery(sns: Any, sqs: Any, topic: str) -> str:
    """The topic, and a queue subscribed to it; returns the queue URL."""
    topic_arn = sns.create_topic(Name=topic)["TopicArn"]
    url = sqs.create_queue(QueueName=queue_name(topic))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    subscribed = {s["Endpoint"] for s in
                  sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]}
    if queue_arn not in subscribed:
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return url


def lambda_sns_event(envelope: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The event Lambda gives an SNS-triggered function, from SNS's JSON envelope."""
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": envelope.get("Type", "Notification"),
            "MessageId": envelope["MessageId"],
            "TopicArn": envelope["TopicArn"],
            "Subject": envelope.get("Subject"),
            "Message": envelope["Message"],
            "Timestamp": envelope.get("Timestamp"),
            "SignatureVersion": envelope.get("SignatureVersion", "1"),
            "Signature": envelope.get("Signature", ""),
            "SigningCertUrl": envelope.get("SigningCertURL", ""),
            "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
            "MessageAttributes": envelope.get("MessageAttributes", {}),
        },
    }]}


class SnsPump:
    def __init__(self, handler_name: str, queue_url: str, invoke: Callable[[dict], Any],
                 sqs: Any, dlq_url: str | None, max_attempts: int = 4) -> None:
        self.handler_name, self._queue, self._invoke = handler_name, queue_url, invoke
        self._sqs, self._dlq, self._max_attempts = sqs, dlq_url, max_attempts
        self.delivered = self.failed = 0

    def run(self, stop: threading.Event, wait_seconds: float) -> None:
        while not stop.is_set():
            try:
                answer = self._sqs.receive_message(
                    QueueUrl=self._queue, MaxNumberOfMessages=10, VisibilityTimeout=5,
                    AttributeNames=["ApproximateReceiveCount"])
            except Exception:  # moto stopping, or a hiccup: try again shortly
                log.debug("receive failed", exc_info=True)
                stop.wait(wait_seconds)
                continue
            messages = answer.get("Messages", [])
            for message in messages:
                self._deliver(message)
            if not messages:
                stop.wait(wait_seconds)

    def _deliver(self, message: dict[str, Any]) -> None:
        envelope = json.loads(message["Body"])
        event = lambda_sns_event(envelope, f"{envelope['TopicArn']}:local")
        try:
            self._invoke(event)
        except Exception:
            attempts = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            log.exception("%s failed on SNS message %s (attempt %d)", self.handler_name,
                          envelope["MessageId"], attempts)
            if attempts < self._max_attempts:
                return  # visible again after the visibility timeout: retried
            self.failed += 1
            if self._dlq:
                self._sqs.send_message(QueueUrl=self._dlq, MessageBody=json.dumps(
                    {"function": self.handler_name, "sns": envelope}))
        else:
            self.delivered += 1
        self._sqs.delete_message(QueueUrl=self._queue, ReceiptHandle=message["ReceiptHandle"])

    def status(self) -> dict[str, Any]:
        return {"handler": self.handler_name, "delivered": self.delivered,
                "failed": self.failed}
