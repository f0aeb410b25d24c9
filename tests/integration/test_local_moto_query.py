"""The local stack's faster moto Query returns exactly what DynamoDB's rules say it should.

Random items in a table with a partition/sort key and a GSI; every Query (own key with
each sort-key condition, both directions, paginated with small limits, with a filter; the
GSI likewise) is checked against a plain-Python model of the same rules.
"""

from __future__ import annotations

import boto3
from boto3.dynamodb.conditions import Attr, Key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from infra.local import moto_query

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
    "condition": st.sampled_from(["none", "eq", "begins", "between", "gt"]),
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
              "gt": ("EV#2", 2)}
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
            chosen = [i for i in chosen if i[sort] > value]
    chosen.sort(key=lambda i: (i[sort], i["pk"], i["sk"]), reverse=not q["forward"])
    if q["filter"]:
        chosen = [i for i in chosen if i["n"] >= 2]
    return [(i["pk"], i["sk"]) for i in chosen]


def _query(table, q: dict) -> list[tuple[str, str]]:
    key, sort = ("g", "due") if q["on_index"] else ("pk", "sk")
    condition = Key(key).eq(q["partition"])
    values = {"eq": ("EV#2", 2), "between": (("EV#1", "EV#3"), (1, 3)), "gt": ("EV#2", 2)}
    kind = q["condition"]
    if kind == "begins" and not q["on_index"]:
        condition &= Key(sort).begins_with("EV#1")
    elif kind in values:
        value = values[kind][1 if q["on_index"] else 0]
        condition &= {"eq": lambda: Key(sort).eq(value), "gt": lambda: Key(sort).gt(value),
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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(ITEM, max_size=25), queries=st.lists(QUERY, min_size=1, max_size=6))
def test_queries_match_dynamodb_rules(items, queries):
    moto_query.install()
    with mock_aws():
        table = _table()
        stored: dict = {}
        for item in items:
            record = {k: v for k, v in item.items() if v is not None}
            table.put_item(Item=record)
            stored[(record["pk"], record["sk"])] = record
        for q in queries:
            assert _query(table, q) == _model(stored, q), q


def test_a_scan_keeps_its_order_and_a_query_on_one_partition_sees_only_it():
    moto_query.install()
    with mock_aws():
        table = _table()
        for n in range(30):
            table.put_item(Item={"pk": f"R#{n % 3}", "sk": f"EV#{n:02d}", "g": "W#1", "due": n})
        scanned = [(i["pk"], i["sk"]) for i in table.scan()["Items"]]
        assert scanned == sorted(scanned)
        one = table.query(KeyConditionExpression=Key("pk").eq("R#1"))["Items"]
        assert [i["sk"] for i in one] == [f"EV#{n:02d}" for n in range(1, 30, 3)]
        assert table.query(KeyConditionExpression=Key("pk").eq("R#9"))["Items"] == []
