"""Operator commands: `python -m chalicelib.cli geo load PATH`, `anonymise`, `redrive`,
`reindex`.

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
from chalicelib.config import settings
from chalicelib.domain.geo import BoundaryError
from chalicelib.registry import registry
from chalicelib.services.deps import default_deps
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
    commands.add_parser(
        "reindex", help="give reports filed before the created index its keys "
        "(once, after deploying the version that adds the index)")
    args = parser.parse_args(argv)
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
