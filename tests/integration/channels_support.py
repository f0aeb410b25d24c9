"""Fixtures and helpers shared by the external channels' integration tests.

Import the fixtures into a test module (`from tests.integration.channels_support import
channel_client, http  # noqa: F401`). Every test runs inside a strict `responses` mock:
a platform API call the test did not register fails with ConnectionError, so nothing
ever reaches the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import responses
from chalice.test import Client

from app import app
from chalicelib.adapters.outbox import OutboxEntry
from chalicelib.config import settings
from chalicelib.services.channel_deps import channel_deps
from chalicelib.services.deps import Deps
from tests.integration.streams import drain_stream_event

X_API = "https://api.x.com"
GRAPH = "https://graph.facebook.com/v21.0"
JAKI_CALLBACK = "https://partner.jaki.example/crm/status"
LAPOR_CALLBACK = "https://api.lapor.example/v1/crm/status"
ENVIRONMENT = {
    "CRM_ACCESS_TOKEN_X": "x-user-token",
    "CRM_ACCESS_TOKEN_FACEBOOK": "fb-page-token",
    "CRM_ACCESS_TOKEN_INSTAGRAM": "ig-token",
    "CRM_CALLBACK_URL_JAKI": JAKI_CALLBACK,
    "CRM_CALLBACK_URL_LAPOR": LAPOR_CALLBACK,
}


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def channel_client(deps: Deps, http: responses.RequestsMock,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    boto3.client("ses").verify_email_identity(EmailAddress=deps.settings.sender_email)
    with Client(app) as client:
        yield client


def pump(client: Client, after: str | None = None, *, rounds: int = 6,
         expect_failures: bool = False) -> tuple[str | None, list[dict[str, Any]]]:
    """Deliver the table's stream to the stream handler until it is quiet, as Lambda would.

    Returns the last sequence number and every batch's answer.
    """
    answers = []
    for _ in range(rounds):
        event = drain_stream_event(after)
        if not event["Records"]:
            break
        answer = client.lambda_.invoke("route_reports", event).payload
        answers.append(answer)
        if answer["batchItemFailures"]:
            assert expect_failures, answer
            break
        after = event["Records"][-1]["dynamodb"]["SequenceNumber"]
    return after, answers


def archived(prefix: str = "raw/") -> dict[str, bytes]:
    s3 = boto3.client("s3")
    listing = s3.list_objects_v2(Bucket=settings().bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=settings().bucket, Key=o["Key"])["Body"].read()
            for o in listing}


def outbox(deps: Deps, ticket: str) -> dict[str, OutboxEntry]:
    return {e.sk: e for e in channel_deps(deps).outbox.entries(ticket)}


def calls_to(http: responses.RequestsMock, url_start: str) -> list[Any]:
    return [c for c in http.calls if c.request.url.startswith(url_start)]
