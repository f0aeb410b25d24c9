"""Officers, notifications and the SLA clock through the running local stack, over HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
import requests

from infra.local.config import PROJECT_DIR
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e
PASSWORD = "Jakarta-Demo-2026"  # the documented default of CRM_DEMO_PASSWORD


def login(stack: RunningStack, username: str) -> dict[str, str]:
    answer = requests.post(f"{stack.url}/auth/login", timeout=30,
                           json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['id_token']}"}


def act(stack: RunningStack, who: dict[str, str], ticket: str, **body: Any) -> requests.Response:
    return requests.post(f"{stack.url}/officer/reports/{ticket}/actions", json=body,
                         headers=who, timeout=30)


def outbox(stack: RunningStack, to: str) -> list[dict[str, Any]]:
    return requests.get(f"{stack.url}/_local/outbox", params={"to": to},
                        timeout=10).json()["messages"]


def wait_for(condition, timeout: float, what: str, stack: RunningStack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen in {timeout} s:\n{stack.output()}")


def test_a_lurah_finishes_a_report_with_a_photo_and_the_validator_accepts(
        stack: RunningStack) -> None:
    stack.start()
    filed = stack.file_report("Trotoar amblas di depan kantor kelurahan")
    stack.wait_routed(filed)
    # the unit's email and SMS reach the outbox within 5 seconds of intake
    alerts = wait_for(lambda: [m for m in outbox(stack, "lurah.gambir@jakarta.go.id")
                               if filed["ticket"] in (m["subject"] or "")], 5,
                      "the unit alert", stack)
    assert alerts[0]["channel"] == "email"
    assert wait_for(lambda: [m for m in outbox(stack, "+6281100000001")
                             if filed["ticket"] in m["body"]], 5, "the unit SMS", stack)

    lurah = login(stack, "lurah.gambir")
    menteng = login(stack, "lurah.menteng")
    ticket = filed["ticket"]
    assert act(stack, menteng, ticket, action="proses").status_code == 403
    assert act(stack, lurah, ticket, action="proses", note="Dicek PPSU").status_code == 200

    upload = requests.post(f"{stack.url}/officer/reports/{ticket}/photos", headers=lurah,
                           json={"kind": "after", "content_type": "image/jpeg"}, timeout=30)
    assert upload.status_code == 201, upload.text
    form = upload.json()
    stored = requests.post(form["url"], data=form["fields"], timeout=30,
                           files={"file": ("after.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")})
    assert stored.status_code in (200, 204), stored.text
    done = act(stack, lurah, ticket, action="selesai", note="Trotoar sudah diperbaiki",
               photos=[{"key": form["key"], "kind": "after"}])
    assert done.status_code == 200 and done.json()["status"] == "Menunggu Validasi", done.text

    validator = login(stack, "validator.biropem")
    accepted = act(stack, validator, ticket, action="validasi", note="Sesuai")
    assert accepted.json()["status"] == "Selesai"
    tracked = stack.read(filed)
    assert [h["status"] for h in tracked["history"]][-1] == "Selesai"
    assert [p["kind"] for p in tracked["photos"]] == ["after"]


def test_the_sla_sweep_fires_on_demand_after_moving_the_clock(
        stack: RunningStack) -> None:
    stack.start()
    filed = stack.file_report("Genangan air setinggi lutut")
    stack.wait_routed(filed)
    moved = requests.post(f"{stack.url}/_local/clock", params={"advance_minutes": 7 * 60},
                          timeout=10)
    assert moved.json()["offset_seconds"] == 7 * 3600
    fired = requests.post(f"{stack.url}/_local/schedules/sla_sweep", timeout=60).json()
    assert fired["ok"] and fired["result"]["steps"] == 2  # the warning and the breach
    late = requests.get(f"{stack.url}/officer/reports", params={"overdue": "true"},
                        headers=login(stack, "camat.gambir"), timeout=30).json()["items"]
    assert [i["ticket"] for i in late] == [filed["ticket"]] and late[0]["overdue"]
    wait_for(lambda: [m for m in outbox(stack, "camat.gambir@jakarta.go.id")
                      if "Terlambat" in (m["subject"] or "")], 5, "the breach alert", stack)


SHARED_LAYER = PROJECT_DIR.parent / "shared" / "geo" / "jakarta-kelurahan-partial.geojson"


@pytest.mark.skipif(not SHARED_LAYER.is_file(), reason="no boundary layer in ../shared/geo")
def test_a_point_inside_gambir_reaches_the_lurah_queue_and_alerts_within_5_seconds(
        stack: RunningStack) -> None:
    stack.extra_env["CRM_BOUNDARIES"] = str(SHARED_LAYER)
    stack.start()
    started = time.monotonic()
    answer = requests.post(f"{stack.url}/channels/balai-warga", timeout=30, json={
        "description": "Pohon tumbang menutup trotoar dekat Monas", "category": "pohon",
        "lat": -6.1754, "lon": 106.8272})
    ticket = answer.json()["ticket"]
    lurah = login(stack, "lurah.gambir")

    def in_queue() -> bool:
        items = requests.get(f"{stack.url}/officer/reports", headers=lurah,
                             timeout=10).json()["items"]
        return any(item["ticket"] == ticket for item in items)

    wait_for(in_queue, 5, "routing by point into lurah.gambir's queue", stack)
    for address in ("lurah.gambir@jakarta.go.id", "+6281100000001"):
        wait_for(lambda address=address: [m for m in outbox(stack, address)
                                          if ticket in (m["subject"] or m["body"])],
                 5 - (time.monotonic() - started) + 0.5, f"the alert to {address}", stack)
    history = requests.get(f"{stack.url}/officer/reports/{ticket}", headers=lurah,
                           timeout=10).json()["history"]
    assert history[-1]["data"]["rule"] == "titik"


def test_a_poison_record_lands_in_the_dead_letter_queue_and_the_rest_goes_through(
        stack: RunningStack) -> None:
    stack.extra_env["CRM_STREAM_MAX_RETRIES"] = "1"
    stack.start()
    aws = {"endpoint_url": f"http://127.0.0.1:{stack.aws_port}", "region_name": "ap-southeast-3",
           "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    # A report item whose document cannot be read: routing it fails every time.
    boto3.client("dynamodb", **aws).put_item(TableName="crm-local", Item={
        "pk": {"S": "R#POIS-0N00"}, "sk": {"S": "A"}, "type": {"S": "report"},
        "doc": {"S": "{not json"}, "ticket": {"S": "POIS-0N00"}})
    filed = stack.file_report("Sampah menumpuk di pinggir kali")
    stack.wait_routed(filed, timeout=20)
    sqs = boto3.client("sqs", **aws)
    queue = sqs.get_queue_url(QueueName="crm-local-stream-dlq")["QueueUrl"]
    messages = wait_for(lambda: sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
                        .get("Messages"), 20, "the dead-letter message", stack)
    failure = json.loads(messages[0]["Body"])
    assert failure["DDBStreamBatchInfo"]["streamArn"].startswith("arn:aws:dynamodb:")
    assert any("POIS-0N00" in json.dumps(r) for r in failure["records"])


def test_the_stack_answers_429_past_the_per_ip_rate(stack: RunningStack) -> None:
    stack.extra_env["CRM_RATE_PER_IP"] = "5"  # bursts of 10
    stack.start()
    codes = [requests.get(f"{stack.url}/health", timeout=10).status_code for _ in range(30)]
    assert codes[:5] == [200] * 5 and 429 in codes
    refused = requests.get(f"{stack.url}/health", timeout=10)
    if refused.status_code == 429:
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["message_en"].startswith("Too many requests")
