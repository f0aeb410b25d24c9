"""The created index (gsi8) in moto: every report by filing time, open or closed, paged
newest first across month partitions with filters, without ever scanning the table; and
the backfill that indexes reports written before the index existed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import boto3
import botocore.client
import pytest

from chalicelib.adapters.table import (
    CREATED_INDEX,
    backfill_created_index,
    create_table,
    table_definition,
)
from chalicelib.config import settings
from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.report import Report, open_report
from chalicelib.domain.status import OPEN_STATUSES, Status

WINDOW_START = datetime(2026, 10, 20, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 20, 12, tzinfo=UTC)
CATEGORIES = ("jalan-rusak", "sampah", "lampu-jalan")
STATUSES = (Status.MENUNGGU, Status.PROSES, Status.SELESAI, Status.DUPLIKAT)


def report(ticket: str, created: datetime, category: str, status: Status) -> Report:
    made, _ = open_report(ticket=ticket, channel="balai-warga", description="Uji indeks",
                          now=created, policy=SlaPolicy(), category=category,
                          kelurahan_code="31.71.01.1001")
    return made.model_copy(update={"status": status})


@pytest.fixture
def filed(deps) -> list[Report]:
    """60 reports inside the window (across the October/November partitions, some in the
    same second) and 80 outside it: earlier months, and after its end."""
    rnd = random.Random(7)
    reports = []
    for n in range(140):
        if n < 60:
            created = WINDOW_START + timedelta(seconds=rnd.randrange(
                int((WINDOW_END - WINDOW_START).total_seconds()) + 1))
        elif n < 120:
            created = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(hours=n)
        else:
            created = WINDOW_END + timedelta(minutes=n)
        if n in (5, 6):
            created = WINDOW_END  # on the window's last second, two tickets
        reports.append(report(f"T{n:03d}-XXXX", created, CATEGORIES[n % 3],
                              STATUSES[rnd.randrange(len(STATUSES))]))
    deps.store.import_reports(reports)
    return reports


@contextmanager
def dynamodb_operations() -> Iterator[list[str]]:
    """The name of every DynamoDB API call made meanwhile (PynamoDB and boto3 alike)."""
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def record(client, operation_name, params):
        if client.meta.service_model.service_name == "dynamodb":
            seen.append(operation_name)
        return original(client, operation_name, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", record):
        yield seen


def expected(reports: list[Report], category: str | None = None,
             statuses: tuple[str, ...] = ()) -> list[str]:
    wanted = [r for r in reports if WINDOW_START <= r.created_at <= WINDOW_END
              and (category is None or r.category == category)
              and (not statuses or str(r.status) in statuses)]
    return [r.ticket for r in sorted(wanted, key=lambda r: (r.created_at, r.ticket),
                                     reverse=True)]


def all_pages(store, take: int, **filters) -> tuple[list[str], int]:
    tickets, pages, skip = [], 0, 0
    while True:
        page = store.created_between(WINDOW_START, WINDOW_END, skip=skip, take=take,
                                     **filters)
        pages += 1
        tickets += [r.ticket for r in page.reports]
        assert len(page.reports) == take or not page.more
        if not page.more:
            return tickets, pages
        skip += take


@pytest.mark.parametrize("filters", [
    {}, {"category": "sampah"},
    {"statuses": tuple(sorted(str(s) for s in OPEN_STATUSES))},
    {"category": "jalan-rusak", "statuses": ("Selesai", "Duplikat")}])
def test_pages_are_newest_first_across_months_and_never_scan(deps, filed, filters):
    want = expected(filed, **filters)
    assert len(want) >= 5  # the filter leaves enough to page through
    with dynamodb_operations() as operations:
        got, pages = all_pages(deps.store, 4, **filters)
    assert got == want
    assert pages == -(-len(want) // 4) or (pages == 1 and not want)
    assert "Scan" not in operations and set(operations) <= {"Query", "BatchGetItem"}


def test_reading_follows_the_page_not_the_table(deps, filed):
    deps.store.reads = 0
    first = deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=5)
    assert [r.ticket for r in first.reports] == expected(filed)[:5] and first.more
    # Unfiltered, the page and one more (to know whether more follow) were read: not
    # the rest of the window, nor the 80 reports outside it.
    assert deps.store.reads == 6
    deps.store.reads = 0
    deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=5, category="sampah")
    assert deps.store.reads <= len(expected(filed))  # filtered: read ahead, in the window


def test_closed_reports_stay_listed_and_a_page_past_the_end_is_empty(deps, filed):
    closed = deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=100,
                                        statuses=("Selesai",))
    assert [r.ticket for r in closed.reports] == expected(filed, statuses=("Selesai",))
    assert not closed.more and closed.reports
    beyond = deps.store.created_between(WINDOW_START, WINDOW_END, skip=1000, take=10)
    assert beyond.reports == [] and not beyond.more


def test_the_full_report_comes_back_not_just_the_projection(deps, filed):
    page = deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=1)
    newest = next(r for r in filed if r.ticket == page.reports[0].ticket)
    assert page.reports[0] == newest


def test_an_older_table_gains_the_index_and_its_reports_are_backfilled(aws, clock):
    client = boto3.client("dynamodb")
    name = "crm-older"
    old = table_definition(name)
    old["GlobalSecondaryIndexes"] = [i for i in old["GlobalSecondaryIndexes"]
                                     if i["IndexName"] != CREATED_INDEX]
    old["AttributeDefinitions"] = [d for d in old["AttributeDefinitions"]
                                   if not d["AttributeName"].startswith(CREATED_INDEX)]
    client.create_table(**old)
    item = {"pk": {"S": "R#OLD1-XXXX"}, "sk": {"S": "A"}, "type": {"S": "report"},
            "created_at": {"S": "2026-11-02T01:02:03Z"}, "doc": {"S": "{}"},
            "version": {"N": "4"}}
    client.put_item(TableName=name, Item=item)
    client.put_item(TableName=name, Item={"pk": {"S": "R#OLD1-XXXX"}, "sk": {"S": "E#000001"},
                                          "type": {"S": "event"}, "doc": {"S": "{}"}})

    assert create_table(client, name) == [CREATED_INDEX]
    assert create_table(client, name) == []  # nothing more to add
    indexes = client.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]
    assert CREATED_INDEX in {i["IndexName"] for i in indexes}

    assert backfill_created_index(client, name) == 1  # the report, not its event
    assert backfill_created_index(client, name) == 0  # idempotent
    after = client.get_item(TableName=name, Key={"pk": item["pk"], "sk": item["sk"]})["Item"]
    assert after[f"{CREATED_INDEX}pk"] == {"S": "C#2026-11"}
    assert after[f"{CREATED_INDEX}sk"] == {"S": "2026-11-02T01:02:03Z#OLD1-XXXX"}
    assert after["version"] == {"N": "4"} and after["doc"] == {"S": "{}"}
    found = client.query(TableName=name, IndexName=CREATED_INDEX,
                         KeyConditionExpression="gsi8pk = :m",
                         ExpressionAttributeValues={":m": {"S": "C#2026-11"}})["Items"]
    assert [i["pk"]["S"] for i in found] == ["R#OLD1-XXXX"]


def test_the_app_table_is_created_with_the_index(aws):
    described = boto3.client("dynamodb").describe_table(TableName=settings().table_name)
    index = next(i for i in described["Table"]["GlobalSecondaryIndexes"]
                 if i["IndexName"] == CREATED_INDEX)
    assert index["Projection"] == {"ProjectionType": "INCLUDE",
                                   "NonKeyAttributes": ["status", "category"]}


def test_crm_reindex_indexes_the_app_table(deps, filed, capsys):
    from chalicelib.cli import main as crm

    client, name = boto3.client("dynamodb"), settings().table_name
    stripped = filed[:3]
    for r in stripped:  # as written by a version before the index
        client.update_item(TableName=name, Key={"pk": {"S": f"R#{r.ticket}"}, "sk": {"S": "A"}},
                           UpdateExpression="REMOVE gsi8pk, gsi8sk")
    everything = deps.store.created_between(datetime(2026, 1, 1, tzinfo=UTC),
                                            datetime(2026, 12, 31, tzinfo=UTC), skip=0,
                                            take=500)
    assert not {r.ticket for r in stripped} & {r.ticket for r in everything.reports}
    assert crm(["reindex"]) == 0
    assert capsys.readouterr().out.strip() == "indexed 3 reports"
    again = deps.store.created_between(datetime(2026, 1, 1, tzinfo=UTC),
                                       datetime(2026, 12, 31, tzinfo=UTC), skip=0, take=500)
    assert {r.ticket for r in again.reports} == {r.ticket for r in filed}


def test_keys_dynamodb_leaves_unprocessed_are_fetched_again(deps, filed):
    client = deps.store._connection.client
    real = client.batch_get_item
    calls = []

    def throttled_once(RequestItems):
        calls.append(RequestItems)
        if len(calls) == 1:
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return real(RequestItems=RequestItems)

    with mock.patch.object(client, "batch_get_item", side_effect=throttled_once):
        page = deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=5)
    assert [r.ticket for r in page.reports] == expected(filed)[:5]
    assert len(calls) == 2 and calls[0] == calls[1]


def test_a_sparse_filter_stops_before_reading_the_whole_window(deps, filed):
    from chalicelib.adapters.store import WindowTooBroad

    with pytest.raises(WindowTooBroad):
        deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=50,
                                   category="sampah", max_scanned=10)
    # within the allowance the same request answers
    page = deps.store.created_between(WINDOW_START, WINDOW_END, skip=0, take=50,
                                      category="sampah")
    assert [r.ticket for r in page.reports] == expected(filed, category="sampah")
