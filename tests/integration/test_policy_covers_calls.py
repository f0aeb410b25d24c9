"""The hand-kept IAM policies (.chalice/policy-<stage>*.json) allow every AWS call the
functions make: a citizen's and an officer's day is run through each Lambda function
(the API, the stream consumer, the schedules) while every call is recorded, and each
call's IAM action must be granted by the policy file that function deploys with.

moto does not enforce IAM, so without this a call the policy forgets (BatchGetItem for
the kinerja and SKM pages, once) passes every other test and fails only in AWS.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import botocore.client
import pytest
from chalice.test import Client

from app import app
from tests.channel_fixtures import html_mail_with_photo, load, ses_notification
from tests.integration.kinerja_support import KEL, Officers, Stream, call, cheap_transactions

POLICY_DIR = Path(__file__).resolve().parents[2] / ".chalice"
# Calls that need no IAM permission: the public Cognito client's sign-in, and
# GetCallerIdentity (AWS answers it even when it is explicitly denied).
UNSIGNED = {"cognito-idp:InitiateAuth", "cognito-idp:RespondToAuthChallenge",
            "sts:GetCallerIdentity"}
# Operations whose IAM action is not named like the operation.
ACTIONS = {
    # Without s3:ListBucket S3 answers 403, not 404, for a missing object, and the code
    # tells "not there (yet)" by the 404 (boundaries not loaded, a photo not uploaded).
    "s3:GetObject": ("s3:GetObject", "s3:ListBucket"),
    "s3:HeadObject": ("s3:GetObject", "s3:ListBucket"),
    "s3:ListObjectsV2": ("s3:ListBucket",),
    "s3:HeadBucket": ("s3:ListBucket",),
    "s3:CopyObject": ("s3:GetObject", "s3:PutObject"),
    "dynamodb:TransactGetItems": ("dynamodb:GetItem",),
}
TRANSACT_PARTS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem",
                  "Delete": "dynamodb:DeleteItem", "ConditionCheck": "dynamodb:ConditionCheckItem"}


def iam_actions(service: str, operation: str, params: dict[str, Any]) -> set[str]:
    name = f"{service}:{operation}"
    if name in UNSIGNED:
        return set()
    if name == "dynamodb:TransactWriteItems":
        return {TRANSACT_PARTS[kind] for part in params["TransactItems"] for kind in part}
    return set(ACTIONS.get(name, (name,)))


class Calls:
    """IAM actions used, by the Lambda function that was running."""

    def __init__(self) -> None:
        self.function = "test"  # calls the test itself makes (setup) are not checked
        self.by_function: dict[str, set[str]] = defaultdict(set)

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        before, self.function = self.function, function
        try:
            yield
        finally:
            self.function = before


@contextmanager
def recorded() -> Iterator[Calls]:
    calls = Calls()
    original = botocore.client.BaseClient._make_api_call

    def record(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.signing_name
        calls.by_function[calls.function] |= iam_actions(service, operation, params)
        return original(client, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", record):
        yield calls


def granted(function: str, stage: str = "dev") -> set[str]:
    config = json.loads((POLICY_DIR / "config.json").read_text())["stages"][stage]
    name = config.get("lambda_functions", {}).get(function, {}).get(
        "iam_policy_file", config["iam_policy_file"])
    statements = json.loads((POLICY_DIR / name).read_text())["Statement"]
    return {action for s in statements for action in
            (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


class Functions:
    """The chalice test client, each entry point run as the function it deploys as."""

    def __init__(self, client: Client, calls: Calls) -> None:
        self.client, self.calls = client, calls

    def api(self, method: str, path: str, body: Any = None, token: str | None = None,
            headers: dict[str, str] | None = None, answers: int = 400) -> Any:
        """Call the API; the answer must be below `answers` (a 404 can be what we ask)."""
        with self.calls.running("api_handler"):
            answer = call(self.client, method, path, body, token, headers)
        assert answer.status_code < answers, (path, answer.body)
        return answer

    def sns(self, name: str, message: Any, subject: str | None = None) -> Any:
        event = self.client.events.generate_sns_event(message=json.dumps(message),
                                                      subject=subject)
        with self.calls.running(name):
            return self.client.lambda_.invoke(name, event).payload

    def schedule(self, name: str) -> Any:
        event = self.client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [],
                                                     region="ap-southeast-3")
        with self.calls.running(name):
            return self.client.lambda_.invoke(name, event).payload


class RecordingStream(Stream):
    def __init__(self, client: Client, calls: Calls) -> None:
        super().__init__(client)
        self.calls = calls

    def pump(self) -> int:
        with self.calls.running("route_reports"):
            return super().pump()


@pytest.fixture
def day(cognito, deps, subscribed, clock) -> Iterator[Calls]:
    """A citizen's and an officer's day through every function, calls recorded."""
    clock.now = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
    with cheap_transactions(), recorded() as calls, Client(app) as client:
        run = Functions(client, calls)
        stream = RecordingStream(client, calls)
        with calls.running("api_handler"):
            officers = Officers(client, stream)
        filed = run.api("post", "/channels/balai-warga", {
            "description": "Lampu jalan mati di depan Stasiun Gambir", "category": "lampu-jalan",
            "kelurahan_code": KEL, "phone": "0812-9876-5432"}).json_body
        stream.pump()
        run.api("get", f"/reports/{filed['ticket']}?token={filed['tracking_token']}")
        run.api("get", f"/lacak/{filed['ticket']}?token={filed['tracking_token']}")
        with calls.running("api_handler"):
            ticket = officers.file("+6281200000001")
            officers.proses(ticket)
            stream.pump()
            officers.selesai(ticket)
            stream.pump()
            officers.validasi(ticket)
            stream.pump()
        run.api("get", "/officer/reports", token=officers.lurah)
        for path in ("/kinerja?level=kelurahan&period=2026-Q4",
                     "/kinerja?level=kelurahan&period=2026-Q4&format=csv",
                     "/pimpinan?period=2026-Q4",
                     "/kinerja/kepadatan?period=2026-W48&unit=31.71.01",
                     "/open311/v2/requests.json", "/open311/v2/services.json",
                     f"/open311/v2/requests/{ticket}.json"):
            run.api("get", path, token=officers.lurah)
        panel = f"unit,phone,email\n{KEL},0813 9999 0001,\n"
        run.api("post", "/skm/panel?period=2026-Q4", panel, officers.validator,
                {"Content-Type": "text/csv"})
        run.api("get", "/skm/results?period=2026-Q3", answers=405)  # none yet: 404
        run.api("get", "/peta/kelurahan.geojson", answers=405)  # no layer loaded: 404
        clock.advance(hours=30)
        for name in ("sla_sweep", "kinerja_reconcile", "kinerja_weekly", "skm_launch",
                     "skm_dispatch"):
            run.schedule(name)
        assert run.sns("inbound_sms", load("sms_inbound.json"))["filed"]
        assert run.sns("inbound_email", ses_notification(html_mail_with_photo()),
                       "Amazon SES Email Receipt")
        stream.pump()
        yield calls


FUNCTIONS = ("api_handler", "route_reports", "sla_sweep", "kinerja_reconcile",
             "kinerja_weekly", "skm_launch", "skm_dispatch", "inbound_sms", "inbound_email")


def test_each_function_policy_allows_every_call_it_made(day):
    assert set(FUNCTIONS) <= set(day.by_function)  # the day reached every function
    assert "dynamodb:BatchGetItem" in day.by_function["api_handler"]  # kinerja, Open311
    missing = {function: sorted(day.by_function[function] - granted(function))
               for function in FUNCTIONS}
    assert not any(missing.values()), f"policies lack: {missing}"
