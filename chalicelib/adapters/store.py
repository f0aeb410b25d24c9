"""ReportStore: reports, their history and dedupe keys in one DynamoDB table (PynamoDB).

Guarantees the rest of the code relies on:
- a new report, its first history event and its dedupe key are written in one
  transaction: all three or nothing;
- history events are only ever added (conditional put on a fresh key);
- updates use optimistic locking (a version attribute): of two concurrent writers
  one wins and the other gets `ConcurrentUpdate`, nothing is lost.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.sla import next_due
from chalicelib.domain.timefmt import utc_iso

# DynamoDB answers with these when it is overloaded or failing; the client may retry.
_RETRYABLE = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflict",
}


class StoreUnavailable(Exception):
    """DynamoDB is throttling or failing: nothing was written; try again shortly."""

    retry_after_seconds = 2


class TicketTaken(Exception):
    """The drawn ticket number exists already; draw another."""


class DuplicateDelivery(Exception):
    """This channel message was filed before, as `ticket`."""

    def __init__(self, ticket: str) -> None:
        super().__init__(ticket)
        self.ticket = ticket


@dataclass(frozen=True)
class Loaded:
    """A report as read, with the version an update must match."""

    report: Report
    version: int


def report_key(ticket: str) -> str:
    return f"R#{ticket}"


def dedupe_key(channel: str, external_id: str) -> str:
    return f"D#{channel}#{external_id}"


def _meta(table_name: str, region: str, host: str | None) -> type:
    return type("Meta", (), {"table_name": table_name, "region": region, "host": host,
                             "max_retry_attempts": 3, "base_backoff_ms": 25})


def _models(table_name: str, region: str, host: str | None) -> tuple[type, type, type]:
    meta = _meta(table_name, region, host)

    class ReportItem(Model):
        Meta = meta
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        type = UnicodeAttribute(default="report")
        doc = UnicodeAttribute()
        ticket = UnicodeAttribute()
        status = UnicodeAttribute()
        channel = UnicodeAttribute()
        category = UnicodeAttribute(null=True)
        unit = UnicodeAttribute(null=True)
        created_at = UnicodeAttribute()
        gsi1pk = UnicodeAttribute(null=True)
        gsi1sk = UnicodeAttribute(null=True)
        gsi2pk = UnicodeAttribute(null=True)
        gsi2sk = UnicodeAttribute(null=True)
        version = VersionAttribute()

    class EventItem(Model):
        Meta = meta
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        type = UnicodeAttribute(default="event")
        doc = UnicodeAttribute()
        ticket = UnicodeAttribute()
        seq = NumberAttribute()

    class DedupeItem(Model):
        Meta = meta
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        type = UnicodeAttribute(default="dedupe")
        ticket = UnicodeAttribute()

    return ReportItem, EventItem, DedupeItem


def _error_code(exc: BaseException) -> str | None:
    cause = getattr(exc, "cause", None)
    response = getattr(cause, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def report_from_image(image: dict[str, Any]) -> Report | None:
    """The domain Report inside a DynamoDB stream image, or None for other item types."""
    if image.get("type", {}).get("S") != "report":
        return None
    return Report.model_validate_json(image["doc"]["S"])


def event_from_image(image: dict[str, Any]) -> HistoryEvent | None:
    if image.get("type", {}).get("S") != "event":
        return None
    return HistoryEvent.model_validate_json(image["doc"]["S"])


class ReportStore:
    def __init__(self, table_name: str, region: str, host: str | None = None,
                 due_shards: int = 4) -> None:
        self._report_cls, self._event_cls, self._dedupe_cls = _models(table_name, region, host)
        self._connection = Connection(region=region, host=host)
        self._due_shards = due_shards

    # -- writing -------------------------------------------------------------

    def _report_item(self, report: Report, version: int | None) -> Any:
        due = next_due(report)
        item = self._report_cls(
            pk=report_key(report.ticket),
            sk="A",
            doc=report.model_dump_json(),
            ticket=report.ticket,
            status=str(report.status),
            channel=report.channel,
            category=report.category,
            unit=report.unit,
            created_at=utc_iso(report.created_at),
        )
        if report.is_open and report.unit is not None:
            item.gsi1pk = f"Q#{report.unit}"
            item.gsi1sk = f"{utc_iso(due) if due else '9999'}#{report.ticket}"
        if due is not None:
            shard = zlib.crc32(report.ticket.encode()) % self._due_shards
            item.gsi2pk = f"DUE#{shard}"
            item.gsi2sk = f"{utc_iso(due)}#{report.ticket}"
        if version is not None:
            item.version = version
        return item

    def _event_item(self, ticket: str, event: HistoryEvent) -> Any:
        return self._event_cls(
            pk=report_key(ticket), sk=f"E#{event.seq:06d}", doc=event.model_dump_json(),
            ticket=ticket, seq=event.seq,
        )

    def _transact(self, build, on_cancel) -> None:
        try:
            with TransactWrite(connection=self._connection,
                               client_request_token=uuid.uuid4().hex) as tx:
                build(tx)
        except TransactWriteError as exc:
            reasons = [r.code if r else None for r in exc.cancellation_reasons]
            if "ConditionalCheckFailed" in reasons:
                on_cancel(reasons)
            if _error_code(exc) in _RETRYABLE or "TransactionConflict" in reasons:
                raise StoreUnavailable(str(exc)) from exc
            raise
        except (PynamoDBException, BotoCoreError) as exc:
            if isinstance(exc, BotoCoreError) or _error_code(exc) in _RETRYABLE:
                raise StoreUnavailable(str(exc)) from exc
            raise

    def create(self, report: Report, first_event: HistoryEvent) -> None:
        """Write a new report with its first event and dedupe key, all or nothing.

        Raises `TicketTaken` if the ticket exists, `DuplicateDelivery` if the
        channel message was filed before.
        """
        dedupe = None
        if report.external_id:
            dedupe = self._dedupe_cls(pk=dedupe_key(report.channel, report.external_id), sk="D",
                                      ticket=report.ticket)

        def build(tx: TransactWrite) -> None:
            item = self._report_item(report, None)
            tx.save(item, condition=self._report_cls.pk.does_not_exist())
            tx.save(self._event_item(report.ticket, first_event),
                    condition=self._event_cls.pk.does_not_exist())
            if dedupe is not None:
                tx.save(dedupe, condition=self._dedupe_cls.pk.does_not_exist())

        def on_cancel(reasons: list[str | None]) -> None:
            if dedupe is not None and reasons[2:3] == ["ConditionalCheckFailed"]:
                existing = self.ticket_for(report.channel, report.external_id or "")
                if existing:
                    raise DuplicateDelivery(existing)
            if reasons[0] == "ConditionalCheckFailed":
                raise TicketTaken(report.ticket)

        self._transact(build, on_cancel)

    def update(self, loaded: Loaded, report: Report, events: Iterable[HistoryEvent]) -> Loaded:
        """Save a changed report and append its new events, if nobody changed it meanwhile."""
        item = self._report_item(report, loaded.version)
        new_events = list(events)

        def build(tx: TransactWrite) -> None:
            tx.save(item)  # PynamoDB adds "version = loaded.version" and increments it
            for event in new_events:
                tx.save(self._event_item(report.ticket, event),
                        condition=self._event_cls.pk.does_not_exist())

        def on_cancel(reasons: list[str | None]) -> None:
            raise ConcurrentUpdate(
                code="konflik_pembaruan",
                message_id="Laporan baru saja diubah oleh orang lain; muat ulang lalu coba lagi.",
                message_en="The report was just changed by someone else; reload and try again.",
            )

        self._transact(build, on_cancel)
        return Loaded(report, loaded.version + 1)

    # -- reading -------------------------------------------------------------

    def _read(self, call):
        try:
            return call()
        except (PynamoDBException, BotoCoreError) as exc:
            if isinstance(exc, BotoCoreError) or _error_code(exc) in _RETRYABLE:
                raise StoreUnavailable(str(exc)) from exc
            raise

    def load(self, ticket: str) -> Loaded | None:
        def get() -> Any:
            try:
                return self._report_cls.get(report_key(ticket), "A", consistent_read=True)
            except self._report_cls.DoesNotExist:
                return None

        item = self._read(get)
        if item is None:
            return None
        return Loaded(Report.model_validate_json(item.doc), int(item.version))

    def history(self, ticket: str) -> list[HistoryEvent]:
        items = self._read(lambda: list(self._event_cls.query(
            report_key(ticket), self._event_cls.sk.startswith("E#"), consistent_read=True)))
        return [HistoryEvent.model_validate_json(item.doc) for item in items]

    def ticket_for(self, channel: str, external_id: str) -> str | None:
        def get() -> Any:
            try:
                return self._dedupe_cls.get(dedupe_key(channel, external_id), "D",
                                            consistent_read=True)
            except self._dedupe_cls.DoesNotExist:
                return None

        item = self._read(get)
        return item.ticket if item is not None else None
