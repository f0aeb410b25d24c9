"""Failed stream batches: Lambda's on-failure records in SQS, and the records they point at.

When a stream batch uses up its retries, Lambda sends its on-failure destination (our
dead-letter queue) a record that holds only the batch's coordinates
(`DDBStreamBatchInfo`: stream, shard, first and last sequence number), not the changes
themselves. To handle the batch again the changes are read back from the stream, which
keeps them for 24 hours. The local stack's pump writes the same record and, as a local
addition, the changes themselves (`records`); those are used only when the stream no
longer has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

PAGE = 1000  # GetRecords' maximum
_GONE = {"TrimmedDataAccessException", "ExpiredIteratorException", "ResourceNotFoundException"}


class BatchGone(Exception):
    """The stream no longer holds the batch (older than 24 hours, or the shard is gone)."""


@dataclass(frozen=True)
class FailedBatch:
    """One message of the dead-letter queue."""

    receipt_handle: str
    body: dict[str, Any]

    @property
    def batch_info(self) -> dict[str, Any] | None:
        """The stream batch it points at; None for other failures (e.g. async invokes)."""
        info = self.body.get("DDBStreamBatchInfo")
        return info if isinstance(info, dict) else None

    @property
    def function(self) -> str:
        return str(self.body.get("requestContext", {}).get("functionArn", "?"))


class StreamReplay:
    """Reads failed batches from the queue and their records from the stream."""

    def __init__(self, sqs: Any, streams: Any, queue_url: str) -> None:
        self._sqs, self._streams, self._queue_url = sqs, streams, queue_url

    def failed_batches(self, limit: int, hold_seconds: int) -> Iterator[FailedBatch]:
        """Up to `limit` messages; each is hidden from other readers for `hold_seconds`,
        so one run never sees a message twice and a message not deleted comes back."""
        seen: set[str] = set()
        while len(seen) < limit:
            answer = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=min(10, limit - len(seen)),
                VisibilityTimeout=hold_seconds, WaitTimeSeconds=0)
            # A message held for less than the run lasts comes back: once is enough.
            messages = [m for m in answer.get("Messages", []) if m["MessageId"] not in seen]
            if not messages:
                return
            for message in messages:
                seen.add(message["MessageId"])
                try:
                    body = json.loads(message["Body"])
                except ValueError:
                    body = {}
                yield FailedBatch(message["ReceiptHandle"], body if isinstance(body, dict)
                                  else {})

    def delete(self, batch: FailedBatch) -> None:
        self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=batch.receipt_handle)

    def records(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        """The stream records from the batch's first to its last sequence number."""
        first, last = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
        try:
            iterator = self._streams.get_shard_iterator(
                StreamArn=info["streamArn"], ShardId=info["shardId"],
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=info["startSequenceNumber"])["ShardIterator"]
            found: list[dict[str, Any]] = []
            while iterator:
                page = self._streams.get_records(ShardIterator=iterator, Limit=PAGE)
                for record in page["Records"]:
                    sequence = int(record["dynamodb"]["SequenceNumber"])
                    if sequence > last:
                        return found
                    if sequence >= first:
                        found.append(record)
                if not page["Records"]:  # the shard's tip: nothing after it yet
                    break
                iterator = page.get("NextShardIterator")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _GONE:
                raise BatchGone(str(exc)) from exc
            raise
        if not found:
            raise BatchGone(f"no record between {first} and {last} in the stream")
        return found


def stream_replay(region: str, queue_url: str, endpoint_url: str | None = None) -> StreamReplay:
    """A StreamReplay on real AWS (or the local stack's moto, with `endpoint_url`)."""
    import boto3

    return StreamReplay(boto3.client("sqs", region_name=region, endpoint_url=endpoint_url),
                        boto3.client("dynamodbstreams", region_name=region,
                                     endpoint_url=endpoint_url), queue_url)
