"""The single DynamoDB table: its key schema and indexes, shared by the store, tests and infra.

Items (pk / sk):
- report        R#<ticket> / A                the current state (doc = JSON of the domain Report)
- history event R#<ticket> / E#<seq:06d>      append-only, never rewritten
- dedupe key    D#<channel>#<message id> / D  the channel's own message id -> ticket

Indexes (sparse: an item is in an index only while it has the key attributes):
- gsi1 "queue": gsi1pk = Q#<unit>, gsi1sk = <next due, UTC ISO>#<ticket>; a unit's open queue
  sorted by deadline. Removed when the report closes.
- gsi2 "due":   gsi2pk = DUE#<shard>, gsi2sk = <next check, UTC ISO>#<ticket>; the SLA sweep
  reads only what is due, shard by shard, never scanning the table.
"""

from __future__ import annotations

from typing import Any

QUEUE_INDEX = "gsi1"
DUE_INDEX = "gsi2"


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

    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")
        ],
        "GlobalSecondaryIndexes": [gsi(QUEUE_INDEX), gsi(DUE_INDEX)],
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
