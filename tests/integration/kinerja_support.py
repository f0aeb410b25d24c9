"""Helpers for the kinerja and SKM integration tests: the stream pump and officer work."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.config import settings
from tests.integration.conftest import DEMO_PASSWORD
from tests.integration.streams import drain_stream_event

KEL = "31.71.01.1001"  # Kelurahan Gambir
JSON = {"Content-Type": "application/json"}


class Stream:
    """Feeds the table's stream to the stream handler, as Lambda would."""

    def __init__(self, client: Any) -> None:
        self.client, self.last = client, None

    def pump(self) -> int:
        count = 0
        while True:
            event = drain_stream_event(self.last)
            if not event["Records"]:
                return count
            result = self.client.lambda_.invoke("route_reports", event).payload
            assert result == {"batchItemFailures": []}
            self.last = event["Records"][-1]["dynamodb"]["SequenceNumber"]
            count += len(event["Records"])


def call(client: Any, method: str, path: str, body: Any = None, token: str | None = None,
         headers: dict[str, str] | None = None) -> Any:
    sent = {**JSON, **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    kwargs: dict[str, Any] = {"headers": sent}
    if body is not None:
        kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(client.http, method)(path, **kwargs)


def token_of(client: Any, username: str) -> str:
    answer = call(client, "post", "/auth/login", {"username": username,
                                                   "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["id_token"]


class Officers:
    """Signed-in demo officers taking reports through the real HTTP API and stream."""

    def __init__(self, client: Any, stream: Stream) -> None:
        self.client, self.stream = client, stream
        self.lurah = token_of(client, "lurah.gambir")
        self.validator = token_of(client, "validator.biropem")

    def file(self, phone: str | None, email: str | None = None, kelurahan: str = KEL,
             route: bool = True) -> str:
        """File a report; with `route`, pump the stream so routing assigns the kelurahan."""
        body = {"description": "Saluran air tersumbat di depan sekolah",
                "category": "saluran-air", "kelurahan_code": kelurahan, "name": "Warga"}
        if phone:
            body["phone"] = phone
        if email:
            body["email"] = email
        filed = call(self.client, "post", "/channels/balai-warga", body)
        assert filed.status_code in (200, 201), filed.json_body
        if route:
            self.stream.pump()
        return filed.json_body["ticket"]

    def act(self, token: str, ticket: str, **body: Any) -> dict[str, Any]:
        answer = call(self.client, "post", f"/officer/reports/{ticket}/actions", body, token)
        assert answer.status_code == 200, answer.json_body
        return answer.json_body

    def photo(self, ticket: str) -> str:
        form = call(self.client, "post", f"/officer/reports/{ticket}/photos",
                    {"kind": "after", "content_type": "image/jpeg"}, self.lurah)
        assert form.status_code == 201, form.json_body
        key = form.json_body["key"]
        boto3.client("s3").put_object(Bucket=settings().bucket, Key=key, Body=b"\xff\xd8jpeg",
                                      ContentType="image/jpeg")
        return key

    # Acting needs no pump in between: tests pump when they want the stream's effects.
    def proses(self, ticket: str) -> None:
        self.act(self.lurah, ticket, action="proses", note="Petugas meluncur")

    def selesai(self, ticket: str) -> None:
        key = self.photo(ticket)
        self.act(self.lurah, ticket, action="selesai", note="Saluran sudah bersih",
                 photos=[{"key": key, "kind": "after"}])

    def validasi(self, ticket: str) -> None:
        self.act(self.validator, ticket, action="validasi", note="Sesuai")


def sms_to(phone: str) -> list[str]:
    """Texts moto's SNS 'sent' to one number, in order."""
    backend = sns_backends[DEFAULT_ACCOUNT_ID][settings().region]
    return [text for number, text in backend.sms_messages.values() if number == phone]


def link_token(text: str) -> str:
    match = re.search(r"/skm/([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


@contextmanager
def cheap_transactions() -> Iterator[None]:
    """moto deep-copies every table (stream included) for each TransactWriteItems, so a test
    with many transactions slows down quadratically. The local stack's patch keeps an undo
    log instead (same outcome); it is installed here for one test and then removed."""
    from moto.dynamodb import models as ddb_models
    from moto.dynamodb.models.table import Table

    from infra.local import moto_patches

    if isinstance(ddb_models.copy, moto_patches._CopyModuleWithoutTableSnapshots):
        yield  # installed for good by a local-stack test in this process
        return
    backend = ddb_models.DynamoDBBackend
    saved = (ddb_models.copy, backend.transact_write_items, backend.update_item,
             Table.put_item, Table.delete_item)
    moto_patches._install_transaction_rollback()
    try:
        yield
    finally:
        (ddb_models.copy, backend.transact_write_items, backend.update_item,
         Table.put_item, Table.delete_item) = saved
