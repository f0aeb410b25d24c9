"""Fault injection in the local stack's moto (infra/local/faults.py), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.adapters.table import create_table
from infra.local.aws_process import AwsProcess
from infra.local.config import REGION
from infra.local.faults import Fault, FaultError, FaultPlan
from infra.local.journal import read_entries
from infra.local.local_api import LocalApi
from infra.local.preflight import free_port
from infra.local.recorder import JOURNAL_FILE
from infra.local.scheduler import Scheduler

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[tuple[AwsProcess, Path]]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    process = AwsProcess("127.0.0.1", free_port(), data_dir)
    process.start()
    yield process, data_dir
    process.stop()


def client(process: AwsProcess, service: str):
    return boto3.client(service, endpoint_url=process.endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=NO_RETRIES)


def item(pk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": "A"}}


def test_the_plan_counts_and_spaces_its_faults() -> None:
    plan = FaultPlan()
    plan.add(Fault.from_dict({"service": "dynamodb", "actions": "PutItem,TransactWriteItems",
                              "error": "throttle", "count": "2", "every": "2"}))
    picks = [plan.pick("dynamodb", "PutItem") is not None for _ in range(6)]
    assert picks == [True, False, True, False, False, False]  # one in two, then spent
    assert plan.pick("dynamodb", "GetItem") is None and plan.pick("sns", "PutItem") is None
    with pytest.raises(FaultError):
        Fault.from_dict({"service": "sns", "error": "boom"})
    assert plan.control("POST", b'{"error": "5xx"}')[0] == 400
    assert len(plan.clear()) == 1 and plan.describe() == []


def test_injected_dynamodb_and_sns_errors_write_nothing_and_then_clear(
        moto: tuple[AwsProcess, Path]) -> None:
    process, data_dir = moto
    dynamodb = client(process, "dynamodb")
    create_table(dynamodb, "faults-t")
    api = LocalApi(Scheduler([], REGION, "123456789012"), data_dir, status=dict,
                   aws_endpoint=process.endpoint)
    code, answer = api.handle("POST", "/_local/faults", {
        "service": ["dynamodb"], "actions": ["PutItem"], "error": ["throttle"], "count": ["1"]})
    assert code == 200 and answer["faults"][0]["count"] == 1
    journaled = len(list(read_entries(data_dir / JOURNAL_FILE)))

    with pytest.raises(ClientError) as throttled:
        dynamodb.put_item(TableName="faults-t", Item=item("a"))
    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert dynamodb.scan(TableName="faults-t")["Items"] == []
    assert len(list(read_entries(data_dir / JOURNAL_FILE))) == journaled
    dynamodb.put_item(TableName="faults-t", Item=item("a"))  # the fault is spent

    api.handle("POST", "/_local/faults", {"service": ["sns"], "error": ["5xx"]})
    sns = client(process, "sns")
    with pytest.raises(ClientError) as failed:
        sns.create_topic(Name="unit-x")
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert failed.value.response["Error"]["Code"] == "InternalFailure"
    assert api.handle("DELETE", "/_local/faults", {})[0] == 200
    assert api.handle("GET", "/_local/faults", {})[1] == {"faults": []}
    sns.create_topic(Name="unit-x")


def test_an_ambiguous_failure_is_applied_and_journaled_but_answered_500(
        moto: tuple[AwsProcess, Path]) -> None:
    process, data_dir = moto
    dynamodb = client(process, "dynamodb")
    create_table(dynamodb, "faults-t")
    api = LocalApi(Scheduler([], REGION, "123456789012"), data_dir, status=dict,
                   aws_endpoint=process.endpoint)
    api.handle("POST", "/_local/faults", {"service": ["dynamodb"], "actions": ["PutItem"],
                                          "error": ["5xx"], "count": ["1"], "after": ["1"]})
    with pytest.raises(ClientError) as failed:
        dynamodb.put_item(TableName="faults-t", Item=item("b"))
    assert failed.value.response["Error"]["Code"] == "InternalServerError"
    assert [i["pk"]["S"] for i in dynamodb.scan(TableName="faults-t")["Items"]] == ["b"]
    process.stop()
    process.start()  # replayed from the journal; the fault plan is gone
    assert [i["pk"]["S"] for i in dynamodb.scan(TableName="faults-t")["Items"]] == ["b"]
    assert api.handle("GET", "/_local/faults", {})[1] == {"faults": []}
