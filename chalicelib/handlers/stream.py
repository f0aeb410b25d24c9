"""The table's DynamoDB stream: every change goes to the processors of its item type.

Records arrive at least once and in order per item. Every record is tried; those
that fail are reported in `batchItemFailures`, so Lambda retries from the first of
them (re-delivering the ones after it, which the idempotent processors skip) and,
once retries run out, sends it to the dead-letter queue while the others have gone
through. Processors read the current report from the store rather than trusting
the image, so handling a later record before a failed earlier one is safe.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chalice import Blueprint
from chalice.app import DynamoDBEvent

from chalicelib.services.deps import default_deps
from chalicelib.services.stream import change_from, load_processors, process_change

log = logging.getLogger("crm.stream")
bp = Blueprint(__name__)
load_processors()  # at cold start, not in the first record's time

# Chalice needs the ARN when the app is packaged; the deployed template wires the
# real stream (infra/aws), the local stack sets it before importing the app.
STREAM_ARN = os.environ.get(
    "CRM_TABLE_STREAM_ARN",
    "arn:aws:dynamodb:ap-southeast-3:000000000000:table/crm-local/stream/local",
)


@bp.on_dynamodb_record(stream_arn=STREAM_ARN, batch_size=50, starting_position="TRIM_HORIZON",
                       name="route_reports")
def route_reports(event: DynamoDBEvent) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    deps = default_deps()
    for record in event:
        try:
            process_change(deps, change_from(record.event_name, record.new_image,
                                             record.old_image))
        except Exception:
            log.exception("stream record %s failed", record.sequence_number)
            failures.append({"itemIdentifier": record.sequence_number})
    return {"batchItemFailures": failures}
