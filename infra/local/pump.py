"""Feed a table's DynamoDB stream to an `on_dynamodb_record` handler the way Lambda does.

Lambda's event source mapping semantics, as configured in the AWS template:
- batches of up to `batch_size` records, in stream order, one batch at a time per handler;
- the event is exactly what Lambda delivers (eventVersion 1.1, the real region, the stream
  ARN, epoch-second timestamps, base64 binaries), not moto's raw GetRecords output;
- a raised error retries the whole batch, with backoff; a `batchItemFailures` answer commits
  the records before the lowest failed sequence number and retries from it
  (ReportBatchItemFailures);
- after `max_retries` retries of the same record (MaximumRetryAttempts) the rest of the batch
  goes to the DLQ as Lambda's on-failure record, and the pump moves on. Never skipped silently.
Progress is checkpointed to disk after every batch, so a restart resumes where it stopped.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.local.checkpoints import CheckpointStore

log = logging.getLogger(__name__)

SQS_MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class StreamSource:
    """One event source mapping: a handler subscribed to a table's stream."""

    handler_name: str
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "LATEST"  # or TRIM_HORIZON, for a handler seen the first time
    batching_window_seconds: float = 0.0

    @property
    def table_name(self) -> str:
        # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
        return self.stream_arn.split(":", 5)[5].split("/")[1]


@dataclass(frozen=True)
class PumpSettings:
    region: str
    function_arn: str  # what the DLQ record names as the failed function
    dlq_url: str | None
    max_retries: int = 3
    backoff_seconds: float = 0.2
    max_backoff_seconds: float = 5.0


def to_lambda_record(raw: dict[str, Any], region: str, stream_arn: str) -> dict[str, Any]:
    """A boto3 GetRecords record, rewritten into the record Lambda hands to the function."""
    source = raw["dynamodb"]
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": _epoch_seconds(source["ApproximateCreationDateTime"]),
        "Keys": _wire_attributes(source["Keys"]),
    }
    for image in ("NewImage", "OldImage"):
        if image in source:
            dynamodb[image] = _wire_attributes(source[image])
    dynamodb["SequenceNumber"] = source["SequenceNumber"]
    dynamodb["SizeBytes"] = source["SizeBytes"]
    dynamodb["StreamViewType"] = source["StreamViewType"]
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,  # moto says us-east-1 whatever the table's region
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,  # moto leaves it out
    }


def _epoch_seconds(value: Any) -> int:
    return int(value.timestamp()) if isinstance(value, datetime) else int(value)


def _wire_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {name: _wire_value(value) for name, value in attributes.items()}


def _wire_value(value: dict[str, Any]) -> dict[str, Any]:
    """boto3 decodes binaries to bytes; on the wire (and in Lambda events) they are base64."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": _wire_attributes(inner)}
    if kind == "L":
        return {"L": [_wire_value(item) for item in inner]}
    return {kind: inner}


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StreamPump:
    def __init__(self, source: StreamSource, invoke: Callable[[dict[str, Any]], Any],
                 streams: Any, sqs: Any, checkpoints: CheckpointStore,
                 settings: PumpSettings) -> None:
        self.source = source
        self._invoke = invoke
        self._streams = streams
        self._sqs = sqs
        self._checkpoints = checkpoints
        self._settings = settings
        self._shard_id: str | None = None
        self._failing: tuple[str, int] | None = None  # (sequence number, failed attempts)
        self._retry_at = 0.0
        self._waiting_since: float | None = None
        self.delivered = 0
        self.dead_lettered = 0
        self.last_error: str | None = None

    @property
    def _name(self) -> str:
        return self.source.handler_name

    @property
    def position(self) -> str | None:
        checkpoint = self._checkpoints.get(self.source.table_name, self._name)
        return checkpoint.after if checkpoint else None

    def prime(self) -> None:
        """Fix the starting point: the saved checkpoint, or `starting_position` the first time."""
        table = self.source.table_name
        checkpoint = self._checkpoints.get(table, self._name)
        if checkpoint is None:
            after = self._last_sequence_number() if self.source.starting_position == "LATEST" \
                else None
            self._checkpoints.set(table, self._name, after)
        elif checkpoint.after is not None and not self._exists(checkpoint.after):
            # Only possible if the journal lost writes the pump had seen; never skip new ones.
            last = self._last_sequence_number()
            log.warning("%s: checkpoint %s is beyond the stream end; resuming after %s",
                        self._name, checkpoint.after, last)
            self._checkpoints.set(table, self._name, last)

    def run(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                log.exception("%s: reading the stream failed; retrying", self._name)
                busy = 0
            if not busy:
                stop.wait(interval)

    def poll_once(self) -> int:
        """Handle at most one batch; returns how many records were committed."""
        if time.monotonic() < self._retry_at:
            return 0
        records = self._read(self.position, self.source.batch_size)
        if not records:
            return 0
        if self._should_wait_for_more(len(records)):
            return 0
        event = {"Records": [to_lambda_record(r, self._settings.region, self.source.stream_arn)
                             for r in records]}
        started = time.monotonic()
        try:
            result = self._invoke(event)
        except Exception as exc:
            return self._failed(event["Records"], 0, _describe(exc), raised=True)
        failed_at = _first_failure(result, event["Records"])
        if failed_at is not None:
            detail = f"batchItemFailures {json.dumps(result.get('batchItemFailures'))}"
            return self._failed(event["Records"], failed_at, detail, raised=False)
        self._commit(event["Records"][-1])
        self._failing = None
        self.delivered += len(records)
        log.info("%s: %d record(s) up to %s handled in %.0f ms", self._name, len(records),
                 records[-1]["dynamodb"]["SequenceNumber"], (time.monotonic() - started) * 1000)
        return len(records)

    def _should_wait_for_more(self, available: int) -> bool:
        window = self.source.batching_window_seconds
        if window <= 0 or available >= self.source.batch_size:
            self._waiting_since = None
            return False
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < window:
            return True
        self._waiting_since = None
        return False

    def _failed(self, records: list[dict[str, Any]], index: int, detail: str,
                raised: bool) -> int:
        committed = 0
        if index > 0:  # the records before the first failure are done
            self._commit(records[index - 1])
            committed = index
            self.delivered += index
        sequence = records[index]["dynamodb"]["SequenceNumber"]
        attempts = self._failing[1] + 1 if self._failing and self._failing[0] == sequence else 1
        self.last_error = detail
        if attempts <= self._settings.max_retries:
            self._failing = (sequence, attempts)
            delay = min(self._settings.max_backoff_seconds,
                        self._settings.backoff_seconds * 2 ** (attempts - 1))
            self._retry_at = time.monotonic() + delay
            log.warning("%s: failed at %s (attempt %d of %d), retrying in %.1f s: %s",
                        self._name, sequence, attempts, self._settings.max_retries + 1, delay,
                        detail.strip().splitlines()[-1])
            return committed
        rest = records[index:]
        self._dead_letter(rest, attempts, detail, raised)
        self._commit(rest[-1])
        self._failing = None
        self.dead_lettered += len(rest)
        return committed + len(rest)

    def _dead_letter(self, records: list[dict[str, Any]], attempts: int, detail: str,
                     raised: bool) -> None:
        """Send Lambda's on-failure record for a stream batch (plus the records, for debugging)."""
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        body: dict[str, Any] = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._settings.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": self._shard(),
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
                "batchSize": len(records),
                "streamArn": self.source.stream_arn,
            },
            # Local additions: AWS sends only the batch coordinates.
            "error": detail,
            "records": records,
        }
        if raised:
            body["responseContext"]["functionError"] = "Unhandled"
        text = json.dumps(body)
        if len(text.encode()) > SQS_MAX_BODY:
            body["records"] = []
            body["recordsOmitted"] = "too large for one SQS message"
            text = json.dumps(body)
        log.error("%s: giving up on %s..%s after %d attempts; sent to the DLQ: %s", self._name,
                  first["SequenceNumber"], last["SequenceNumber"], attempts,
                  detail.strip().splitlines()[-1])
        if self._settings.dlq_url is None:
            log.error("%s: no DLQ configured; the failure record was: %s", self._name, text)
            return
        self._sqs.send_message(QueueUrl=self._settings.dlq_url, MessageBody=text)

    def _commit(self, record: dict[str, Any]) -> None:
        self._checkpoints.set(self.source.table_name, self._name,
                              record["dynamodb"]["SequenceNumber"])

    # --- reading the stream --------------------------------------------------------------

    def _shard(self) -> str:
        if self._shard_id is None:
            shards = self._streams.describe_stream(
                StreamArn=self.source.stream_arn)["StreamDescription"]["Shards"]
            # moto keeps one shard per table; AWS splits shards, which a local stack never needs.
            self._shard_id = shards[0]["ShardId"]
        return self._shard_id

    def _read(self, after: str | None, limit: int) -> list[dict[str, Any]]:
        # A fresh iterator per read: moto's iterators hold the shard object itself, which moto
        # replaces on some rollbacks, and following NextShardIterator would then go blind.
        params: dict[str, Any] = {"StreamArn": self.source.stream_arn, "ShardId": self._shard()}
        if after is None:
            params["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            params.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        iterator = self._streams.get_shard_iterator(**params)["ShardIterator"]
        return self._streams.get_records(ShardIterator=iterator, Limit=limit)["Records"]

    def _exists(self, sequence: str) -> bool:
        iterator = self._streams.get_shard_iterator(
            StreamArn=self.source.stream_arn, ShardId=self._shard(),
            ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequence)["ShardIterator"]
        return bool(self._streams.get_records(ShardIterator=iterator, Limit=1)["Records"])

    def _last_sequence_number(self) -> str | None:
        last = None
        while records := self._read(last, 1000):
            last = records[-1]["dynamodb"]["SequenceNumber"]
        return last

    def status(self) -> dict[str, Any]:
        return {
            "handler": self._name,
            "table": self.source.table_name,
            "after": self.position,
            "delivered": self.delivered,
            "dead_lettered": self.dead_lettered,
            "retrying": self._failing is not None,
            "last_error": self.last_error,
        }


def _first_failure(result: Any, records: list[dict[str, Any]]) -> int | None:
    """Index of the lowest failed record in a ReportBatchItemFailures answer, or None."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return None
    positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(records)}
    indexes = []
    for failure in result["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in positions:
            return 0  # Lambda treats a missing or unknown identifier as a failed batch
        indexes.append(positions[identifier])
    return min(indexes)


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
