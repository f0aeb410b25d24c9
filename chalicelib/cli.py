"""Operator commands: `python -m chalicelib.cli geo load PATH`, `officers load PATH`,
`anonymise`, `redrive`, `reindex`.

`geo load` validates a kelurahan boundary layer (GeoJSON FeatureCollection with a
Kemendagri `code` per feature), reports what it covers, and uploads it to
`s3://<bucket>/config/kelurahan.geojson`, where routing reads it. Settings (bucket,
region, endpoint) come from the environment, as for the app (`chalicelib.config`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from chalicelib.adapters.boundaries import S3_KEY, clear_cache, parse_layer, upload
from chalicelib.adapters.stream_replay import stream_replay
from chalicelib.adapters.table import reindex
from chalicelib.adapters.user_pool import cognito_client
from chalicelib.config import settings
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.geo import BoundaryError
from chalicelib.domain.officer_directory import parse_directory
from chalicelib.registry import registry
from chalicelib.services.deps import default_deps
from chalicelib.services.directory import load_directory
from chalicelib.services.privacy import DEFAULT_RETENTION_DAYS, anonymise_older_than
from chalicelib.services.redrive import redrive
from chalicelib.services.stream import change_from, process_change


def geo_load(path: Path, *, dry_run: bool = False) -> int:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    wilayah = registry().wilayah
    try:
        layer = parse_layer(raw, wilayah)
    except BoundaryError as exc:
        print("the layer was NOT uploaded:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except ValueError as exc:  # not JSON at all
        print(f"the layer was NOT uploaded: {exc}", file=sys.stderr)
        return 1
    summary = layer.summary
    total = len(wilayah.of_level("kelurahan"))
    print(f"kelurahan covered: {len(summary.covered)} of {total}")
    print(f"kelurahan missing: {len(summary.missing)}"
          + (f" ({', '.join(summary.missing)})" if summary.missing else ""))
    print(f"polygons repaired: {len(summary.repaired)}"
          + (f" ({', '.join(summary.repaired)})" if summary.repaired else ""))
    for warning in summary.warnings:
        print(f"warning: {warning}")
    if summary.missing:
        print("note: points where missing kelurahan may lie fall through to place names "
              "and triage; they are never declared outside Jakarta")
    if dry_run:
        print(f"dry run: not uploaded to {S3_KEY}")
        return 0
    target = upload(settings(), raw)
    clear_cache()
    print(f"uploaded to {target} (new Lambda containers pick it up)")
    return 0


def redrive_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if not args.queue_url:
        parser.error("--queue-url (or CRM_STREAM_DLQ_URL) is required")
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    config, deps = settings(), default_deps()

    def handle(record: dict) -> None:
        image = record["dynamodb"]
        process_change(deps, change_from(record["eventName"], image.get("NewImage"),
                                         image.get("OldImage")))

    replay = stream_replay(config.region, args.queue_url, config.endpoint_url)
    result = redrive(replay, handle, limit=args.limit, dry_run=args.dry_run)
    print(json.dumps(result.as_dict()))
    return 1 if result.still_failing or result.gone else 0


def officers_load(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    config, deps = settings(), default_deps()
    if config.stage == "local" and not config.endpoint_url:
        # Officers would be subscribed to crm-local-unit-* topics in a real account.
        parser.error("CRM_STAGE is 'local' but no AWS_ENDPOINT_URL is set: export "
                     "CRM_STAGE=dev (or prod) for AWS, or use python -m infra.local crm ...")
    pool_id = args.pool_id or config.user_pool_id
    if not pool_id:
        parser.error("--pool-id (or CRM_USER_POOL_ID) is required")
    try:
        officers = parse_directory(args.path.read_text(encoding="utf-8-sig"),
                                   deps.registry.units, deps.registry.role_policies)
    except ValidationFailed as exc:
        for problem in exc.problems or []:
            print(f"{problem.message_id} / {problem.message_en}", file=sys.stderr)
        print(f"{args.path}: tidak dimuat, perbaiki dulu / not loaded, fix it first",
              file=sys.stderr)
        return 1
    done = load_directory(deps, cognito_client(config.region, config.endpoint_url), pool_id,
                          officers, dry_run=args.dry_run)
    print(json.dumps({"officers": len(officers), "dry_run": args.dry_run, **done.as_dict()}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm", description="CRM operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    geo = commands.add_parser("geo", help="kelurahan boundary layer")
    geo_commands = geo.add_subparsers(dest="geo_command", required=True)
    load = geo_commands.add_parser("load", help="validate a GeoJSON layer and upload it")
    load.add_argument("path", type=Path, help="GeoJSON FeatureCollection with a 'code' "
                      "property (Kemendagri kelurahan code) per feature")
    load.add_argument("--dry-run", action="store_true", help="validate and report only")
    anonymise = commands.add_parser(
        "anonymise", help="remove reporter and follower contact from old reports")
    anonymise.add_argument("--older-than-days", type=int, default=DEFAULT_RETENTION_DAYS,
                           help=f"retention in days (default {DEFAULT_RETENTION_DAYS})")
    again = commands.add_parser(
        "redrive", help="handle again the stream batches in the dead-letter queue")
    again.add_argument("--queue-url", default=os.environ.get("CRM_STREAM_DLQ_URL"),
                       help="the dead-letter queue (default: $CRM_STREAM_DLQ_URL; in AWS the "
                       "stack output FailedEventsQueueUrl)")
    again.add_argument("--limit", type=int, default=100, help="messages to read at most")
    again.add_argument("--dry-run", action="store_true",
                       help="read and count the batches, handle nothing, delete nothing")
    directory = commands.add_parser("officers", help="the officer directory")
    directory_commands = directory.add_subparsers(dest="officers_command", required=True)
    officers = directory_commands.add_parser(
        "load", help="check a directory CSV, then invite new officers (Cognito mails a "
        "temporary password), update the others, and subscribe each to their unit's alerts")
    officers.add_argument("path", type=Path, help="CSV: username,role,unit,name,email,"
                          "phone,alerts (see chalicelib/domain/officer_directory.py)")
    officers.add_argument("--pool-id", help="the user pool (default: $CRM_USER_POOL_ID; "
                          "in AWS the stack output UserPoolId)")
    officers.add_argument("--dry-run", action="store_true",
                          help="check the file and count who would be invited or updated")
    commands.add_parser(
        "reindex", help="give reports filed before the created index its keys "
        "(once, after deploying the version that adds the index)")
    args = parser.parse_args(argv)
    if args.command == "officers":
        return officers_load(parser, args)
    if args.command == "reindex":
        config = settings()
        done = reindex(config.table_name, config.region, config.endpoint_url)
        print(f"indexed {done} reports")
        return 0
    if args.command == "redrive":
        return redrive_command(parser, args)
    if args.command == "geo" and args.geo_command == "load":
        return geo_load(args.path, dry_run=args.dry_run)
    if args.command == "anonymise":
        if args.older_than_days < 1:
            parser.error("--older-than-days must be at least 1")
        done = anonymise_older_than(default_deps(), args.older_than_days)
        print(f"anonymised {done['reports']} reports and {done['followers']} followers "
              f"filed more than {args.older_than_days} days ago")
        return 0
    parser.error("unknown command")
    return 2


if __name__ == "__main__":
    sys.exit(main())
