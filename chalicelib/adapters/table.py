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

WORK_INDEX = "gsi1"
DUE_INDEX = "gsi2"
ALL_INDEX = "gsi3"
AREA_INDEX_BY_DEPTH = {1: "gsi4", 2: "gsi5", 3: "gsi6"}
GEO_INDEX = "gsi7"
DAY_INDEX = ALL_INDEX  # overloaded: EV#<WIB day> partitions hold history events
INDEXES = (WORK_INDEX, DUE_INDEX, ALL_INDEX, *AREA_INDEX_BY_DEPTH.values(), GEO_INDEX)
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
            "Projection": {"ProjectionType": "ALL"},
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


def create_table(client: Any, table_name: str) -> None:
    """Create the table if it does not exist (local stack and tests)."""
    try:
        client.describe_table(TableName=table_name)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_table(**table_definition(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name)
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
