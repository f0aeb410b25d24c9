"""moto-backed fixtures: a fresh table per test, and the app's dependencies pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib.adapters.table import create_table
from chalicelib.adapters.user_pool import create_officer, create_user_pool
from chalicelib.config import settings
from chalicelib.registry import demo_officers
from chalicelib.services.deps import Deps, build_deps, override_deps
from chalicelib.services.directory import subscribe_officer


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        create_table(boto3.client("dynamodb"), settings().table_name)
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 28, 3, 0, tzinfo=UTC))


DEMO_PASSWORD = "Demo-Password-2026"


@pytest.fixture
def cognito(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user pool with the demo officers, configured for the app."""
    client = boto3.client("cognito-idp")
    pool_id, client_id = create_user_pool(client, "crm-test")
    for officer in demo_officers():
        create_officer(client, pool_id, officer, DEMO_PASSWORD)
    monkeypatch.setenv("CRM_USER_POOL_ID", pool_id)
    monkeypatch.setenv("CRM_USER_POOL_CLIENT_ID", client_id)


@pytest.fixture
def deps(aws: None, clock: FakeClock) -> Iterator[Deps]:
    boto3.client("s3").create_bucket(
        Bucket=settings().bucket,
        CreateBucketConfiguration={"LocationConstraint": settings().region})
    # SES sends only from a verified identity (moto enforces it too).
    boto3.client("ses").verify_email_identity(EmailAddress=settings().sender_email)
    built = build_deps(settings(), clock=clock)
    override_deps(built)  # the handlers' default_deps() now returns this test's deps
    yield built
    override_deps(None)


@pytest.fixture
def subscribed(deps: Deps) -> None:
    """Every demo officer subscribed (email + SMS) to their unit's alert topic."""
    for officer in demo_officers():
        subscribe_officer(deps, officer)


@pytest.fixture
def app_client(deps: Deps) -> Iterator[Client]:
    with Client(app) as client:
        yield client
