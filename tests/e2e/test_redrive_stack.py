"""A notice lost to an SNS outage longer than the stream's retries is sent by `crm redrive`
through the local stack, once (issue: SNS failure during notification, no duplicate)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import boto3
import requests

from infra.local.config import PROJECT_DIR, REGION
from tests.e2e.conftest import RunningStack
from tests.e2e.test_workflow_stack import outbox, wait_for

UNIT_EMAIL = "lurah.gambir@jakarta.go.id"


def queued(stack: RunningStack, url: str) -> int:
    sqs = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{stack.aws_port}",
                       region_name=REGION, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(v) for v in attributes.values())


def redrive(stack: RunningStack) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "infra.local", "crm", "redrive"],
                          cwd=PROJECT_DIR, env=stack.env(), capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip(), done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_the_redrive_sends_the_alert_an_sns_outage_kept_from_the_unit(
        stack: RunningStack) -> None:
    stack.extra_env["CRM_STREAM_MAX_RETRIES"] = "1"
    stack.start()
    faults = requests.post(f"{stack.url}/_local/faults", timeout=10, params={
        "service": "sns", "actions": "Publish", "error": "5xx", "count": "1000"})
    assert faults.status_code < 300, faults.text
    filed = stack.file_report("Lampu penerangan jalan mati sepanjang Jl. Tanah Abang II")
    stack.wait_routed(filed)
    sqs = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{stack.aws_port}",
                       region_name=REGION, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    url = sqs.get_queue_url(QueueName="crm-local-stream-dlq")["QueueUrl"]
    wait_for(lambda: queued(stack, url), 30, "the batch reaching the dead-letter queue", stack)
    stack.wait_pumps_idle()
    mine = [m for m in outbox(stack, UNIT_EMAIL) if filed["ticket"] in (m["subject"] or "")]
    assert mine == []  # the outage kept the alert from the unit

    requests.delete(f"{stack.url}/_local/faults", timeout=10).raise_for_status()
    code, result = redrive(stack)
    assert code == 0, result
    assert result["redriven"] >= 1 and result["still_failing"] == [] and result["gone"] == 0
    assert queued(stack, url) == 0
    alerts = [m for m in outbox(stack, UNIT_EMAIL) if filed["ticket"] in (m["subject"] or "")]
    assert len(alerts) == 1
    time.sleep(1)  # nothing else arrives later: the stream had moved on
    empty = {"batches": 0, "redriven": 0, "records": 0, "still_failing": [], "gone": 0,
             "other": 0}
    assert redrive(stack) == (0, empty)
    again = [m for m in outbox(stack, UNIT_EMAIL) if filed["ticket"] in (m["subject"] or "")]
    assert len(again) == 1
