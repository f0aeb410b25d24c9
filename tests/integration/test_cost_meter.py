"""The local stack's cost meter on moto: attribution, request units, and an unchanged app."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from infra.local.cost_meter import CostMeter

TABLE = "meter-test"


@pytest.fixture
def meter(tmp_path):
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "gsi",
                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}])
        counting = CostMeter(tmp_path / "meter.json")
        counting.install()
        try:
            yield counting, client
        finally:
            counting.uninstall()


def test_calls_inside_an_invocation_are_counted_and_sized(meter) -> None:
    counting, client = meter
    client.put_item(TableName=TABLE, Item={"pk": {"S": "outside"}})  # not an invocation

    def handler(event, context):
        client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "g": {"S": "x"},
                                               "doc": {"S": "d" * 1500}})
        answer = client.update_item(TableName=TABLE, Key={"pk": {"S": "a"}},
                                    UpdateExpression="SET n = :n",
                                    ExpressionAttributeValues={":n": {"N": "1"}})
        got = client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})
        return answer, got

    answer, got = counting.wrap("route_reports", handler)({}, None)
    assert "Attributes" not in answer  # the meter's ReturnValues never reaches the caller
    assert got["Item"]["n"] == {"N": "1"}

    stats = json.loads(counting.path.read_text())["functions"]["route_reports"]
    assert stats["invocations"] == 1 and stats["duration_ms"] > 0
    assert stats["calls"] == {"dynamodb.PutItem": 1, "dynamodb.UpdateItem": 1,
                              "dynamodb.GetItem": 1}
    # put and update of a ~1.5 KB item: 2 units each on the table, 2 each on the index
    assert stats["wru"] == 4 and stats["wru_index"] == 4
    assert stats["rru"] == 0.5
    assert "outside" not in json.dumps(stats)


def test_a_failed_condition_is_billed_and_the_error_still_raised(meter) -> None:
    counting, client = meter

    def handler(event, context):
        client.put_item(TableName=TABLE, Item={"pk": {"S": "b"}})
        client.put_item(TableName=TABLE, Item={"pk": {"S": "b"}},
                        ConditionExpression="attribute_not_exists(pk)")

    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        counting.wrap("api_handler", handler)({}, None)
    stats = json.loads(counting.path.read_text())["functions"]["api_handler"]
    assert stats["wru"] == 2 and stats["invocations"] == 1
