"""Kinerja counters in the single table: written once per event, read a period at a time.

Items (pk / sk), all `type = "kinerja"` unless noted:

- day      K#D#2026-11-28 / <unit code>   a unit's counters of one WIB day
- month    K#M#2026-11    / <unit code>   ... of one month
- quarter  K#Q#2026-Q3    / <unit code>   ... of one quarter
- marker   K#X#<source>   / K             `type = "kinerja_marker"`: the source was applied
- snapshot K#S#2026-Q3    / 000, 001...   `type = "kinerja_snapshot"`: a closed period's
                                          counters of every unit, zlib JSON, 100 units each

Each counter item holds the flat numeric attributes of `KinerjaCounters.to_item()`
(`received`, ..., `fa_<bucket>`, `fin_<bucket>` for the duration sketches) plus
`unit` and `period`. A period is one partition, so a quarter's ranking of every unit
is one Query of a few pages (about 400 items), a month's likewise, and a week sums
seven day partitions.

Closed periods. Deltas are dated by their event, so once the nightly reconciliation has
checked a period's last day nothing can change it any more (a late stream record finds
its marker written by the reconciliation). The nightly job then freezes the period into
a snapshot of a few compressed items, and rankings of closed periods (and every trend's
previous period) read those instead of hundreds of attribute-heavy items. A correction
of a closed day refreshes the snapshots that contain it.

Once only. The stream delivers at least once, so every source (`<ticket>#<seq>`, one
history event) is applied in one TransactWriteItems: a conditional Put of its marker
plus an `ADD` on each (unit, granularity) item it touches. A redelivered event fails
the marker's condition and the whole transaction is cancelled: nothing is counted
twice, and the three granularities can never disagree. Markers expire (TTL) after
`MARKER_DAYS`, far beyond the stream's 24 h retention.

The low-level client is used (not PynamoDB) because the sketch attribute names are
dynamic; every name goes through ExpressionAttributeNames.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.dynamodb_calls import RETRYABLE, call, until_processed
from chalicelib.adapters.store import StoreUnavailable, event_day_key
from chalicelib.adapters.table import DAY_INDEX, TTL_ATTRIBUTE
from chalicelib.domain.kinerja import DailyCounters, KinerjaCounters, KinerjaDelta, aggregate
from chalicelib.domain.periods import Period, PeriodKind, period_of_day

MARKER_DAYS = 35
SNAPSHOT_UNITS = 100  # units per snapshot item: ~400 units' sketches stay far below 400 KB
# An UpdateExpression may be 4 KB; ~60 `#aN :vN` pairs stay well inside it. Normal events
# touch 1-3 attributes; only reconciliation corrections of a whole sketch come near.
MAX_ATTRIBUTES_PER_UPDATE = 60
# TransactWriteItems takes 100 actions; one is the marker.
MAX_ACTIONS = 99


def counter_key(kind: PeriodKind, code: str) -> str:
    return {PeriodKind.QUARTER: "K#Q#", PeriodKind.MONTH: "K#M#"}[kind] + code


def day_key(day: date) -> str:
    return f"K#D#{day.isoformat()}"


def marker_key(source: str) -> str:
    return f"K#X#{source}"


def snapshot_key(period: Period) -> str:
    return f"K#S#{period.code}"


def _number(value: Any) -> dict[str, str]:
    return {"N": str(value)}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB JSON item as Python values (numbers as int, strings as str)."""
    out: dict[str, Any] = {}
    for name, typed in item.items():
        if "N" in typed:
            number = typed["N"]  # counters are whole numbers; anything else is tolerated
            out[name] = int(number) if number.lstrip("-").isdigit() else int(Decimal(number))
        elif "S" in typed:
            out[name] = typed["S"]
    return out


@dataclass(frozen=True)
class _Add:
    """One `ADD` on one counter item."""

    pk: str
    unit: str
    period: str
    amounts: tuple[tuple[str, int], ...]


def _adds(unit: str, day: date, amounts: Mapping[str, int]) -> list[_Add]:
    """ADDs of flat amounts on the unit's day, month and quarter items, in small updates."""
    ordered = sorted((k, v) for k, v in amounts.items() if v)
    chunks = [tuple(ordered[i:i + MAX_ATTRIBUTES_PER_UPDATE])
              for i in range(0, len(ordered), MAX_ATTRIBUTES_PER_UPDATE)]
    month = period_of_day(day, PeriodKind.MONTH)
    quarter = period_of_day(day, PeriodKind.QUARTER)
    targets = [(day_key(day), day.isoformat()),
               (counter_key(PeriodKind.MONTH, month.code), month.code),
               (counter_key(PeriodKind.QUARTER, quarter.code), quarter.code)]
    return [_Add(pk, unit, period, chunk) for chunk in chunks for pk, period in targets]


def _parts(adds: Sequence[_Add]) -> list[list[_Add]]:
    """Transactions of adds: at most MAX_ACTIONS each, never one item twice in one."""
    parts: list[list[_Add]] = []
    for add in adds:
        for part in parts:
            if len(part) < MAX_ACTIONS and all((a.pk, a.unit) != (add.pk, add.unit)
                                               for a in part):
                part.append(add)
                break
        else:
            parts.append([add])
    return parts


class KinerjaStore:
    def __init__(self, table_name: str, region: str, host: str | None = None) -> None:
        self._table = table_name
        self._client = boto3.client("dynamodb", region_name=region, endpoint_url=host)
        self.reads = 0  # items read (benchmarks and the reconciliation report it)
        self.requests = 0

    # -- writing ---------------------------------------------------------------------

    def _update(self, add: _Add) -> dict[str, Any]:
        names = {"#unit": "unit", "#period": "period", "#type": "type"}
        values: dict[str, Any] = {":unit": {"S": add.unit}, ":period": {"S": add.period},
                                  ":type": {"S": "kinerja"}}
        terms = []
        for i, (name, amount) in enumerate(add.amounts):
            names[f"#a{i}"] = name
            values[f":v{i}"] = _number(amount)
            terms.append(f"#a{i} :v{i}")
        return {"Update": {
            "TableName": self._table,
            "Key": {"pk": {"S": add.pk}, "sk": {"S": add.unit}},
            "UpdateExpression": "SET #unit = :unit, #period = :period, #type = :type ADD "
                                + ", ".join(terms),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }}

    def _marker(self, source: str, now: datetime) -> dict[str, Any]:
        expires = int((now + timedelta(days=MARKER_DAYS)).timestamp())
        return {"Put": {
            "TableName": self._table,
            "Item": {"pk": {"S": marker_key(source)}, "sk": {"S": "K"},
                     "type": {"S": "kinerja_marker"}, TTL_ATTRIBUTE: _number(expires)},
            "ConditionExpression": "attribute_not_exists(pk)",
        }}

    def apply(self, source: str, deltas: Sequence[KinerjaDelta], now: datetime) -> int:
        """Add the deltas of one source once; returns how many transactions were new."""
        return self._apply(source, [add for d in deltas
                                    for add in _adds(d.unit, d.day, d.counters.to_item())], now)

    def apply_correction(self, source: str, unit: str, day: date,
                         amounts: Mapping[str, int], now: datetime) -> int:
        """Add flat amounts (negative allowed: a correction may remove sketch counts) once."""
        return self._apply(source, _adds(unit, day, amounts), now)

    def _apply(self, source: str, adds: Sequence[_Add], now: datetime) -> int:
        """Normally one transaction (marker `source`); more than fits in one is split
        deterministically into parts `source#1`, `source#2`..., each applied once."""
        if not adds:
            return 0
        parts = _parts(adds)
        applied = 0
        for number, part in enumerate(parts, start=1):
            marker = source if len(parts) == 1 else f"{source}#{number}"
            items = [self._marker(marker, now), *(self._update(add) for add in part)]
            applied += self._transact(items)
        return applied

    def _transact(self, items: list[dict[str, Any]]) -> int:
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return 0  # the marker exists: applied before
            raise StoreUnavailable(str(exc)) from exc
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in RETRYABLE:
                raise StoreUnavailable(str(exc)) from exc
            raise
        except BotoCoreError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return 1

    def put_counters(self, rows: Iterable[tuple[str, str, str, KinerjaCounters]]) -> int:
        """Overwrite counter items (pk, unit, period code, counters): bulk loads only.

        Bypasses the once-only markers: for benchmarks and one-off migrations, never
        alongside a running stream.
        """
        count = 0
        batch: list[dict[str, Any]] = []
        for pk, unit, period, counters in rows:
            item = {"pk": {"S": pk}, "sk": {"S": unit}, "type": {"S": "kinerja"},
                    "unit": {"S": unit}, "period": {"S": period},
                    **{k: _number(v) for k, v in counters.to_item().items()}}
            batch.append({"PutRequest": {"Item": item}})
            count += 1
            if len(batch) == 25:
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)
        return count

    def _write_batch(self, requests: list[dict[str, Any]]) -> None:
        def write(pending: dict[str, Any]) -> dict[str, Any]:
            return call(self._client, "batch_write_item", RequestItems=pending)

        for _ in until_processed(write, {self._table: requests}, "UnprocessedItems"):
            self.requests += 1

    # -- reading ---------------------------------------------------------------------

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            page_args = {"TableName": self._table, **kwargs}
            if start:
                page_args["ExclusiveStartKey"] = start
            try:
                page = self._client.query(**page_args)
            except (ClientError, BotoCoreError) as exc:
                raise StoreUnavailable(str(exc)) from exc
            self.requests += 1
            self.reads += len(page["Items"])
            yield from page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _partition(self, pk: str, day: date) -> list[DailyCounters]:
        items = self._query(KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": pk}})
        return [DailyCounters(item["sk"]["S"], day, KinerjaCounters.from_item(_plain(item)))
                for item in items]

    def day(self, day: date) -> dict[str, KinerjaCounters]:
        """Every unit's stored counters of one WIB day (always live: reconciliation reads it)."""
        return {row.unit: row.counters for row in self._partition(day_key(day), day)}

    def period(self, period: Period, now: datetime | None = None) -> list[DailyCounters]:
        """The rows that make up `period`, each dated inside it (for `aggregate`).

        Given `now`, a period closed by then is read from its snapshot when it has one (a
        few items). Otherwise the live items: quarter and month their own partition, a
        week its seven days, a year its quarters (each from its snapshot if closed).
        """
        if now is not None and period.end <= now:
            frozen = self.snapshot(period)
            if frozen is not None:
                return frozen
        if period.kind in (PeriodKind.QUARTER, PeriodKind.MONTH):
            return self._partition(counter_key(period.kind, period.code), period.first_day)
        if period.kind == PeriodKind.WEEK:
            return [row for day in period.days() for row in self._partition(day_key(day), day)]
        return [row for number in range(1, 5)
                for row in self.period(Period(PeriodKind.QUARTER, period.year, number), now)]

    # -- snapshots of closed periods -------------------------------------------------

    def snapshot(self, period: Period) -> list[DailyCounters] | None:
        """The frozen rows of a closed period, or None when it has no snapshot."""
        items = list(self._query(KeyConditionExpression="pk = :pk",
                                 ExpressionAttributeValues={":pk": {
                                     "S": snapshot_key(period)}}))
        if not items:
            return None
        rows: list[DailyCounters] = []
        for item in items:
            units = json.loads(zlib.decompress(item["rows"]["B"]))
            rows += [DailyCounters(unit, period.first_day, KinerjaCounters.from_item(amounts))
                     for unit, amounts in units.items()]
        return rows

    def put_snapshot(self, period: Period, rows: Iterable[DailyCounters], now: datetime) -> int:
        """Freeze a closed period's counters per unit into a few compressed items.

        Replaces any earlier snapshot of the period (chunks are numbered; stale higher
        numbers are deleted), so a refresh after a late correction is safe.
        """
        totals = aggregate(rows, period)
        units = sorted(totals)
        chunks = [units[i:i + SNAPSHOT_UNITS] for i in range(0, len(units), SNAPSHOT_UNITS)]
        requests = [{"PutRequest": {"Item": {
            "pk": {"S": snapshot_key(period)}, "sk": {"S": f"{number:03d}"},
            "type": {"S": "kinerja_snapshot"}, "at": {"S": now.isoformat()},
            "rows": {"B": zlib.compress(json.dumps(
                {unit: totals[unit].to_item() for unit in chunk}).encode())}}}}
            for number, chunk in enumerate(chunks)]
        stale = [item["sk"]["S"] for item in self._query(
            KeyConditionExpression="pk = :pk", ProjectionExpression="sk",
            ExpressionAttributeValues={":pk": {"S": snapshot_key(period)}})
            if int(item["sk"]["S"]) >= len(chunks)]
        requests += [{"DeleteRequest": {"Key": {"pk": {"S": snapshot_key(period)},
                                                "sk": {"S": sk}}}} for sk in stale]
        for i in range(0, len(requests), 25):
            self._write_batch(requests[i:i + 25])
        return len(chunks)

    def events_on(self, day: date) -> list[tuple[str, int]]:
        """(ticket, seq) of every history event of one WIB day, from the day index."""
        items = self._query(IndexName=DAY_INDEX, KeyConditionExpression="#pk = :pk",
                            ExpressionAttributeNames={"#pk": f"{DAY_INDEX}pk", "#t": "ticket",
                                                      "#s": "seq"},
                            ExpressionAttributeValues={":pk": {"S": event_day_key(day)}},
                            ProjectionExpression="#t, #s")
        return [(item["ticket"]["S"], int(item["seq"]["N"])) for item in items]

    def _batch_get(self, pending: dict[str, Any]) -> dict[str, Any]:
        return call(self._client, "batch_get_item", RequestItems=pending)

    def applied(self, sources: Iterable[str]) -> set[str]:
        """Which of `sources` have their marker (were applied by the stream or a fix)."""
        keys = sorted(set(sources))
        found: set[str] = set()
        for i in range(0, len(keys), 100):
            pending: dict[str, Any] = {self._table: {
                "Keys": [{"pk": {"S": marker_key(s)}, "sk": {"S": "K"}} for s in keys[i:i + 100]],
                "ProjectionExpression": "pk"}}
            for answer in until_processed(self._batch_get, pending, "UnprocessedKeys"):
                self.requests += 1
                items = answer["Responses"].get(self._table, [])
                self.reads += len(items)
                found |= {item["pk"]["S"][len("K#X#"):] for item in items}
        return found
