"""`crm redrive`: stream batches in the dead-letter queue are handled again, once."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib import cli
from chalicelib.adapters.stream_replay import stream_replay
from chalicelib.config import settings
from chalicelib.services.redrive import redrive
from tests.integration import sent
from tests.integration.streams import drain_stream_event
from tests.integration.test_notifications import file, pump

UNIT = "unit-31-71-01-1001"


@pytest.fixture
def client(subscribed, app_client):
    return app_client


@pytest.fixture
def queue_url(deps) -> str:
    return boto3.client("sqs").create_queue(QueueName="crm-test-dlq")["QueueUrl"]


def dead_letter(queue_url: str, event: dict, *, with_records: bool = False) -> None:
    """What Lambda sends its on-failure destination when a stream batch runs out of retries."""
    records = event["Records"]
    arn = records[0]["eventSourceARN"]
    shard = boto3.client("dynamodbstreams").describe_stream(StreamArn=arn)[
        "StreamDescription"]["Shards"][0]["ShardId"]
    body = {"requestContext": {"condition": "RetryAttemptsExhausted",
                               "functionArn": "arn:aws:lambda:::function:route_reports"},
            "DDBStreamBatchInfo": {"shardId": shard, "streamArn": arn,
                                   "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                                   "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                                   "batchSize": len(records)}}
    if with_records:
        body["records"] = records
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))


def sns_down(deps, monkeypatch) -> dict:
    real = deps.notifier.alert_unit
    state = {"down": True}

    def alert_unit(*args, **kwargs):
        if state["down"]:
            raise RuntimeError("SNS unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(deps.notifier, "alert_unit", alert_unit)
    return state


def queued(queue_url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages",
                                            "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(v) for v in attributes["Attributes"].values())


def test_an_alert_lost_to_a_long_sns_outage_is_sent_once_by_the_redrive(
        client, deps, queue_url, monkeypatch, capsys):
    file(client)
    last, _ = pump(client)  # routed; the unit's alert is in the next records
    event = drain_stream_event(last)
    outage = sns_down(deps, monkeypatch)
    for _ in range(4):  # the first attempt and Lambda's retries
        assert client.lambda_.invoke("route_reports", event).payload["batchItemFailures"]
    dead_letter(queue_url, event)
    assert sent.unit_alerts(UNIT) == []

    outage["down"] = False
    assert cli.main(["redrive", "--queue-url", queue_url]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["batches"] == result["redriven"] == 1
    assert result["records"] == len(event["Records"])
    assert len(sent.unit_alerts(UNIT)) == 1
    assert queued(queue_url) == 0
    # a second run finds nothing, and a redelivery of the batch sends nothing more
    assert cli.main(["redrive", "--queue-url", queue_url]) == 0
    assert client.lambda_.invoke("route_reports", event).payload == {"batchItemFailures": []}
    assert len(sent.unit_alerts(UNIT)) == 1


def test_a_batch_that_fails_again_stays_queued_with_its_error(client, deps, queue_url,
                                                              monkeypatch):
    file(client)
    last, _ = pump(client)
    event = drain_stream_event(last)
    sns_down(deps, monkeypatch)
    dead_letter(queue_url, event)
    replay = stream_replay(settings().region, queue_url, settings().endpoint_url)
    handle = _handler(deps)
    result = redrive(replay, handle, hold_seconds=0)
    assert (result.batches, result.redriven) == (1, 0)
    assert "SNS unavailable" in result.still_failing[0]
    assert queued(queue_url) == 1  # still there for the next run
    dry = redrive(replay, handle, dry_run=True, hold_seconds=0)
    assert (dry.batches, dry.redriven, dry.records) == (1, 0, len(event["Records"]))
    assert queued(queue_url) == 1


def test_batches_gone_from_the_stream_and_foreign_messages_are_reported_not_dropped(
        client, deps, queue_url):
    file(client)
    _, event = pump(client)
    gone = json.loads(json.dumps(event))
    for record in gone["Records"]:  # sequence numbers the stream never had
        record["dynamodb"]["SequenceNumber"] = str(10**30 + int(
            record["dynamodb"]["SequenceNumber"]))
    dead_letter(queue_url, gone)
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(
        {"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": {}}))
    replay = stream_replay(settings().region, queue_url, settings().endpoint_url)
    result = redrive(replay, _handler(deps), hold_seconds=0)
    assert (result.batches, result.gone, result.other, result.redriven) == (1, 1, 1, 0)
    assert queued(queue_url) == 2
    assert cli.main(["redrive", "--queue-url", queue_url]) == 1  # an operator must look


def test_the_local_stacks_copy_of_the_records_is_used_when_the_stream_lost_them(
        client, deps, queue_url, monkeypatch):
    file(client)
    last, _ = pump(client)
    event = drain_stream_event(last)
    outage = sns_down(deps, monkeypatch)
    assert client.lambda_.invoke("route_reports", event).payload["batchItemFailures"]
    lost = json.loads(json.dumps(event))
    for record in lost["Records"]:
        record["dynamodb"]["SequenceNumber"] = str(10**30 + int(
            record["dynamodb"]["SequenceNumber"]))
    dead_letter(queue_url, lost, with_records=True)
    outage["down"] = False
    replay = stream_replay(settings().region, queue_url, settings().endpoint_url)
    result = redrive(replay, _handler(deps), hold_seconds=0)
    assert (result.redriven, result.gone) == (1, 0)
    assert len(sent.unit_alerts(UNIT)) == 1


def _handler(deps):
    from chalicelib.services.stream import change_from, process_change

    def handle(record):
        image = record["dynamodb"]
        process_change(deps, change_from(record["eventName"], image.get("NewImage"),
                                         image.get("OldImage")))

    return handle
