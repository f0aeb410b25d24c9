"""Reports by creation time, open or closed, for Open311 `GET requests`.

The table's indexes hold open reports only (queues, deadlines, geo cells): closed ones
leave every index. Until the table has a creation-time index, this reads the report
items of the table with a Scan filtered on their top-level attributes (`type`,
`created_at`, `category`), projecting only the document. Its cost grows with the table,
not with the answer: fine for the local stack and a young deployment, and the thing to
replace with a sparse GSI (`C#<WIB day>` / `<created>#<ticket>`, one Query per day of
the window) before Open311 is opened to aggregators at scale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.store import StoreUnavailable
from chalicelib.domain.report import Report
from chalicelib.domain.timefmt import utc_iso

MAX_REPORTS = 5000  # one answer never reads more than this many reports


class ReportReader:
    def __init__(self, table_name: str, region: str, endpoint_url: str | None = None) -> None:
        self._table = table_name
        self._client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url)

    def created_between(self, start: datetime, end: datetime,
                        category: str | None = None) -> list[Report]:
        """Reports created in [start, end] (UTC), optionally of one category."""
        condition = "#type = :report AND created_at BETWEEN :start AND :end"
        values: dict[str, Any] = {":report": {"S": "report"}, ":start": {"S": utc_iso(start)},
                                  ":end": {"S": utc_iso(end)}}
        if category:
            condition += " AND category = :category"
            values[":category"] = {"S": category}
        reports: list[Report] = []
        try:
            pages = self._client.get_paginator("scan").paginate(
                TableName=self._table, FilterExpression=condition,
                ExpressionAttributeNames={"#type": "type"}, ExpressionAttributeValues=values,
                ProjectionExpression="doc")
            for page in pages:
                for item in page.get("Items", []):
                    reports.append(Report.model_validate_json(item["doc"]["S"]))
                    if len(reports) >= MAX_REPORTS:
                        return reports
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return reports
