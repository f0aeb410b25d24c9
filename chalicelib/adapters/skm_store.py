"""SKM surveys in the single table: populations, draws, invitations, answers, results.

Items (pk / sk):

- population  S#POP#<quarter>  / <unit>#<person>  who a unit served (or panel), with contact
- survey      S#SURVEY         / <quarter>        seed, status, timeline, audit hashes
- unit        S#UNIT#<quarter> / <unit>           population size, sample, the unit's draw
                                                  (audit row) and the answer tally
                                                  `U<n>_<score>` + `responden` (ADD)
- invitation  S#INV#<quarter>  / <sha256(token)>  status, contact, reminders; while work
                                                  is due it sits in the (overloaded) due
                                                  index: gsi2 SKM#<quarter> / <due>#<hash>
- answer      S#ANS#<quarter>  / <unit>#<uuid>    the nine scores and comment, anonymous
- opt-out     S#OPTOUT         / <hmac(person)>   never drawn again
- results     S#HASIL          / <quarter>        frozen results at close (zlib JSON)

Personal data (populations, draws, invitations) expire by TTL: invitations 30 days
after the close, populations and draws after the audit period (domain skm.py).
Answers carry no person and no token: anonymity is a property of the schema.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb_calls import call, until_processed
from chalicelib.adapters.store import StoreUnavailable
from chalicelib.adapters.table import DUE_INDEX, TTL_ATTRIBUTE
from chalicelib.domain.ikm import HasilSkm, Jawaban, RekapSkm
from chalicelib.domain.sampling import UnitDraw
from chalicelib.domain.timefmt import utc_iso

SURVEY_PK = "S#SURVEY"
OPTOUT_PK = "S#OPTOUT"
RESULTS_PK = "S#HASIL"
_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


class InvitationUsed(Exception):
    """The invitation was answered (status `dijawab`) or declined (`berhenti`)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class SurveyNotOpen(Exception):
    """The survey is not accepting answers (closed, or not yet open)."""


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class PopulationRow:
    unit: str
    person: str
    phone: str | None
    email: str | None
    source: str  # pelapor | panel


@dataclass(frozen=True)
class SurveyRecord:
    period: str
    status: str  # diundi (drawn, invitations being written) | dibuka | ditutup
    seed: str
    algorithm: str
    opted_out_hash: str
    launched_at: datetime
    closes_at: datetime
    populasi: int  # distinct persons over all units
    diundang: int
    results_at: datetime | None = None


@dataclass(frozen=True)
class UnitRecord:
    unit: str
    populasi: int
    sampel_minimal: int
    draw: UnitDraw
    opted_out: list[str]  # persons of this population opted out at the draw (audit)
    rekap: RekapSkm

    @property
    def diundang(self) -> int:
        return len(self.draw.drawn)


@dataclass(frozen=True)
class Invitation:
    hash: str
    unit: str
    person: str
    phone: str | None
    email: str | None
    status: str  # menunggu | diundang | dijawab | berhenti
    invited_at: datetime | None
    reminders: int


class SkmStore:
    def __init__(self, table_name: str, region: str, host: str | None = None) -> None:
        self._table = table_name
        self._client = boto3.client("dynamodb", region_name=region, endpoint_url=host)
        self.reads = 0
        self.requests = 0

    # -- plumbing --------------------------------------------------------------------

    def _call(self, name: str, **kwargs: Any) -> dict[str, Any]:
        return call(self._client, name, **kwargs)

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        answer = self._call("get_item", TableName=self._table, ConsistentRead=True,
                            Key={"pk": {"S": pk}, "sk": {"S": sk}})
        self.requests += 1
        item = answer.get("Item")
        if item is None:
            return None
        self.reads += 1
        return _plain(item)

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        start = None
        while True:
            args = {"TableName": self._table, **kwargs}
            if start:
                args["ExclusiveStartKey"] = start
            page = self._call("query", **args)
            self.requests += 1
            self.reads += len(page["Items"])
            yield from (_plain(item) for item in page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _partition(self, pk: str) -> Iterator[dict[str, Any]]:
        return self._query(KeyConditionExpression="pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": pk}}, ConsistentRead=True)

    def _put_all(self, items: Iterable[dict[str, Any]]) -> int:
        """Unconditional puts, 25 a request (BatchWriteItem): idempotent overwrites only."""
        count = 0
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            for _ in until_processed(lambda pending: self._call(
                    "batch_write_item", RequestItems=pending), {self._table: batch},
                    "UnprocessedItems"):
                self.requests += 1

        for item in items:
            batch.append({"PutRequest": {"Item": _typed(item)}})
            count += 1
            if len(batch) == 25:
                flush()
                batch = []
        if batch:
            flush()
        return count

    def _update(self, pk: str, sk: str, expression: str, values: dict[str, Any],
                condition: str | None = None) -> bool:
        """One UpdateItem; False when its condition failed.

        `#status`, `#dpk` and `#dsk` name the status and due-index attributes (DynamoDB
        refuses unused names, so only those the expressions use are sent).
        """
        text = f"{expression} {condition or ''}"
        names = {alias: name for alias, name in (
            ("#status", "status"), ("#dpk", f"{DUE_INDEX}pk"), ("#dsk", f"{DUE_INDEX}sk"))
            if alias in text}
        args: dict[str, Any] = {
            "TableName": self._table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": expression,
        }
        if names:
            args["ExpressionAttributeNames"] = names
        if values:
            args["ExpressionAttributeValues"] = _typed(values)
        if condition:
            args["ConditionExpression"] = condition
        try:
            self._call("update_item", **args)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- population and opt-outs -----------------------------------------------------

    def add_population(self, period: str, rows: Iterable[PopulationRow],
                       expires_at: datetime) -> int:
        return self._put_all({
            "pk": f"S#POP#{period}", "sk": f"{row.unit}#{row.person}", "type": "skm_populasi",
            "unit": row.unit, "person": row.person, "phone": row.phone, "email": row.email,
            "source": row.source, TTL_ATTRIBUTE: _epoch(expires_at)} for row in rows)

    def population(self, period: str) -> list[PopulationRow]:
        return [PopulationRow(i["unit"], i["person"], i.get("phone"), i.get("email"),
                              i.get("source", "pelapor"))
                for i in self._partition(f"S#POP#{period}")]

    def opt_out(self, key: str, now: datetime) -> None:
        self._put_all([{"pk": OPTOUT_PK, "sk": key, "type": "skm_berhenti",
                        "at": utc_iso(now)}])

    def opted_out(self) -> set[str]:
        return {i["sk"] for i in self._partition(OPTOUT_PK)}

    # -- surveys ---------------------------------------------------------------------

    def survey(self, period: str) -> SurveyRecord | None:
        item = self._get(SURVEY_PK, period)
        return _survey(item) if item else None

    def surveys(self) -> list[SurveyRecord]:
        """Every survey ever launched (four a year: one small partition)."""
        return [_survey(i) for i in self._partition(SURVEY_PK)]

    def put_survey(self, record: SurveyRecord) -> None:
        self._put_all([{
            "pk": SURVEY_PK, "sk": record.period, "type": "skm_survei", "status": record.status,
            "seed": record.seed, "algorithm": record.algorithm,
            "opted_out_hash": record.opted_out_hash, "launched_at": utc_iso(record.launched_at),
            "closes_at": utc_iso(record.closes_at), "populasi": record.populasi,
            "diundang": record.diundang}])

    def set_status(self, period: str, status: str, expected: str) -> bool:
        return self._update(SURVEY_PK, period, "SET #status = :new", {":new": status,
                                                                      ":old": expected},
                            condition="#status = :old")

    def mark_results(self, period: str, now: datetime) -> None:
        self._update(SURVEY_PK, period, "SET results_at = :at", {":at": utc_iso(now)})

    # -- units -----------------------------------------------------------------------

    def put_units(self, period: str, rows: Sequence[UnitRecord], expires_at: datetime) -> int:
        """Write the draw's unit rows (before any answer: their tallies start at zero)."""
        return self._put_all({
            "pk": f"S#UNIT#{period}", "sk": row.unit, "type": "skm_unit", "unit": row.unit,
            "populasi": row.populasi, "sampel_minimal": row.sampel_minimal,
            "diundang": row.diundang, "draw": row.draw.model_dump_json(),
            "opted_out": json.dumps(sorted(row.opted_out)), TTL_ATTRIBUTE: _epoch(expires_at),
            **row.rekap.to_item()} for row in rows)

    def units(self, period: str) -> list[UnitRecord]:
        return [UnitRecord(
            unit=i["sk"], populasi=int(i["populasi"]), sampel_minimal=int(i["sampel_minimal"]),
            draw=UnitDraw.model_validate_json(i["draw"]), opted_out=json.loads(i["opted_out"]),
            rekap=RekapSkm.from_item(i)) for i in self._partition(f"S#UNIT#{period}")]

    # -- invitations -----------------------------------------------------------------

    def put_invitations(self, period: str, invitations: Iterable[Invitation], due: datetime,
                        expires_at: datetime) -> int:
        """Write invitations as `menunggu`, due at `due`. Only while the survey is `diundi`
        (nothing has been sent yet), so overwriting a half-written launch is safe."""
        return self._put_all({
            "pk": f"S#INV#{period}", "sk": inv.hash, "type": "skm_undangan", "unit": inv.unit,
            "person": inv.person, "phone": inv.phone, "email": inv.email,
            "status": "menunggu", "reminders": 0, f"{DUE_INDEX}pk": f"SKM#{period}",
            f"{DUE_INDEX}sk": f"{utc_iso(due)}#{inv.hash}", TTL_ATTRIBUTE: _epoch(expires_at)}
            for inv in invitations)

    def invitation(self, period: str, token_hash: str) -> Invitation | None:
        item = self._get(f"S#INV#{period}", token_hash)
        return _invitation(item) if item else None

    def due_invitations(self, period: str, until: datetime,
                        page_size: int = 100) -> Iterator[Invitation]:
        """Invitations with an invitation or reminder due by `until`, earliest first."""
        items = self._query(
            IndexName=DUE_INDEX, Limit=page_size,
            KeyConditionExpression="#pk = :pk AND #sk < :until",
            ExpressionAttributeNames={"#pk": f"{DUE_INDEX}pk", "#sk": f"{DUE_INDEX}sk"},
            ExpressionAttributeValues={":pk": {"S": f"SKM#{period}"},
                                       ":until": {"S": f"{utc_iso(until)}$"}})
        return (_invitation(item) for item in items)

    def mark_invited(self, period: str, token_hash: str, now: datetime,
                     next_due: datetime | None) -> bool:
        """`menunggu` -> `diundang`, next due at the first reminder (None: no reminder);
        False if it was not waiting."""
        values: dict[str, Any] = {":invited": "diundang", ":now": utc_iso(now),
                                  ":waiting": "menunggu"}
        if next_due is None:
            expression = "SET #status = :invited, invited_at = :now REMOVE #dpk, #dsk"
        else:
            expression = "SET #status = :invited, invited_at = :now, #dsk = :due"
            values[":due"] = f"{utc_iso(next_due)}#{token_hash}"
        return self._update(f"S#INV#{period}", token_hash, expression, values,
                            condition="#status = :waiting")

    def mark_reminded(self, period: str, token_hash: str, count: int,
                      next_due: datetime | None) -> bool:
        """Record reminder number `count` (1, 2); False if it was recorded already."""
        values: dict[str, Any] = {":count": count, ":before": count - 1,
                                  ":invited": "diundang"}
        if next_due is None:
            expression = "SET reminders = :count REMOVE #dpk, #dsk"
        else:
            expression = "SET reminders = :count, #dsk = :due"
            values[":due"] = f"{utc_iso(next_due)}#{token_hash}"
        return self._update(f"S#INV#{period}", token_hash, expression, values,
                            condition="#status = :invited AND reminders = :before")

    def drop_from_due(self, period: str, token_hash: str) -> None:
        """Nothing more to send for this invitation (its contact cannot be reached)."""
        self._update(f"S#INV#{period}", token_hash, "REMOVE #dpk, #dsk", {})

    def decline(self, period: str, token_hash: str, now: datetime) -> bool:
        """Mark the invitation `berhenti` (opted out); False if it was answered already."""
        return self._update(
            f"S#INV#{period}", token_hash,
            "SET #status = :stop, stopped_at = :now REMOVE #dpk, #dsk",
            {":stop": "berhenti", ":now": utc_iso(now), ":answered": "dijawab"},
            condition="attribute_exists(pk) AND #status <> :answered")

    # -- answers ---------------------------------------------------------------------

    def record_answer(self, period: str, token_hash: str, unit: str, jawaban: Jawaban,
                      comment: str | None, now: datetime) -> None:
        """Use the invitation, add the answer to the unit's tally, keep it anonymously.

        One transaction, so an answer is counted exactly when its invitation is used, and
        only while the survey is open (the close flips the status first, then freezes).
        Raises `InvitationUsed` or `SurveyNotOpen`.
        """
        scores = {f"{kode}_{value}": 1 for kode, value in jawaban.as_dict().items()}
        names = {f"#n{i}": name for i, name in enumerate([*scores, "responden"])}
        adds = ", ".join(f"#n{i} :one" for i in range(len(names)))
        table = self._table
        items = [
            {"Update": {
                "TableName": table,
                "Key": {"pk": {"S": f"S#INV#{period}"}, "sk": {"S": token_hash}},
                "UpdateExpression": "SET #status = :answered, answered_at = :now "
                                    "REMOVE #dpk, #dsk",
                "ConditionExpression": "#status = :invited",
                "ExpressionAttributeNames": {"#status": "status", "#dpk": f"{DUE_INDEX}pk",
                                             "#dsk": f"{DUE_INDEX}sk"},
                "ExpressionAttributeValues": _typed({":answered": "dijawab",
                                                     ":now": utc_iso(now),
                                                     ":invited": "diundang"})}},
            {"Update": {
                "TableName": table, "Key": {"pk": {"S": f"S#UNIT#{period}"}, "sk": {"S": unit}},
                "UpdateExpression": f"ADD {adds}", "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": _typed({
                "pk": f"S#ANS#{period}", "sk": f"{unit}#{uuid.uuid4().hex}",
                "type": "skm_jawaban", "jawaban": jawaban.as_dict(), "komentar": comment,
                # the day only: an exact time could be matched with the invitation's
                "tanggal": utc_iso(now)[:10]})}},
            {"ConditionCheck": {
                "TableName": table, "Key": {"pk": {"S": SURVEY_PK}, "sk": {"S": period}},
                "ConditionExpression": "#status = :open",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":open": {"S": "dibuka"}}}},
        ]
        try:
            self._call("transact_write_items", TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons[3:4] == ["ConditionalCheckFailed"]:
                raise SurveyNotOpen(period) from exc
            if reasons[:1] == ["ConditionalCheckFailed"]:
                current = self.invitation(period, token_hash)
                raise InvitationUsed(current.status if current else "unknown") from exc
            raise StoreUnavailable(str(exc)) from exc

    def answers(self, period: str) -> list[dict[str, Any]]:
        return [{"unit": i["sk"].split("#", 1)[0], "jawaban": i["jawaban"],
                 "komentar": i.get("komentar"), "tanggal": i.get("tanggal")}
                for i in self._partition(f"S#ANS#{period}")]

    # -- results ---------------------------------------------------------------------

    def put_results(self, period: str, results: Sequence[HasilSkm], now: datetime) -> None:
        blob = zlib.compress(json.dumps([r.model_dump() for r in results]).encode())
        self._put_all([{"pk": RESULTS_PK, "sk": period, "type": "skm_hasil",
                        "hasil": Binary(blob), "at": utc_iso(now)}])

    def results(self, periods: Sequence[str]) -> dict[str, list[HasilSkm]]:
        """The frozen results of the given quarters that have them (one BatchGetItem)."""
        found: dict[str, list[HasilSkm]] = {}
        keys = [{"pk": {"S": RESULTS_PK}, "sk": {"S": p}} for p in dict.fromkeys(periods)]
        for i in range(0, len(keys), 100):
            for answer in until_processed(
                    lambda pending: self._call("batch_get_item", RequestItems=pending),
                    {self._table: {"Keys": keys[i:i + 100]}}, "UnprocessedKeys"):
                self.requests += 1
                for item in answer["Responses"].get(self._table, []):
                    self.reads += 1
                    plain = _plain(item)
                    rows = json.loads(zlib.decompress(bytes(plain["hasil"].value)))
                    found[plain["sk"]] = [HasilSkm.model_validate(r) for r in rows]
        return found


def _survey(item: dict[str, Any]) -> SurveyRecord:
    return SurveyRecord(
        period=item["sk"], status=item["status"], seed=item["seed"],
        algorithm=item["algorithm"], opted_out_hash=item["opted_out_hash"],
        launched_at=_time(item["launched_at"]),  # type: ignore[arg-type]
        closes_at=_time(item["closes_at"]),  # type: ignore[arg-type]
        populasi=int(item["populasi"]), diundang=int(item["diundang"]),
        results_at=_time(item.get("results_at")))


def _invitation(item: dict[str, Any]) -> Invitation:
    return Invitation(
        hash=item["sk"], unit=item["unit"], person=item["person"], phone=item.get("phone"),
        email=item.get("email"), status=item["status"], invited_at=_time(item.get("invited_at")),
        reminders=int(item.get("reminders", 0)))
