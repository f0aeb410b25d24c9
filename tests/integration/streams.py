"""Build the event Lambda delivers for the table's stream, from moto's stream (tests only)."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.config import settings


def drain_stream_event(after: str | None = None) -> dict[str, Any]:
    """Every record of the table's stream after sequence number `after`, as a Lambda event."""
    dynamodb = boto3.client("dynamodb")
    streams = boto3.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=settings().table_name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"],
        ShardIteratorType="AFTER_SEQUENCE_NUMBER" if after else "TRIM_HORIZON",
        **({"SequenceNumber": after} if after else {}),
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    for record in records:
        record["eventSourceARN"] = arn
        record["awsRegion"] = settings().region
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    return {"Records": records}
