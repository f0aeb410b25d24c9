"""Handle again the stream batches that went to the dead-letter queue.

A batch lands there after Lambda's retries ran out: an SNS outage longer than the
retries, a bug since fixed, a record the code could not read. Once the cause is gone an
operator runs `crm redrive`: every stream batch in the queue is read back and each of
its changes goes through the same processors as on the stream. The processors are
idempotent (routing checks the report's state, notices are claimed in the sent log), so
changes that had gone through the first time are skipped, and a batch that fails again
stays in the queue (it reappears after `hold_seconds`) with the error reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.stream_replay import BatchGone, StreamReplay

log = logging.getLogger("crm.redrive")

HOLD_SECONDS = 300


@dataclass
class RedriveResult:
    batches: int = 0  # stream batches found in the queue
    redriven: int = 0  # handled completely and removed from the queue
    records: int = 0  # changes handled again
    still_failing: list[str] = field(default_factory=list)  # batch: first error
    gone: int = 0  # no longer in the stream (24 h) and no copy of the changes
    other: int = 0  # messages that are not stream batches, left for a person to read

    def as_dict(self) -> dict[str, Any]:
        return {"batches": self.batches, "redriven": self.redriven, "records": self.records,
                "still_failing": self.still_failing, "gone": self.gone, "other": self.other}


def redrive(replay: StreamReplay, handle: Callable[[dict[str, Any]], None], *,
            limit: int = 100, dry_run: bool = False,
            hold_seconds: int = HOLD_SECONDS) -> RedriveResult:
    """Handle every failed stream batch (up to `limit` messages) with `handle(record)`."""
    result = RedriveResult()
    for batch in replay.failed_batches(limit, hold_seconds):
        info = batch.batch_info
        if info is None:
            result.other += 1
            continue
        result.batches += 1
        name = f"{info.get('shardId')}:{info.get('startSequenceNumber')}"
        try:
            records = replay.records(info)
        except BatchGone as exc:
            records = batch.body.get("records") or []  # the local stack keeps a copy
            if not records:
                log.error("batch %s is no longer in the stream: %s", name, exc)
                result.gone += 1
                continue
        if dry_run:
            result.records += len(records)
            continue
        error = _handle_all(records, handle)
        if error:
            result.still_failing.append(f"{name}: {error}")
            continue
        result.records += len(records)
        replay.delete(batch)
        result.redriven += 1
    return result


def _handle_all(records: list[dict[str, Any]], handle: Callable[[dict[str, Any]], None]
                ) -> str | None:
    """Every record is tried (as the stream handler does); returns the first error."""
    first_error = None
    for record in records:
        try:
            handle(record)
        except Exception as exc:  # noqa: BLE001 - reported, and the batch stays queued
            log.exception("record %s failed again", record["dynamodb"].get("SequenceNumber"))
            first_error = first_error or f"{type(exc).__name__}: {exc}"
    return first_error
