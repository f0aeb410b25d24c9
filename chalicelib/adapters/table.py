"""The single DynamoDB table: its key schema and indexes, shared by the store, tests and infra.

Items (pk / sk):
- report        R#<ticket> / A                the current state (doc = JSON of the domain Report)
- history event R#<ticket> / E#<seq:06d>      append-only, never rewritten
- dedupe key    D#<channel>#<message id> / D  the channel's own message id -> ticket
- login guard   L#<username> / L              failed sign-ins, expires by TTL (`expires_at`)

Indexes are sparse (an item is in one only while it has that key) and every sort key
is `<deadline, UTC ISO or 9999>#<ticket>`, so each query returns a queue sorted by
deadline and "overdue" is a key condition, not a filter:
- gsi1 "work":  W#<unit> or W#validasi: who must act next.
- gsi2 "due":   DUE#<shard> / next check time: the SLA sweep reads only what is due.
- gsi3 "all":   ALL#<shard>: every open report (admins).
- gsi4..gsi6 "area": the responsible unit's ancestor at depth 1 (kota or OPD), depth 2
  (kecamatan or suku dinas), depth 3 (kelurahan): one query gives an officer their area.
- gsi7 "geo":   G#<category>#<geohash-7 cell> / <created, UTC ISO>#<ticket>: open reports
  with a point; duplicate search reads nine cells, never the table.
- gsi8 "created": C#<UTC month> / <created, UTC ISO>#<ticket>: every report, open or
  closed, for as long as it exists (Open311 `GET requests`, newest first). It projects
  only `status` and `category`, the filters a reader applies, so counting past earlier
  pages reads ~100 bytes a report; the page's reports are then fetched by key. A month
  partition takes Jakarta's ~15,000 reports a month (a flood day's writes are far below
  one partition's 1,000 writes/s), and a 90-day window is at most four Queries.

Followers (supporters and reporters of merged duplicates) sit in the report's own
partition: R#<ticket> / F#<contact key>.

gsi3 is overloaded (no extra index): history events also carry gsi3 keys
EV#<WIB day> / <at, UTC ISO>#<ticket>#<seq>, written in the same transaction as the
event, so the nightly kinerja reconciliation reads one day's events without a scan.
Report queries use only ALL#<shard> partitions and never see them. Kinerja counters
(K#...) and SKM items (S#...) are described in kinerja_store.py and skm_store.py.
"""

from __future__ import annotations

from typing import Any

import boto3

WORK_INDEX = "gsi1"
DUE_INDEX = "gsi2"
ALL_INDEX = "gsi3"
AREA_INDEX_BY_DEPTH = {1: "gsi4", 2: "gsi5", 3: "gsi6"}
GEO_INDEX = "gsi7"
CREATED_INDEX = "gsi8"
DAY_INDEX = ALL_INDEX  # overloaded: EV#<WIB day> partitions hold history events
INDEXES = (WORK_INDEX, DUE_INDEX, ALL_INDEX, *AREA_INDEX_BY_DEPTH.values(), GEO_INDEX,
           CREATED_INDEX)
# What an index holds besides the keys; every index not named here projects ALL.
INCLUDED_ATTRIBUTES = {CREATED_INDEX: ("status", "category")}
TTL_ATTRIBUTE = "expires_at"


def table_definition(table_name: str) -> dict[str, Any]:
    """Arguments for DynamoDB CreateTable (also mirrored by the CloudFormation template)."""
    def gsi(name: str) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": f"{name}pk", "KeyType": "HASH"},
                {"AttributeName": f"{name}sk", "KeyType": "RANGE"},
            ],
            "Projection": projection(name),
        }

    key_names = ["pk", "sk"] + [f"{i}{part}" for i in INDEXES for part in ("pk", "sk")]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in key_names],
        "GlobalSecondaryIndexes": [gsi(name) for name in INDEXES],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def created_index_keys(created_at: str, ticket: str) -> tuple[str, str]:
    """The created index keys of a report filed at `created_at` (UTC ISO, `...Z`)."""
    return f"C#{created_at[:7]}", f"{created_at}#{ticket}"


def backfill_created_index(client: Any, table_name: str) -> int:
    """Give every report written before the created index existed its index keys.

    Run once after the index is added (`crm reindex`; the local stack does it when it
    adds the index). A full-table Scan, for that one occasion. Only the two key
    attributes are set: the document and its version stay as they were, so a concurrent
    update is not disturbed and stream processors see a change with nothing new in it.
    """
    done = 0
    pages = client.get_paginator("scan").paginate(
        TableName=table_name, ProjectionExpression="pk, sk, created_at",
        FilterExpression="#type = :report AND attribute_not_exists(#created_pk)",
        ExpressionAttributeNames={"#type": "type", "#created_pk": f"{CREATED_INDEX}pk"},
        ExpressionAttributeValues={":report": {"S": "report"}})
    for page in pages:
        for item in page.get("Items", []):
            ticket = item["pk"]["S"].removeprefix("R#")
            index_pk, index_sk = created_index_keys(item["created_at"]["S"], ticket)
            try:
                client.update_item(
                    TableName=table_name, Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET #created_pk = :pk, #created_sk = :sk",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames={"#created_pk": f"{CREATED_INDEX}pk",
                                              "#created_sk": f"{CREATED_INDEX}sk"},
                    ExpressionAttributeValues={":pk": {"S": index_pk}, ":sk": {"S": index_sk}})
            except client.exceptions.ConditionalCheckFailedException:
                continue  # deleted meanwhile: nothing to index
            done += 1
    return done


def reindex(table_name: str, region: str, endpoint_url: str | None = None) -> int:
    """`backfill_created_index` with a client of its own (the operator command)."""
    client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url)
    return backfill_created_index(client, table_name)


def projection(index_name: str) -> dict[str, Any]:
    included = INCLUDED_ATTRIBUTES.get(index_name)
    if included is None:
        return {"ProjectionType": "ALL"}
    return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(included)}


def create_table(client: Any, table_name: str) -> list[str]:
    """Create the table if it does not exist, or add the indexes it lacks (local stack
    and tests; a local table made by an older version gains a new index on the next
    start). Returns the indexes added to an existing table: their keys must then be
    backfilled (`ReportStore.backfill_created_index`)."""
    try:
        table = client.describe_table(TableName=table_name)["Table"]
    except client.exceptions.ResourceNotFoundException:
        table = None
    if table is not None:
        return _add_missing_indexes(client, table)
    client.create_table(**table_definition(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    return []


def _add_missing_indexes(client: Any, table: dict[str, Any]) -> list[str]:
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    wanted = table_definition(table["TableName"])
    added = []
    for index in wanted["GlobalSecondaryIndexes"]:
        if index["IndexName"] in present:
            continue
        # DynamoDB takes one new index per UpdateTable call.
        client.update_table(
            TableName=table["TableName"],
            AttributeDefinitions=[d for d in wanted["AttributeDefinitions"]
                                  if d["AttributeName"].startswith(index["IndexName"])],
            GlobalSecondaryIndexUpdates=[{"Create": index}])
        added.append(index["IndexName"])
    return added
