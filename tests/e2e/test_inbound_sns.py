"""Inbound SMS published to its SNS topic reaches the app's function through the local stack."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from tests.e2e.conftest import RunningStack, get_json

pytestmark = pytest.mark.e2e


def test_an_sms_published_to_the_inbound_topic_becomes_a_report(stack: RunningStack) -> None:
    stack.start()
    sns = boto3.client("sns", endpoint_url=f"http://127.0.0.1:{stack.aws_port}",
                       region_name="ap-southeast-3", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    topic = sns.create_topic(Name="crm-local-inbound-sms")["TopicArn"]
    sms = {"originationNumber": "+6281298765432", "destinationNumber": "+628111272206",
           "messageKeyword": "KEYWORD_123456789012", "messageBody":
           "Lampu jalan mati di Jl. Kebon Sirih depan kantor kelurahan",
           "inboundMessageId": "e2e-sms-1", "previousPublishedMessageId": "x"}
    sns.publish(TopicArn=topic, Message=json.dumps(sms))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        replies = [m for m in get_json(stack, "/_local/outbox", to="+6281298765432")["messages"]
                   if "Laporan" in m["body"] or "laporan" in m["body"]]
        if replies:
            return
        time.sleep(0.2)
    pytest.fail(f"no acknowledgement SMS for the inbound message:\n{stack.output()}")
