"""The whole stack in-process with a throwaway app: wiring of resources, app, pump, /_local."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from chalice import Chalice, Rate

from infra.local import preflight
from infra.local.__main__ import main
from infra.local.config import StackConfig
from infra.local.preflight import PreflightError, free_port
from infra.local.stack import Stack


def throwaway_app() -> Chalice:
    """Reads its settings the way app.py does: from the environment the stack prepared."""
    app = Chalice(app_name="throwaway")
    table = os.environ["CRM_TABLE"]

    def dynamodb() -> Any:
        return boto3.client("dynamodb")  # AWS_ENDPOINT_URL points at the stack's moto

    @app.route("/things", methods=["POST"])
    def create() -> dict:
        thing = app.current_request.json_body["id"]
        dynamodb().put_item(TableName=table, Item={"pk": {"S": thing}, "sk": {"S": "A"}})
        return {"id": thing}

    @app.route("/things/{thing}")
    def read(thing: str) -> dict:
        found = dynamodb().get_item(TableName=table, Key={"pk": {"S": thing},
                                                          "sk": {"S": "A"}}).get("Item", {})
        return {"id": thing, "seen_by_stream": "seen" in found}

    @app.on_dynamodb_record(stream_arn=os.environ["CRM_TABLE_STREAM_ARN"], name="mark_seen")
    def mark_seen(event: Any) -> None:
        for record in event:
            if record.event_name == "INSERT":
                dynamodb().update_item(TableName=table, Key=record.keys,
                                       UpdateExpression="SET seen = :t",
                                       ExpressionAttributeValues={":t": {"BOOL": True}})

    @app.schedule(Rate(1, unit=Rate.DAYS), name="daily")
    def daily(event: Any) -> dict:
        return {"region": event.region}

    return app


@pytest.fixture
def restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def config(data_dir: Path, **overrides: str) -> StackConfig:
    env = {"CRM_PORT": str(free_port()), "CRM_AWS_PORT": str(free_port()),
           "CRM_DATA_DIR": str(data_dir), **overrides}
    return StackConfig.from_env(env)


def test_stack_serves_the_app_pumps_the_stream_and_answers_local_tools(
        tmp_path: Path, restore_environment: None, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path / "data")
    stack = Stack(cfg, app_loader=throwaway_app)
    stack.start()
    try:
        assert os.environ["AWS_ENDPOINT_URL"] == cfg.aws_endpoint
        assert os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] == "disabled"
        created = requests.post(f"{cfg.app_url}/things", json={"id": "t1"}, timeout=5)
        assert created.status_code == 200
        deadline = time.monotonic() + 1  # "routed well within a second"
        while not requests.get(f"{cfg.app_url}/things/t1", timeout=5).json()["seen_by_stream"]:
            assert time.monotonic() < deadline, "the stream handler did not run within 1 s"
            time.sleep(0.02)

        status = requests.get(f"{cfg.app_url}/_local/status", timeout=5).json()
        assert status["pumps"][0]["handler"] == "mark_seen"
        assert status["pumps"][0]["table"] == "crm-local"
        schedules = requests.get(f"{cfg.app_url}/_local/schedules", timeout=5).json()
        assert [s["name"] for s in schedules["schedules"]] == ["daily"]
        fired = requests.post(f"{cfg.app_url}/_local/schedules/daily", timeout=5).json()
        assert fired["ok"] and fired["result"] == {"region": "ap-southeast-3"}
        assert requests.get(f"{cfg.app_url}/_local/outbox", timeout=5).json() == {
            "messages": []}
        assert requests.get(f"{cfg.app_url}/_local/nope", timeout=5).status_code == 404

        os.environ["CRM_PORT"] = str(cfg.port)  # what `python -m infra.local fire` reads
        capsys.readouterr()
        assert main(["fire", "daily"]) == 0
        assert json.loads(capsys.readouterr().out)["result"] == {"region": "ap-southeast-3"}
        assert main(["fire", "hourly"]) == 1

        aws = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="t",
                                    region_name=cfg.region)
        sqs = aws.client("sqs", endpoint_url=cfg.aws_endpoint)
        assert sqs.get_queue_url(QueueName="crm-local-stream-dlq")["QueueUrl"]
        cors = aws.client("s3", endpoint_url=cfg.aws_endpoint).get_bucket_cors(
            Bucket="crm-local-media")["CORSRules"][0]
        assert cfg.app_url in cors["AllowedOrigins"] and "PUT" in cors["AllowedMethods"]
        ses = aws.client("ses", endpoint_url=cfg.aws_endpoint)
        assert "no-reply@jakarta.go.id" in ses.list_identities()["Identities"]
        assert "CRM local stack is up" in stack.banner()
    finally:
        stack.stop()
    checkpoints = json.loads((tmp_path / "data" / "stream-checkpoints.json").read_text())
    assert checkpoints["crm-local"]["mark_seen"]["after"] is not None


def test_a_second_stack_on_the_same_port_is_refused(tmp_path: Path,
                                                    restore_environment: None) -> None:
    first = config(tmp_path / "one")
    stack = Stack(first, app_loader=throwaway_app)
    stack.start()
    try:
        second = config(tmp_path / "two", CRM_PORT=str(first.port))
        with pytest.raises(PreflightError, match=f"port {first.port} .* already in use"):
            Stack(second, app_loader=throwaway_app).start()
        same_dir = config(tmp_path / "one")
        with pytest.raises(PreflightError, match="in use by another stack"):
            Stack(same_dir, app_loader=throwaway_app, lock_wait_seconds=0.2).start()
    finally:
        stack.stop()


def test_a_missing_dependency_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(preflight.DEPENDENCIES, "no_such_module_crm", "moto[server]")
    with pytest.raises(PreflightError, match=r"moto\[server\].*make run.*requirements-dev"):
        preflight.check_dependencies()
