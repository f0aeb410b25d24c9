"""The local stack's faster moto Query returns exactly what DynamoDB's rules say it should.

Random items in a table with a partition/sort key and a GSI; every Query (own key with
each sort-key condition, both directions, paginated with small limits, with a filter; the
GSI likewise) is checked against a plain-Python model of the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb import models as ddb_models
from moto.dynamodb.models.table import Table

from infra.local import moto_patches, moto_query


@pytest.fixture(scope="module", autouse=True)
def local_stack_patches() -> Iterator[None]:
    """The local stack's query and rollback patches, for this module only (others in this
    process keep plain moto)."""
    backend = ddb_models.DynamoDBBackend
    saved = (ddb_models.copy, backend.transact_write_items, backend.update_item, Table.put_item,
             Table.delete_item, Table.query, Table.all_items, moto_query._installed)
    moto_patches._install_transaction_rollback()
    moto_query._installed = False
    moto_query.install()
    try:
        yield
    finally:
        (ddb_models.copy, backend.transact_write_items, backend.update_item, Table.put_item,
         Table.delete_item, Table.query, Table.all_items, moto_query._installed) = saved

ITEM = st.fixed_dictionaries({
    "pk": st.sampled_from(["R#A", "R#B", "R#C"]),
    "sk": st.sampled_from(["EV#1", "EV#2", "EV#3", "META", "EV#10", "X"]),
    "g": st.one_of(st.none(), st.sampled_from(["W#1", "W#2"])),
    "due": st.integers(0, 5),
    "n": st.integers(0, 3),
})
QUERY = st.fixed_dictionaries({
    "on_index": st.booleans(),
    "partition": st.sampled_from(["R#A", "R#B", "R#Z", "W#1", "W#2"]),
    "condition": st.sampled_from(["none", "eq", "begins", "between", "gt", "ge", "lt",
                                  "le"]),
    "forward": st.booleans(),
    "limit": st.integers(1, 4),
    "filter": st.booleans(),
})


def _table():
    dynamodb = boto3.resource("dynamodb", region_name="ap-southeast-3")
    return dynamodb.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("pk", "S"), ("sk", "S"), ("g", "S"), ("due", "N"))],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "due", "KeyType": "RANGE"}]}])


def _model(items: dict, q: dict) -> list[tuple[str, str]]:
    key, sort = ("g", "due") if q["on_index"] else ("pk", "sk")
    values = {"eq": ("EV#2", 2), "begins": ("EV#1", None), "between": (("EV#1", "EV#3"), (1, 3)),
              "gt": ("EV#2", 2), "ge": ("EV#2", 2), "lt": ("EV#2", 2), "le": ("EV#2", 2)}
    chosen = [i for i in items.values() if i.get(key) == q["partition"]]
    condition = q["condition"]
    if condition != "none":
        value = values[condition][1 if q["on_index"] else 0]
        if condition == "begins" and q["on_index"]:
            condition = "none"  # begins_with is for strings; the index sort key is a number
        elif condition == "eq":
            chosen = [i for i in chosen if i[sort] == value]
        elif condition == "begins":
            chosen = [i for i in chosen if i[sort].startswith(value)]
        elif condition == "between":
            chosen = [i for i in chosen if value[0] <= i[sort] <= value[1]]
        else:
            compare = {"gt": lambda v: v > value, "ge": lambda v: v >= value,
                       "lt": lambda v: v < value, "le": lambda v: v <= value}[condition]
            chosen = [i for i in chosen if compare(i[sort])]
    chosen.sort(key=lambda i: (i[sort], i["pk"], i["sk"]), reverse=not q["forward"])
    if q["filter"]:
        chosen = [i for i in chosen if i.get("n", -1) >= 2]
    return [(i["pk"], i["sk"]) for i in chosen]


def _query(table, q: dict) -> list[tuple[str, str]]:
    key, sort = ("g", "due") if q["on_index"] else ("pk", "sk")
    condition = Key(key).eq(q["partition"])
    values = {"eq": ("EV#2", 2), "between": (("EV#1", "EV#3"), (1, 3)), "gt": ("EV#2", 2),
              "ge": ("EV#2", 2), "lt": ("EV#2", 2), "le": ("EV#2", 2)}
    kind = q["condition"]
    if kind == "begins" and not q["on_index"]:
        condition &= Key(sort).begins_with("EV#1")
    elif kind in values:
        value = values[kind][1 if q["on_index"] else 0]
        condition &= {"eq": lambda: Key(sort).eq(value), "gt": lambda: Key(sort).gt(value),
                      "ge": lambda: Key(sort).gte(value), "lt": lambda: Key(sort).lt(value),
                      "le": lambda: Key(sort).lte(value),
                      "between": lambda: Key(sort).between(*value)}[kind]()
    kwargs = {"KeyConditionExpression": condition, "ScanIndexForward": q["forward"],
              "Limit": q["limit"]}
    if q["on_index"]:
        kwargs["IndexName"] = "gsi"
    if q["filter"]:
        kwargs["FilterExpression"] = Attr("n").gte(2)
    found = []
    while True:
        page = table.query(**kwargs)
        found += [(i["pk"], i["sk"]) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


KEY = st.tuples(st.sampled_from(["R#A", "R#B", "R#C"]),
                st.sampled_from(["EV#1", "EV#2", "EV#3", "META"]))
STEP = st.one_of(
    st.tuples(st.just("put"), ITEM),
    st.tuples(st.just("update"), KEY, st.one_of(st.none(), st.sampled_from(["W#1", "W#2"]))),
    st.tuples(st.just("delete"), KEY),
    st.tuples(st.just("failed_transaction"), ITEM, KEY),
    st.tuples(st.just("query"), QUERY),
)


def _record(item: dict) -> dict:
    return {k: v for k, v in item.items() if v is not None}


def _apply(table, stored: dict, step: tuple) -> None:
    kind = step[0]
    if kind == "put":
        record = _record(step[1])
        table.put_item(Item=record)
        stored[(record["pk"], record["sk"])] = record
    elif kind == "update":
        (pk, sk), g = step[1], step[2]
        if g is None:
            table.update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="REMOVE g")
        else:
            table.update_item(Key={"pk": pk, "sk": sk}, UpdateExpression="SET g = :g, due = :d",
                              ExpressionAttributeValues={":g": g, ":d": 4})
        record = stored.setdefault((pk, sk), {"pk": pk, "sk": sk})
        record.pop("g", None)
        if g is not None:
            record.update(g=g, due=4)
    elif kind == "delete":
        table.delete_item(Key={"pk": step[1][0], "sk": step[1][1]})
        stored.pop(step[1], None)
    elif kind == "failed_transaction":  # a put, then a condition that cannot hold: rolled back
        record, (pk, sk) = _record(step[1]), step[2]
        client = table.meta.client
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "t", "Item": record}},
                {"Update": {"TableName": "t", "Key": {"pk": "R#TX", "sk": f"{pk}{sk}"},
                            "UpdateExpression": "SET g = :g",
                            "ExpressionAttributeValues": {":g": "W#1"},
                            "ConditionExpression": "attribute_exists(nothing)"}}])
    else:
        assert _query(table, step[1]) == _model(stored, step[1]), step[1]


def _check_every_partition(table, stored: dict) -> None:
    # moto re-checks the key condition, so a stale map entry would only cost time; still,
    # a map must hold exactly the items that are in each partition now.
    backend_table = ddb_models.dynamodb_backends["123456789012"]["ap-southeast-3"].tables["t"]
    for index_map in moto_query._maps(backend_table).values():
        for key, partition in index_map.partitions.items():
            for primary, (entry, item) in partition.members.items():
                assert index_map.key_of(item) == key, (key, primary)
                assert moto_query._stored(backend_table, *primary) is item, primary
                assert entry is None or partition.by_entry[entry] is item
            entries = {entry for entry, _ in partition.members.values() if entry is not None}
            assert set(partition.order) == entries == set(partition.by_entry)
    for on_index in (True, False):
        for partition in ("R#A", "R#B", "W#1", "W#2"):
            q = {"on_index": on_index, "partition": partition, "condition": "none",
                 "forward": True, "limit": 3, "filter": False}
            assert _query(table, q) == _model(stored, q), q


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.lists(STEP, max_size=10), steps=st.lists(STEP, min_size=1, max_size=30))
def test_queries_match_dynamodb_rules_between_any_writes(before, steps):
    """Writes before the first index Query (the map is built from the table) and after it
    (the map is kept up to date), checked after every step."""
    with mock_aws():
        table = _table()
        stored: dict = {}
        for step in before:
            _apply(table, stored, step)
        _check_every_partition(table, stored)
        for step in steps:
            _apply(table, stored, step)
            _check_every_partition(table, stored)


def test_a_scan_keeps_its_order_and_a_query_on_one_partition_sees_only_it():
    with mock_aws():
        table = _table()
        for n in range(30):
            table.put_item(Item={"pk": f"R#{n % 3}", "sk": f"EV#{n:02d}", "g": "W#1", "due": n})
        scanned = [(i["pk"], i["sk"]) for i in table.scan()["Items"]]
        assert scanned == sorted(scanned)
        one = table.query(KeyConditionExpression=Key("pk").eq("R#1"))["Items"]
        assert [i["sk"] for i in one] == [f"EV#{n:02d}" for n in range(1, 30, 3)]
        assert table.query(KeyConditionExpression=Key("pk").eq("R#9"))["Items"] == []


def test_an_index_partition_follows_an_item_through_put_update_delete_and_rollback():
    """The index map is built by the first Query, then every kind of write moves the item."""
    with mock_aws():
        table = _table()
        stored: dict = {}
        steps = [
            ("put", {"pk": "R#A", "sk": "META", "g": "W#1", "due": 1, "n": 0}),
            ("query", {"on_index": True, "partition": "W#1", "condition": "none",
                       "forward": True, "limit": 4, "filter": False}),  # builds the map
            ("put", {"pk": "R#A", "sk": "META", "g": "W#2", "due": 2, "n": 0}),
            ("put", {"pk": "R#A", "sk": "META", "g": "W#1", "due": 3, "n": 0}),
            ("update", ("R#A", "META"), "W#2"),
            ("update", ("R#A", "META"), None),
            ("update", ("R#A", "META"), "W#1"),
            ("failed_transaction", {"pk": "R#B", "sk": "META", "g": "W#1", "due": 0, "n": 0},
             ("R#A", "META")),
            ("delete", ("R#A", "META")),
        ]
        for step in steps:
            _apply(table, stored, step)
            _check_every_partition(table, stored)
