"""ReportStore: reports, their history and dedupe keys in one DynamoDB table (PynamoDB).

Guarantees the rest of the code relies on:
- a new report, its first history event and its dedupe key are written in one
  transaction: all three or nothing;
- history events are only ever added (conditional put on a fresh key);
- updates use optimistic locking (a version attribute): of two concurrent writers
  one wins and the other gets `ConcurrentUpdate`, nothing is lost.
"""

from __future__ import annotations

import heapq
import itertools
import json
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb_calls import (  # StoreUnavailable: re-exported here
    RETRYABLE,
    StoreUnavailable,
    call,
    until_processed,
)
from chalicelib.adapters.items import item_model
from chalicelib.adapters.table import (
    ALL_INDEX,
    AREA_INDEX_BY_DEPTH,
    CREATED_INDEX,
    DAY_INDEX,
    DUE_INDEX,
    GEO_INDEX,
    INCLUDED_ATTRIBUTES,
    INDEXES,
    WORK_INDEX,
    created_index_keys,
)
from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.duplicates import geocell, neighbourhood
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.periods import wib_date
from chalicelib.domain.queues import QueueSource, queue_keys
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.sla import next_check
from chalicelib.domain.timefmt import utc_iso
from chalicelib.domain.units import UnitDirectory

# Refusals before anything is applied; after any other failure of a write (a 5xx, a lost
# connection) DynamoDB may have committed it: the caller cannot know.
_REFUSED_BEFORE_WRITING = {"ProvisionedThroughputExceededException", "ThrottlingException",
                           "RequestLimitExceeded", "TransactionConflict"}


class WindowTooBroad(Exception):
    """Reading this page would take more than the allowed index items: narrow the window."""


class TicketTaken(Exception):
    """The drawn ticket number exists already; draw another."""


class AlreadyFollowing(Exception):
    """This contact follows the report already."""


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


def event_day_key(day: date) -> str:
    """The day index partition of the history events of one WIB day."""
    return f"EV#{day.isoformat()}"


def _months_newest_first(start: datetime, end: datetime) -> Iterator[str]:
    year, month = end.astimezone(UTC).year, end.astimezone(UTC).month
    first = start.astimezone(UTC)
    while (year, month) >= (first.year, first.month):
        yield f"C#{year:04d}-{month:02d}"
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def _index(name: str) -> type:
    """A PynamoDB view of one of the table's GSIs (see chalicelib/adapters/table.py)."""
    included = INCLUDED_ATTRIBUTES.get(name)
    projection = AllProjection() if included is None else IncludeProjection(list(included))
    meta = type("Meta", (), {"index_name": name, "projection": projection})
    return type(f"Index_{name}", (GlobalSecondaryIndex,), {
        "Meta": meta,
        f"{name}pk": UnicodeAttribute(hash_key=True),
        f"{name}sk": UnicodeAttribute(range_key=True),
    })


def _models(table_name: str, region: str, host: str | None) -> tuple[type, type, type]:
    namespace: dict[str, Any] = {
        "doc": UnicodeAttribute(),
        "ticket": UnicodeAttribute(),
        "status": UnicodeAttribute(),
        "channel": UnicodeAttribute(),
        "category": UnicodeAttribute(null=True),
        "unit": UnicodeAttribute(null=True),
        "created_at": UnicodeAttribute(),
        "version": VersionAttribute(),
    }
    for name in INDEXES:
        namespace[f"{name}pk"] = UnicodeAttribute(null=True)
        namespace[f"{name}sk"] = UnicodeAttribute(null=True)
        namespace[f"index_{name}"] = _index(name)()
    report_item = item_model("ReportItem", "report", table_name, region, host, **namespace)
    event_item = item_model(
        "EventItem", "event", table_name, region, host,
        doc=UnicodeAttribute(), ticket=UnicodeAttribute(), seq=NumberAttribute(),
        # The day index (table.DAY_INDEX): a day's events for the kinerja reconciliation.
        day_pk=UnicodeAttribute(null=True, attr_name=f"{DAY_INDEX}pk"),
        day_sk=UnicodeAttribute(null=True, attr_name=f"{DAY_INDEX}sk"))
    # Dedupe keys and followers: a key item pointing at a ticket (or holding JSON details).
    dedupe_item = item_model("DedupeItem", "dedupe", table_name, region, host,
                             ticket=UnicodeAttribute())
    return report_item, event_item, dedupe_item


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


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[str, ...] = ()
    category: str | None = None
    channel: str | None = None
    created_from: str | None = None  # UTC ISO, inclusive
    created_to: str | None = None  # UTC ISO, exclusive
    overdue_at: str | None = None  # UTC ISO "now": only reports whose deadline has passed


@dataclass(frozen=True)
class CreatedPage:
    reports: list[Report]  # newest first
    more: bool  # whether reports beyond this page match


@dataclass(frozen=True)
class QueuePage:
    reports: list[Report]
    cursor: dict[str, str] | None  # pass back to continue; None when there is no more


NO_DEADLINE = "9999"  # sorts after every real deadline


class ReportStore:
    def __init__(self, table_name: str, region: str, units: UnitDirectory,
                 sla_policy: Callable[[str | None], SlaPolicy],
                 host: str | None = None, due_shards: int = 4) -> None:
        self._report_cls, self._event_cls, self._dedupe_cls = _models(table_name, region, host)
        self._connection = Connection(region=region, host=host)
        self._units = units
        self._sla_policy = sla_policy
        self._due_shards = due_shards
        self.reads = 0  # items read by queries (benchmarks read it)
        self.requests = 0

    # -- writing -------------------------------------------------------------

    def _shard(self, ticket: str) -> int:
        return zlib.crc32(ticket.encode()) % self._due_shards

    def _report_item(self, report: Report, version: int | None) -> Any:
        check = next_check(report, self._sla_policy(report.category))
        keys = queue_keys(report, self._units)
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
        sort_key = f"{utc_iso(keys.due) if keys.due else NO_DEADLINE}#{report.ticket}"

        def index(name: str, partition: str) -> None:
            setattr(item, f"{name}pk", partition)
            setattr(item, f"{name}sk", sort_key)

        if keys.work:
            index(WORK_INDEX, f"W#{keys.work}")
        if keys.listed:
            index(ALL_INDEX, f"ALL#{self._shard(report.ticket)}")
        for depth, unit in keys.areas.items():
            index(AREA_INDEX_BY_DEPTH[depth], f"A{depth}#{unit}")
        if check is not None:
            item.gsi2pk = f"DUE#{self._shard(report.ticket)}"
            item.gsi2sk = f"{utc_iso(check)}#{report.ticket}"
        if report.is_open and report.point is not None:
            setattr(item, f"{GEO_INDEX}pk", self._geo_partition(report.category,
                                                                 geocell(report.point)))
            setattr(item, f"{GEO_INDEX}sk", f"{utc_iso(report.created_at)}#{report.ticket}")
        created_pk, created_sk = created_index_keys(utc_iso(report.created_at), report.ticket)
        setattr(item, f"{CREATED_INDEX}pk", created_pk)
        setattr(item, f"{CREATED_INDEX}sk", created_sk)
        if version is not None:
            item.version = version
        return item

    @staticmethod
    def _geo_partition(category: str | None, cell: str) -> str:
        return f"G#{category or '-'}#{cell}"

    def _event_item(self, ticket: str, event: HistoryEvent) -> Any:
        return self._event_cls(
            pk=report_key(ticket), sk=f"E#{event.seq:06d}", doc=event.model_dump_json(),
            ticket=ticket, seq=event.seq, day_pk=event_day_key(wib_date(event.at)),
            day_sk=f"{utc_iso(event.at)}#{ticket}#{event.seq:06d}",
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
            if "TransactionConflict" in reasons:
                raise StoreUnavailable(str(exc)) from exc
            if _error_code(exc) in RETRYABLE:
                raise StoreUnavailable(str(exc), maybe_written=_error_code(exc)
                                       not in _REFUSED_BEFORE_WRITING) from exc
            raise
        except (PynamoDBException, BotoCoreError) as exc:
            if isinstance(exc, BotoCoreError) or _error_code(exc) in RETRYABLE:
                raise StoreUnavailable(str(exc), maybe_written=_error_code(exc)
                                       not in _REFUSED_BEFORE_WRITING) from exc
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

    def update(self, loaded: Loaded, report: Report, events: Iterable[HistoryEvent],
               follower: tuple[str, dict[str, Any]] | None = None) -> Loaded:
        """Save a changed report and append its new events, if nobody changed it meanwhile.

        With `follower` (contact key, details), also add that follower in the same
        transaction; `AlreadyFollowing` if the contact follows the report already.
        """
        item = self._report_item(report, loaded.version)
        new_events = list(events)

        def build(tx: TransactWrite) -> None:
            tx.save(item)  # PynamoDB adds "version = loaded.version" and increments it
            for event in new_events:
                tx.save(self._event_item(report.ticket, event),
                        condition=self._event_cls.pk.does_not_exist())
            if follower is not None:
                tx.save(self._dedupe_cls(pk=report_key(report.ticket), sk=f"F#{follower[0]}",
                                         type="follower", ticket=json.dumps(follower[1])),
                        condition=self._dedupe_cls.pk.does_not_exist())

        def on_cancel(reasons: list[str | None]) -> None:
            if follower is not None and reasons[-1] == "ConditionalCheckFailed" and (
                    reasons[0] != "ConditionalCheckFailed"):
                raise AlreadyFollowing(follower[0])
            raise ConcurrentUpdate(
                code="konflik_pembaruan",
                message_id="Laporan baru saja diubah oleh orang lain; muat ulang lalu coba lagi.",
                message_en="The report was just changed by someone else; reload and try again.",
            )

        self._transact(build, on_cancel)
        return Loaded(report, loaded.version + 1)

    def import_reports(self, reports: Iterable[Report]) -> int:
        """Bulk-load reports as they are (migrating history from the old CRM, benchmarks).

        Unlike `create`, this writes no history event and no dedupe key, and overwrites.
        """
        count = 0
        with self._report_cls.batch_write() as batch:
            for report in reports:
                batch.save(self._report_item(report, 1))
                count += 1
        return count

    # -- reading -------------------------------------------------------------

    def _read(self, call):
        try:
            return call()
        except (PynamoDBException, BotoCoreError) as exc:
            if isinstance(exc, BotoCoreError) or _error_code(exc) in RETRYABLE:
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

    def load_with_history(self, ticket: str) -> tuple[Loaded, list[HistoryEvent]] | None:
        """The report and exactly the history events it knows of: one consistent snapshot.

        The two reads are separate, so a change may land in between; events newer than
        the report as read are left out (the report counts its events).
        """
        loaded = self.load(ticket)
        if loaded is None:
            return None
        return loaded, self.history(ticket)[:loaded.report.event_count]

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

    # -- queues --------------------------------------------------------------

    def _streams(self, source: QueueSource) -> list[tuple[str, str]]:
        """(index name, partition key) pairs that together hold a queue source."""
        if source.kind == "work":
            return [(WORK_INDEX, f"W#{source.key}")]
        if source.kind == "area":
            return [(AREA_INDEX_BY_DEPTH[source.depth], f"A{source.depth}#{source.key}")]
        return [(ALL_INDEX, f"ALL#{shard}") for shard in range(self._due_shards)]

    def _filter(self, filters: QueueFilter) -> Any:
        cls = self._report_cls
        condition = None
        parts = []
        if filters.statuses:
            parts.append(cls.status.is_in(*filters.statuses))
        if filters.category:
            parts.append(cls.category == filters.category)
        if filters.channel:
            parts.append(cls.channel == filters.channel)
        if filters.created_from:
            parts.append(cls.created_at >= filters.created_from)
        if filters.created_to:
            parts.append(cls.created_at < filters.created_to)
        for part in parts:
            condition = part if condition is None else condition & part
        return condition

    def _stream(self, index_name: str, partition: str, after: str | None,
                filters: QueueFilter, page_size: int) -> Iterator[tuple[str, Any]]:
        index = getattr(self._report_cls, f"index_{index_name}")
        sort_attr = getattr(self._report_cls, f"{index_name}sk")
        if filters.overdue_at and after:
            # "!" sorts right after the cursor itself and before any longer key
            key_condition = sort_attr.between(f"{after}!", filters.overdue_at)
        elif filters.overdue_at:
            key_condition = sort_attr < filters.overdue_at
        elif after:
            key_condition = sort_attr > after
        else:
            key_condition = None
        results = index.query(partition, range_key_condition=key_condition,
                              filter_condition=self._filter(filters), page_size=page_size)
        for item in results:
            yield getattr(item, f"{index_name}sk"), item

    def queue(self, sources: list[QueueSource], *, limit: int = 50,
              cursor: dict[str, str] | None = None,
              filters: QueueFilter = QueueFilter()) -> QueuePage:
        """Reports of the given queues, merged and sorted by deadline, one page at a time.

        The cursor holds, per underlying index partition, the last sort key returned,
        so pages neither repeat nor skip items even when partitions are merged.
        """
        cursor = dict(cursor or {})
        streams = {f"{name}|{partition}": (name, partition)
                   for source in sources for name, partition in self._streams(source)}

        def tagged(stream_id: str) -> Iterator[tuple[str, str, Any]]:
            name, partition = streams[stream_id]
            for sort_key, item in self._stream(name, partition, cursor.get(stream_id),
                                               filters, limit + 1):
                yield sort_key, stream_id, item

        merged = heapq.merge(*(tagged(stream_id) for stream_id in streams))
        taken = self._read(lambda: list(itertools.islice(merged, limit + 1)))
        page, more = taken[:limit], len(taken) > limit
        next_cursor = dict(cursor)
        for sort_key, stream_id, _item in page:
            next_cursor[stream_id] = sort_key
        reports = [Report.model_validate_json(item.doc) for _, _, item in page]
        return QueuePage(reports, next_cursor if more else None)

    # -- every report by filing time (Open311) ------------------------------------

    def created_between(self, start: datetime, end: datetime, *, skip: int, take: int,
                        category: str | None = None, statuses: tuple[str, ...] = (),
                        max_scanned: int = 20_000) -> CreatedPage:
        """Reports filed in [start, end], newest first, optionally of one category and
        of the given CRM statuses: `take` of them after the first `skip` that match.

        Reads the created index month by month, newest first (a 90-day window is at
        most four partitions), and stops as soon as the page is full: the cost follows
        the page's depth in the window, never the table. Index items carry only the
        filter attributes; the page's reports are then fetched by key. Filters that match
        rarely could make one request read a whole window: past `max_scanned` index items
        (~2.4 MB) it stops with `WindowTooBroad`.
        """
        cls = self._report_cls
        index = getattr(cls, f"index_{CREATED_INDEX}")
        sort_attr = getattr(cls, f"{CREATED_INDEX}sk")
        # "$" sorts right after "#": every "<end>#<ticket>" key is inside.
        window = sort_attr.between(utc_iso(start), f"{utc_iso(end)}$")
        condition = None
        if category:
            condition = cls.category == category
        if statuses:
            wanted = cls.status.is_in(*statuses)
            condition = wanted if condition is None else condition & wanted
        needed = skip + take + 1
        # Unfiltered, the index items read are exactly the ones wanted; filtered, read
        # ahead (DynamoDB still stops each response at 1 MB, ~8,000 index items).
        page_size = needed if condition is None else max(4 * needed, 500)

        queried = []

        def matches() -> Iterator[Any]:
            for month in _months_newest_first(start, end):
                queried.append(index.query(month, range_key_condition=window,
                                           filter_condition=condition,
                                           scan_index_forward=False, page_size=page_size))
                for item in queried[-1]:
                    yield item
                    if sum(q.page_iter.total_scanned_count for q in queried) > max_scanned:
                        raise WindowTooBroad(max_scanned)

        tickets = [item.pk.removeprefix("R#") for item in
                   self._read(lambda: list(itertools.islice(matches(), needed)))]
        self.reads += sum(q.page_iter.total_scanned_count for q in queried)
        page, more = tickets[skip:skip + take], len(tickets) > skip + take
        found = self._docs(page)
        # A report deleted between the two reads is simply not on the page.
        return CreatedPage([Report.model_validate_json(found[t]) for t in page if t in found],
                           more)

    def _docs(self, tickets: list[str]) -> dict[str, str]:
        """The documents of these reports by ticket, 100 a BatchGetItem; what DynamoDB
        leaves unprocessed is resent with backoff (PynamoDB's batch_get resends at once,
        without end)."""
        client, table = self._connection.client, self._report_cls.Meta.table_name

        def get(pending: dict[str, Any]) -> dict[str, Any]:
            return call(client, "batch_get_item", RequestItems=pending)

        docs: dict[str, str] = {}
        for i in range(0, len(tickets), 100):
            keys = [{"pk": {"S": report_key(t)}, "sk": {"S": "A"}} for t in tickets[i:i + 100]]
            request = {table: {"Keys": keys, "ProjectionExpression": "ticket, doc"}}
            for answer in until_processed(get, request, "UnprocessedKeys"):
                self.requests += 1
                for item in answer.get("Responses", {}).get(table, []):
                    docs[item["ticket"]["S"]] = item["doc"]["S"]
        return docs

    # -- the SLA sweep's index --------------------------------------------------

    @property
    def due_shards(self) -> int:
        return self._due_shards

    def due_tickets(self, shard: int, until: str, page_size: int = 100) -> Iterator[str]:
        """Tickets whose next SLA check is at or before `until` (UTC ISO), earliest first.

        Reads only the due part of one shard of the sparse index: the cost follows
        what is late, not the size of the table.
        """
        index = getattr(self._report_cls, f"index_{DUE_INDEX}")
        # "$" sorts right after "#", so every "<until>#<ticket>" key is included.
        condition = getattr(self._report_cls, f"{DUE_INDEX}sk") < f"{until}$"
        last_key = None
        while True:
            results = self._read(lambda key=last_key: index.query(
                f"DUE#{shard}", range_key_condition=condition, limit=page_size,
                page_size=page_size, last_evaluated_key=key))
            items = self._read(lambda results=results: list(results))
            self.requests += 1
            self.reads += len(items)
            yield from (item.ticket for item in items)
            last_key = results.last_evaluated_key
            if not last_key:
                return

    # -- duplicates and followers ---------------------------------------------

    def nearby_open(self, category: str | None, point: Any, since: str) -> list[Report]:
        """Open reports of `category` in the nine geohash cells around `point`, filed since."""
        index = getattr(self._report_cls, f"index_{GEO_INDEX}")
        sort_attr = getattr(self._report_cls, f"{GEO_INDEX}sk")
        found: list[Report] = []
        for cell in neighbourhood(geocell(point)):
            items = self._read(lambda cell=cell: list(index.query(
                self._geo_partition(category, cell), range_key_condition=sort_attr >= since)))
            self.requests += 1
            self.reads += len(items)
            found += [Report.model_validate_json(item.doc) for item in items]
        return found

    def open_in_kelurahan(self, kelurahan: str, category: str | None,
                          since: str) -> list[Report]:
        """Open reports the kelurahan handles, of one category, filed since (text duplicates)."""
        cls = self._report_cls
        index = getattr(cls, f"index_{AREA_INDEX_BY_DEPTH[3]}")
        condition = cls.created_at >= since
        condition &= (cls.category == category) if category else cls.category.does_not_exist()
        items = self._read(lambda: list(index.query(f"A3#{kelurahan}",
                                                    filter_condition=condition)))
        self.requests += 1
        self.reads += len(items)
        return [Report.model_validate_json(item.doc) for item in items]

    def followers(self, ticket: str) -> list[dict[str, Any]]:
        items = self._read(lambda: list(self._dedupe_cls.query(
            report_key(ticket), self._dedupe_cls.sk.startswith("F#"), consistent_read=True)))
        return [json.loads(item.ticket) for item in items]

    # -- privacy -------------------------------------------------------------

    def reports_created_before(self, cutoff: str) -> Iterator[Loaded]:
        """Every report filed before `cutoff` (UTC ISO) that still holds reporter contact.

        A full-table Scan: meant for the occasional retention job only (pages of 1 MB,
        consistent reads not needed), never for anything a person waits on.
        """
        cls = self._report_cls
        condition = (cls.type == "report") & (cls.created_at < cutoff)
        for item in self._read(lambda: cls.scan(filter_condition=condition)):
            report = Report.model_validate_json(item.doc)
            if report.reporter.name or report.reporter.phone or report.reporter.email:
                yield Loaded(report, int(item.version))

    def forget_followers(self, ticket: str) -> int:
        """Delete the contacts of everyone following a report; returns how many."""
        items = self._read(lambda: list(self._dedupe_cls.query(
            report_key(ticket), self._dedupe_cls.sk.startswith("F#"))))
        for item in items:
            item.delete()
        return len(items)
