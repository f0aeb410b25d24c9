"""`python -m infra.local run | fire <name> | schedules | outbox [--to ADDRESS] | crm ARGS`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from infra.local.config import ConfigError, StackConfig
from infra.local.preflight import PreflightError, check_dependencies


class _ShortNames(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.short = record.name.removeprefix("infra.local.")
        return super().format(record)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_ShortNames("%(asctime)s [%(short)s] %(message)s", datefmt="%H:%M:%S"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    for noisy in ("botocore", "boto3", "urllib3", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _run(config: StackConfig) -> int:
    check_dependencies()
    _configure_logging()
    from infra.local.aws_process import AwsProcessError
    from infra.local.stack import Stack, StackError

    try:
        return Stack(config).run()
    except (StackError, AwsProcessError) as exc:
        raise PreflightError(str(exc)) from None


def _call(config: StackConfig, method: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(config.app_url + path, method=method, data=b"" if
                                     method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except urllib.error.URLError as exc:
        raise PreflightError(f"no stack answers at {config.app_url} ({exc.reason}); start it "
                             "with `make run` (same CRM_PORT)") from None


def _operator_command(config: StackConfig, args: list[str]) -> int:
    """`python -m chalicelib.cli ARGS` against the running stack's moto, with the app's
    environment (and the stack's dead-letter queue for `redrive`), never real AWS."""
    from infra.local.config import REAL_AWS_VARIABLES
    from infra.local.resources import STREAM_DLQ_NAME

    for name in REAL_AWS_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(config.app_environment())
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        queue = boto3.client("sqs", region_name=config.region).get_queue_url(
            QueueName=STREAM_DLQ_NAME)["QueueUrl"]
    except (BotoCoreError, ClientError) as exc:
        raise PreflightError(f"no stack answers at {config.aws_endpoint} ({exc}); start it "
                             "with `make run` (same CRM_AWS_PORT)") from None
    os.environ.setdefault("CRM_STREAM_DLQ_URL", queue)
    from chalicelib.cli import main as crm

    return crm(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local",
                                     description="The CRM local stack (moto as AWS).")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the stack in the foreground")
    fire = commands.add_parser("fire", help="fire a scheduled handler on the running stack")
    fire.add_argument("name")
    commands.add_parser("schedules", help="list scheduled handlers and their next fire time")
    outbox = commands.add_parser("outbox", help="print what SES/SNS would have delivered")
    outbox.add_argument("--to", help="only messages to this address or phone number")
    crm = commands.add_parser("crm", help="an operator command (python -m chalicelib.cli) "
                              "against the running stack, e.g. `crm redrive`")
    crm.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    try:
        config = StackConfig.from_env()
        if args.command == "run":
            return _run(config)
        if args.command == "crm":
            return _operator_command(config, args.args)
        if args.command == "fire":
            status, body = _call(config, "POST", f"/_local/schedules/{args.name}")
        elif args.command == "schedules":
            status, body = _call(config, "GET", "/_local/schedules")
        else:
            query = f"?to={urllib.parse.quote(args.to)}" if args.to else ""
            status, body = _call(config, "GET", f"/_local/outbox{query}")
        print(json.dumps(body, indent=2))
        return 0 if status == 200 and body.get("ok", True) else 1
    except (ConfigError, PreflightError) as exc:
        print(f"crm local stack: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
