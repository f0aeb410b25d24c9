"""The stream pump against moto's real DynamoDB stream (moto child process, over HTTP)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice
from chalice.local import LambdaContext

from chalicelib.adapters.table import create_table
from infra.local.aws_process import AwsProcess
from infra.local.checkpoints import CheckpointStore
from infra.local.config import REGION
from infra.local.preflight import free_port
from infra.local.pump import PumpSettings, StreamPump, StreamSource
from infra.local.resources import AwsClients

_tables = itertools.count()


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsClients]:
    with AwsProcess("127.0.0.1", free_port(), tmp_path_factory.mktemp("moto")) as process:
        yield AwsClients(process.endpoint, REGION)


@pytest.fixture
def table(aws: AwsClients) -> str:
    name = f"pump-{next(_tables)}"
    create_table(aws.client("dynamodb"), name)
    return name


@pytest.fixture
def dlq(aws: AwsClients) -> str:
    return aws.client("sqs").create_queue(QueueName=f"dlq-{next(_tables)}")["QueueUrl"]


def stream_arn(aws: AwsClients, table: str) -> str:
    return aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]


def put(aws: AwsClients, table: str, pk: str, **extra: Any) -> None:
    aws.client("dynamodb").put_item(
        TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "A"}, **extra})


def make_pump(aws: AwsClients, table: str, data_dir: Path, invoke: Callable[[dict], Any],
              batch_size: int = 100, max_retries: int = 3, dlq_url: str | None = None,
              starting_position: str = "TRIM_HORIZON") -> StreamPump:
    pump = StreamPump(
        StreamSource("handler", stream_arn(aws, table), batch_size, starting_position),
        invoke, aws.client("dynamodbstreams"), aws.client("sqs"), CheckpointStore(data_dir),
        PumpSettings(region=REGION, function_arn="arn:aws:lambda:fn", dlq_url=dlq_url,
                     max_retries=max_retries, backoff_seconds=0.01, max_backoff_seconds=0.02))
    pump.prime()
    return pump


def drain(pump: StreamPump, rounds: int = 50) -> None:
    """Poll until nothing is left (waiting out backoffs)."""
    idle = 0
    for _ in range(rounds):
        if pump.poll_once():
            idle = 0
            continue
        idle += 1
        if idle > 5:
            return
        time.sleep(0.02)


class Recorder:
    def __init__(self, answer: Callable[[dict, int], Any] = lambda event, n: None) -> None:
        self.events: list[dict] = []
        self._answer = answer

    def __call__(self, event: dict) -> Any:
        self.events.append(event)
        return self._answer(event, len(self.events))

    def keys(self) -> list[list[str]]:
        return [[r["dynamodb"]["Keys"]["pk"]["S"] for r in e["Records"]] for e in self.events]


def test_event_is_exactly_what_lambda_delivers(aws: AwsClients, table: str,
                                               tmp_path: Path) -> None:
    calls = Recorder()
    pump = make_pump(aws, table, tmp_path, calls)
    put(aws, table, "a", photo={"B": b"\x00\xff"}, meta={"M": {"thumb": {"B": b"\x01"}}})
    aws.client("dynamodb").update_item(
        TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "A"}},
        UpdateExpression="SET s = :s", ExpressionAttributeValues={":s": {"S": "Proses"}})
    aws.client("dynamodb").delete_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "A"}})
    drain(pump)

    (event,) = calls.events
    assert list(event) == ["Records"]
    insert, modify, remove = event["Records"]
    arn = stream_arn(aws, table)
    for record, name in ((insert, "INSERT"), (modify, "MODIFY"), (remove, "REMOVE")):
        assert set(record) == {"eventID", "eventName", "eventVersion", "eventSource",
                               "awsRegion", "dynamodb", "eventSourceARN"}
        assert record["eventName"] == name
        assert record["eventVersion"] == "1.1"
        assert record["eventSource"] == "aws:dynamodb"
        assert record["awsRegion"] == REGION
        assert record["eventSourceARN"] == arn
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        assert isinstance(created, int) and abs(created - time.time()) < 60
        assert record["dynamodb"]["Keys"] == {"pk": {"S": "a"}, "sk": {"S": "A"}}
        assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(record["dynamodb"]["SizeBytes"], int)
        json.dumps(record)  # plain JSON, as Lambda hands it over
    assert set(insert["dynamodb"]) == {"ApproximateCreationDateTime", "Keys", "NewImage",
                                       "SequenceNumber", "SizeBytes", "StreamViewType"}
    assert insert["dynamodb"]["NewImage"]["photo"] == {"B": "AP8="}  # base64, not bytes
    assert insert["dynamodb"]["NewImage"]["meta"] == {"M": {"thumb": {"B": "AQ=="}}}
    assert modify["dynamodb"]["OldImage"]["pk"] == {"S": "a"}
    assert modify["dynamodb"]["NewImage"]["s"] == {"S": "Proses"}
    assert "NewImage" not in remove["dynamodb"] and "OldImage" in remove["dynamodb"]
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in event["Records"]]
    assert sequence == sorted(sequence) and len(set(sequence)) == 3


def test_a_chalice_handler_gets_a_parsable_event(aws: AwsClients, table: str,
                                                 tmp_path: Path) -> None:
    app = Chalice(app_name="throwaway")
    seen: list[tuple[str, str, str]] = []

    @app.on_dynamodb_record(stream_arn=stream_arn(aws, table), name="collect")
    def collect(event: Any) -> None:
        for record in event:
            seen.append((record.table_name, record.event_name, record.new_image["pk"]["S"]))
            assert record.timestamp.year >= 2024

    handler = app.handler_map["collect"]
    pump = make_pump(aws, table, tmp_path, lambda event: handler(
        event, LambdaContext("throwaway-local-collect", 128, 60_000)))
    put(aws, table, "x")
    drain(pump)
    assert seen == [(table, "INSERT", "x")]


def test_batches_follow_stream_order_and_batch_size(aws: AwsClients, table: str,
                                                    tmp_path: Path) -> None:
    calls = Recorder()
    pump = make_pump(aws, table, tmp_path, calls, batch_size=3)
    for n in range(7):
        put(aws, table, f"r{n}")
    drain(pump)
    assert calls.keys() == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6"]]
    assert pump.delivered == 7


def test_a_raising_handler_gets_the_same_batch_again(aws: AwsClients, table: str,
                                                     tmp_path: Path) -> None:
    def answer(event: dict, call: int) -> None:
        if call <= 2:
            raise RuntimeError("table busy")

    calls = Recorder(answer)
    pump = make_pump(aws, table, tmp_path, calls, batch_size=2)
    for n in range(3):
        put(aws, table, f"r{n}")
    assert pump.poll_once() == 0  # failed
    assert pump.poll_once() == 0  # backing off: no new invocation yet
    assert len(calls.events) == 1
    drain(pump)
    assert calls.keys() == [["r0", "r1"], ["r0", "r1"], ["r0", "r1"], ["r2"]]


def test_batch_item_failures_restart_at_the_lowest_failed_record(aws: AwsClients, table: str,
                                                                 tmp_path: Path) -> None:
    def answer(event: dict, call: int) -> dict:
        records = event["Records"]
        if call == 1:  # r2 and r3 failed (reported out of order)
            return {"batchItemFailures": [
                {"itemIdentifier": records[3]["dynamodb"]["SequenceNumber"]},
                {"itemIdentifier": records[2]["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    calls = Recorder(answer)
    pump = make_pump(aws, table, tmp_path, calls, batch_size=5)
    for n in range(5):
        put(aws, table, f"r{n}")
    assert pump.poll_once() == 2  # r0 and r1 are done
    drain(pump)
    assert calls.keys() == [["r0", "r1", "r2", "r3", "r4"], ["r2", "r3", "r4"]]


def test_exhausted_retries_go_to_the_dlq_and_the_pump_moves_on(
        aws: AwsClients, table: str, dlq: str, tmp_path: Path) -> None:
    def answer(event: dict, call: int) -> dict:
        bad = [r for r in event["Records"] if r["dynamodb"]["Keys"]["pk"]["S"] == "poison"]
        if bad:
            return {"batchItemFailures": [{"itemIdentifier": bad[0]["dynamodb"]
                                           ["SequenceNumber"]}]}
        return {}

    calls = Recorder(answer)
    pump = make_pump(aws, table, tmp_path, calls, batch_size=10, max_retries=2, dlq_url=dlq)
    for pk in ("ok1", "poison", "ok2"):
        put(aws, table, pk)
    drain(pump)
    put(aws, table, "later")
    drain(pump)

    # 1 attempt + 2 retries for the poison record, then the pump carries on.
    assert calls.keys() == [["ok1", "poison", "ok2"], ["poison", "ok2"], ["poison", "ok2"],
                            ["later"]]
    messages = aws.client("sqs").receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)
    (message,) = messages["Messages"]
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    assert failure["requestContext"]["functionArn"] == "arn:aws:lambda:fn"
    assert failure["version"] == "1.0"
    info = failure["DDBStreamBatchInfo"]
    assert info["batchSize"] == 2
    assert info["streamArn"] == stream_arn(aws, table)
    assert info["startSequenceNumber"] < info["endSequenceNumber"]
    assert info["shardId"].startswith("shardId-")
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in failure["records"]] == ["poison", "ok2"]
    assert "functionError" not in failure["responseContext"]  # the function itself succeeded
    assert pump.dead_lettered == 2


def test_an_unhandled_error_is_marked_in_the_dlq_record(aws: AwsClients, table: str, dlq: str,
                                                        tmp_path: Path) -> None:
    def answer(event: dict, call: int) -> None:
        raise ValueError("always broken")

    pump = make_pump(aws, table, tmp_path, Recorder(answer), max_retries=0, dlq_url=dlq)
    put(aws, table, "x")
    drain(pump)
    body = aws.client("sqs").receive_message(QueueUrl=dlq)["Messages"][0]["Body"]
    failure = json.loads(body)
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert "always broken" in failure["error"]


def test_latest_skips_what_was_there_before_the_first_start(aws: AwsClients, table: str,
                                                            tmp_path: Path) -> None:
    put(aws, table, "old")
    calls = Recorder()
    pump = make_pump(aws, table, tmp_path, calls, starting_position="LATEST")
    put(aws, table, "new")
    drain(pump)
    assert calls.keys() == [["new"]]


def test_the_checkpoint_survives_a_restart_of_both_pump_and_moto(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    process = AwsProcess("127.0.0.1", free_port(), data_dir)
    with process:
        aws = AwsClients(process.endpoint, REGION)
        create_table(aws.client("dynamodb"), "crm-local")
        first = Recorder()
        pump = make_pump(aws, "crm-local", data_dir, first)
        for n in range(3):
            put(aws, "crm-local", f"r{n}")
        drain(pump)
        put(aws, "crm-local", "unseen")  # written, not yet pumped, when the stack stops
        label = stream_arn(aws, "crm-local")

    with process:  # replays the journal: same records, same sequence numbers, new label
        aws = AwsClients(process.endpoint, REGION)
        assert stream_arn(aws, "crm-local") != label
        second = Recorder()
        pump = make_pump(aws, "crm-local", data_dir, second)
        put(aws, "crm-local", "r3")
        drain(pump)

    assert first.keys() == [["r0", "r1", "r2"]]
    assert second.keys() == [["unseen", "r3"]]
