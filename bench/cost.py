"""What one report costs on AWS: counted through the local stack, priced per 1,000 reports
and per year at Jakarta's 2024 volume (185,852 reports).

A report's lifecycle, run BENCH_REPORTS times (default 30) in phases:
1. a citizen files it through the Balai Warga form (JSON, with a phone number, so the
   citizen's notices go by SMS), asks for a photo upload form, uploads a photo to S3 with it
   (the browser's POST) and attaches it, and reads the tracking page once;
2. the stream routes it and alerts the unit (email and SMS, through SNS/SES);
3. the lurah lists the queue, opens the report, views the photo (a GET on S3), sets
   Proses, uploads an "after" photo and sets Selesai;
4. the validator opens it, views the after photo and accepts it (Selesai);
5. the citizen reads the tracking page again and rates the result.
Officers sign in once per run (not counted per report). Then every scheduled function
(SLA sweep, SKM launch and dispatch, kinerja reconciliation and weekly report) is fired
twice; its cost per invocation times its invocations per year (from its own schedule
expression), divided by 185,852, is each report's share. Every API request also passes
the WAF web ACL (priced per request); the web ACL and its rules (counted in
infra/aws/resources.yaml) cost a fixed amount a month, added to the per-year figure only.

Measured (the stack's `CRM_COST_METER`, infra/local/cost_meter.py): Lambda invocations per
function and their wall-clock duration; every AWS API call made inside a function, by
operation; DynamoDB read/write request units computed from the sizes of the items read
and written (DynamoDB's sizing rules, index writes included; moto's ConsumedCapacity is a
constant and is not used); bytes logged. From the stack's outbox: every email (SES, and
SNS email notifications) and SMS (with its segments) that would have been delivered. By
the bench, acting as the browser: S3 POST uploads and GET views through presigned URLs.
Storage: bytes the run added to the table (items + index entries, 100 bytes overhead
each) and to the bucket, kept on average 6 months in the year they arrive.

Estimated, not measured: Lambda duration is the local wall time with moto (in another
process, journaling to disk) standing in for AWS. It is not Lambda's time (no cold starts,
different CPU at 128 MB) and should be taken as an order of magnitude. Lambda's own log
lines (START/END/REPORT, ~350 bytes a call) are added per invocation. Photos are 250 kB.
Updates inside DynamoDB transactions count 1 KB each (their size is not returned); an
item leaving an index (a delete in the index) is not counted. Scheduled functions run
against this run's small table: the SLA sweep and SKM functions' costs grow with the
number of open reports and survey samples, so their share is a lower bound.
Left out: Cognito (officers' sign-ins, priced per monthly active user), data transfer
out, KMS requests, SQS dead-letter traffic, the dedupe/duplicate search paths, external
channels (JAKI, LAPOR!, X, Meta, email/SMS inbound), retention beyond the first year,
free tiers (every item is priced from the first unit).

Prices: bench/prices-ap-southeast-3.json, kept as data with their date and a source per
item. The Jakarta figures could not be found offline, so US East list prices stand in
(said per item; WAF's are the same in every Region), and SMS to Indonesia is an
assumption without a source: the result is also given without SMS.
Last line: {"usd_per_1000_reports", "usd_per_year_2024_volume", "prices_date", ...}.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_stack import PROJECT_DIR, local_stack  # noqa: E402

from infra.local.cost_meter import API_HANDLER, INDEX_ENTRY_OVERHEAD, item_size  # noqa: E402

PRICES_FILE = Path(__file__).with_name("prices-ap-southeast-3.json")
REPORTS_2024 = 185_852
STORAGE_MONTHS = 6  # a report arriving during the year is stored 6 months of it on average
LAMBDA_PLATFORM_LOG_BYTES = 350  # START, END and REPORT lines of every invocation
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 250_000
PASSWORD = "Jakarta-Demo-2026"
FIRES_PER_SCHEDULE = 2

# usage key -> (price item, what it is)
PRICED_USAGE = {
    "lambda_requests": ("lambda_requests", "Lambda"),
    "lambda_gb_seconds": ("lambda_gb_second", "Lambda"),
    "apigateway_requests": ("apigateway_rest_requests", "API Gateway"),
    "dynamodb_wru": ("dynamodb_write_request_units", "DynamoDB"),
    "dynamodb_rru": ("dynamodb_read_request_units", "DynamoDB"),
    "dynamodb_storage_gb_month": ("dynamodb_storage_gb_month", "DynamoDB"),
    "sns_publishes": ("sns_publish_requests", "SNS"),
    "sns_email_notifications": ("sns_email_notifications", "SNS"),
    "sms_segments": ("sms_indonesia_per_message", "SMS"),
    "ses_emails": ("ses_emails", "SES"),
    "s3_put_requests": ("s3_put_requests", "S3"),
    "s3_get_requests": ("s3_get_requests", "S3"),
    "s3_storage_gb_month": ("s3_storage_gb_month", "S3"),
    "logs_gb": ("cloudwatch_logs_ingest_gb", "CloudWatch Logs"),
    "waf_requests": ("waf_requests", "WAF"),
}
# What the stack costs whatever the volume, per month: price item -> how many.
FIXED_MONTHLY = {"waf_web_acl_month": lambda rules: 1, "waf_rule_month": lambda rules: rules}
S3_PUT_OPERATIONS = ("PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2",
                     "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
S3_GET_OPERATIONS = ("GetObject", "HeadObject", "SelectObjectContent")
SES_OPERATIONS = ("SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail")


# --- the arithmetic (pure) -------------------------------------------------------------------

def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    return json.loads(path.read_text())


def unit_price(prices: Mapping[str, Any], item: str) -> float:
    entry = prices["items"][item]
    return entry["usd"] / entry["per"]


def cost_by_service(usage: Mapping[str, float], prices: Mapping[str, Any]) -> dict[str, float]:
    """USD per service for `usage` (keys of PRICED_USAGE; unknown keys are not priced)."""
    costs: dict[str, float] = {}
    for key, amount in usage.items():
        if key in PRICED_USAGE:
            item, service = PRICED_USAGE[key]
            costs[service] = costs.get(service, 0.0) + amount * unit_price(prices, item)
    return costs


def waf_rules(template: Path = PROJECT_DIR / "infra" / "aws" / "resources.yaml") -> int:
    """Rules of the API's web ACL in the deployable template (each is billed monthly)."""
    from infra.package import load_template

    return len(load_template(template)["Resources"]["ApiRateLimits"]["Properties"]["Rules"])


def fixed_per_year(prices: Mapping[str, Any], rules: int) -> float:
    """USD a year the stack costs at any volume (the web ACL and its rules)."""
    return 12 * sum(count(rules) * unit_price(prices, item)
                    for item, count in FIXED_MONTHLY.items())


def totals(usage_per_report: Mapping[str, float], prices: Mapping[str, Any],
           reports_per_year: int = REPORTS_2024, fixed_usd_per_year: float = 0.0
           ) -> dict[str, Any]:
    per_1000 = {service: usd * 1000
                for service, usd in cost_by_service(usage_per_report, prices).items()}
    total = sum(per_1000.values())
    return {
        "per_service_usd_per_1000_reports": per_1000,
        "usd_per_1000_reports": total,
        "usd_per_1000_reports_without_sms": total - per_1000.get("SMS", 0.0),
        "usd_fixed_per_year": fixed_usd_per_year,
        "usd_per_year_2024_volume": total * reports_per_year / 1000 + fixed_usd_per_year,
    }


def lambda_gb_seconds(billed_ms: float, memory_mb: int) -> float:
    return billed_ms / 1000 * memory_mb / 1024


def sms_segments(body: str) -> int:
    """Message parts SMS bills: 160 GSM-7 characters in one, 153 per part beyond; 70/67 UCS-2."""
    gsm = all(ord(ch) < 128 for ch in body)
    single, part = (160, 153) if gsm else (70, 67)
    return 1 if len(body) <= single else math.ceil(len(body) / part)


def invocations_per_year(expression: str, start: datetime | None = None) -> int:
    """How often an EventBridge schedule expression fires in 365 days."""
    from infra.local.scheduler import parse_schedule

    start = start or datetime(2025, 1, 1, tzinfo=UTC)  # a year of 365 days
    schedule = parse_schedule(expression, anchor=start)
    if expression.startswith("rate("):
        step = schedule.next_after(start) - start
        return int(timedelta(days=365) / step)
    end, count, moment = start + timedelta(days=365), 0, start
    while (moment := schedule.next_after(moment)) < end:
        count += 1
    return count


def function_usage(stats: Mapping[str, Any], memory_mb: int, api: bool) -> dict[str, float]:
    """Priced usage of a function's metered counters (a delta between two snapshots)."""
    calls = stats.get("calls", {})
    invocations = stats.get("invocations", 0.0)

    def count(service: str, operations: tuple[str, ...] | None = None) -> float:
        return float(sum(n for name, n in calls.items() if name.startswith(service + ".")
                         and (operations is None or name.split(".", 1)[1] in operations)))

    return {
        "lambda_requests": invocations,
        "lambda_gb_seconds": lambda_gb_seconds(stats.get("billed_ms", 0.0), memory_mb),
        "apigateway_requests": invocations if api else 0.0,
        "waf_requests": invocations if api else 0.0,  # every API request passes the web ACL
        "dynamodb_wru": stats.get("wru", 0.0) + stats.get("wru_index", 0.0),
        "dynamodb_rru": stats.get("rru", 0.0),
        "sns_publishes": count("sns", ("Publish", "PublishBatch")),
        "s3_put_requests": count("s3", S3_PUT_OPERATIONS),
        "s3_get_requests": count("s3", S3_GET_OPERATIONS),
        "logs_gb": (stats.get("log_bytes", 0.0) + invocations * LAMBDA_PLATFORM_LOG_BYTES) / 1e9,
    }


def outbox_usage(messages: list[dict[str, Any]]) -> dict[str, float]:
    usage = Counter()
    for message in messages:
        if message["channel"] == "sms":
            usage["sms_segments"] += sms_segments(message.get("body") or "")
        elif message.get("source") == "ses":
            usage["ses_emails"] += 1
        else:
            usage["sns_email_notifications"] += 1
    return dict(usage)


def add(into: dict[str, float], usage: Mapping[str, float], scale: float = 1.0) -> None:
    for key, value in usage.items():
        into[key] = into.get(key, 0.0) + value * scale


def delta(after: Mapping[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    """Per function: counters of `after` minus those of `before`."""
    result = {}
    for name, stats in after.get("functions", {}).items():
        old = before.get("functions", {}).get(name, {})
        diff = {k: v - old.get(k, 0.0) for k, v in stats.items() if k != "calls"}
        calls = {k: v - old.get("calls", {}).get(k, 0) for k, v in stats.get("calls", {}).items()}
        diff["calls"] = {k: v for k, v in calls.items() if v}
        result[name] = diff
    return result


# --- driving the stack -----------------------------------------------------------------------

def memory_mb() -> int:
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    stage = config.get("stages", {}).get("prod", {})
    return int(stage.get("lambda_memory_size") or config.get("lambda_memory_size") or 128)


class Run:
    def __init__(self, url: str, meter: Path) -> None:
        self.url = url
        self.meter = meter
        status = requests.get(f"{url}/_local/status", timeout=10).json()
        self.aws_endpoint = status["aws_endpoint"]
        self.http = requests.Session()
        self.browser = requests.Session()  # straight to S3 (moto), as a browser would
        self.browser_puts = self.browser_gets = 0
        self.schedules = {s["name"]: s["expression"] for s in requests.get(
            f"{url}/_local/schedules", timeout=10).json()["schedules"]}

    def snapshot(self) -> dict[str, Any]:
        return json.loads(self.meter.read_text())

    def outbox_ids(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/_local/outbox", timeout=30).json()["messages"]

    def wait_idle(self, timeout: float = 60) -> None:
        """Until the stream pumps have stood still for a full second."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            pumps = requests.get(f"{self.url}/_local/status", timeout=10).json()["pumps"]
            positions = [(p["after"], p["retrying"]) for p in pumps]
            if positions == last and not any(retrying for _, retrying in positions):
                return
            last = positions
            time.sleep(1.0)
        raise RuntimeError("the stream pumps did not settle")

    def login(self, username: str) -> dict[str, str]:
        answer = self.http.post(f"{self.url}/auth/login", timeout=30,
                                json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['id_token']}"}

    def ok(self, answer: requests.Response) -> dict[str, Any]:
        if answer.status_code >= 300:
            raise RuntimeError(f"{answer.request.method} {answer.url}: "
                               f"{answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else {}

    def upload(self, form: dict[str, Any]) -> None:
        stored = self.browser.post(form["url"], data=form["fields"], timeout=60,
                                   files={"file": ("photo.jpg", PHOTO, "image/jpeg")})
        if stored.status_code not in (200, 201, 204):
            raise RuntimeError(f"photo upload: {stored.status_code} {stored.text[:300]}")
        self.browser_puts += 1

    def view(self, photos: list[dict[str, Any]]) -> None:
        for photo in photos:
            if photo.get("url"):
                self.browser.get(photo["url"], timeout=60).raise_for_status()
                self.browser_gets += 1

    # -- the phases of a lifecycle ----------------------------------------------------------

    def file(self, n: int) -> dict[str, Any]:
        filed = self.ok(self.http.post(f"{self.url}/channels/balai-warga", timeout=60, json={
            "description": f"Lampu jalan mati di depan gedung nomor {n}, gelap sekali malam hari",
            "category": "lampu-jalan", "kelurahan_code": "31.71.01.1001",
            "phone": f"0812-9876-{n % 10_000:04d}"}))
        token = {"token": filed["tracking_token"]}
        ticket = filed["ticket"]
        form = self.ok(self.http.post(f"{self.url}/reports/{ticket}/photos", params=token,
                                      json={"content_type": "image/jpeg"}, timeout=60))
        self.upload(form)
        self.ok(self.http.post(f"{self.url}/reports/{ticket}/photos/attach", params=token,
                               json={"key": form["key"]}, timeout=60))
        self.ok(self.http.get(f"{self.url}/reports/{ticket}", params=token, timeout=60))
        return filed

    def act(self, who: dict[str, str], ticket: str, **body: Any) -> dict[str, Any]:
        return self.ok(self.http.post(f"{self.url}/officer/reports/{ticket}/actions",
                                      json=body, headers=who, timeout=60))

    def work(self, lurah: dict[str, str], ticket: str) -> None:
        self.ok(self.http.get(f"{self.url}/officer/reports", headers=lurah, timeout=60))
        report = self.ok(self.http.get(f"{self.url}/officer/reports/{ticket}", headers=lurah,
                                       timeout=60))
        self.view(report.get("photos", []))
        self.act(lurah, ticket, action="proses", note="Dicek petugas PPSU")
        form = self.ok(self.http.post(f"{self.url}/officer/reports/{ticket}/photos",
                                      headers=lurah, timeout=60,
                                      json={"kind": "after", "content_type": "image/jpeg"}))
        self.upload(form)
        done = self.act(lurah, ticket, action="selesai", note="Lampu sudah diganti",
                        photos=[{"key": form["key"], "kind": "after"}])
        if done.get("status") != "Menunggu Validasi":
            raise RuntimeError(f"{ticket} after selesai: {done}")

    def validate(self, validator: dict[str, str], ticket: str) -> None:
        report = self.ok(self.http.get(f"{self.url}/officer/reports/{ticket}",
                                       headers=validator, timeout=60))
        self.view([p for p in report.get("photos", []) if p.get("kind") == "after"])
        accepted = self.act(validator, ticket, action="validasi", note="Sesuai")
        if accepted.get("status") != "Selesai":
            raise RuntimeError(f"{ticket} after validasi: {accepted}")

    def rate(self, filed: dict[str, Any]) -> None:
        token = {"token": filed["tracking_token"]}
        self.ok(self.http.get(f"{self.url}/reports/{filed['ticket']}", params=token, timeout=60))
        self.ok(self.http.post(f"{self.url}/reports/{filed['ticket']}/rating", params=token,
                               json={"stars": 5, "comment": "Cepat, terima kasih"},
                               timeout=60))

    # -- storage, read straight from moto (not metered) ---------------------------------------

    def stored_bytes(self) -> tuple[int, int]:
        """(table bytes incl. index entries, bucket bytes)."""
        import boto3

        aws = {"endpoint_url": self.aws_endpoint, "region_name": "ap-southeast-3",
               "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        dynamodb = boto3.client("dynamodb", **aws)
        table = dynamodb.describe_table(TableName="crm-local")["Table"]
        keys = [[k["AttributeName"] for k in index["KeySchema"]]
                for index in table.get("GlobalSecondaryIndexes", [])]
        table_bytes = 0
        for page in dynamodb.get_paginator("scan").paginate(TableName="crm-local"):
            for item in page["Items"]:
                size = item_size(item) + INDEX_ENTRY_OVERHEAD
                table_bytes += size * (1 + sum(all(k in item for k in ks) for ks in keys))
        s3 = boto3.client("s3", **aws)
        bucket_bytes = sum(obj["Size"] for page in s3.get_paginator("list_objects_v2")
                           .paginate(Bucket="crm-local-media") for obj in page.get("Contents", []))
        return table_bytes, bucket_bytes


def lifecycle_usage(run: Run, reports: int, memory: int) -> tuple[dict[str, float], dict]:
    """Usage of `reports` lifecycles (totals, not yet per report) and the raw counts."""
    lurah, validator = run.login("lurah.gambir"), run.login("validator.biropem")
    run.wait_idle()
    before, outbox_before = run.snapshot(), {m["id"] for m in run.outbox_ids()}
    stored_before = run.stored_bytes()
    filed = [run.file(n) for n in range(reports)]
    run.wait_idle()
    for report in filed:
        run.work(lurah, report["ticket"])
    run.wait_idle()
    for report in filed:
        run.validate(validator, report["ticket"])
    run.wait_idle()
    for report in filed:
        run.rate(report)
    run.wait_idle()
    counts = delta(run.snapshot(), before)
    sent = [m for m in run.outbox_ids() if m["id"] not in outbox_before]
    stored_after = run.stored_bytes()

    usage: dict[str, float] = {}
    scheduled = set(run.schedules)
    for name, stats in counts.items():
        if name not in scheduled:
            add(usage, function_usage(stats, memory, api=name == API_HANDLER))
    add(usage, outbox_usage(sent))
    usage["s3_put_requests"] = usage.get("s3_put_requests", 0.0) + run.browser_puts
    usage["s3_get_requests"] = usage.get("s3_get_requests", 0.0) + run.browser_gets
    usage["dynamodb_storage_gb_month"] = (stored_after[0] - stored_before[0]) / 1e9 \
        * STORAGE_MONTHS
    usage["s3_storage_gb_month"] = (stored_after[1] - stored_before[1]) / 1e9 * STORAGE_MONTHS
    return usage, {"functions": counts, "messages": Counter(
        f"{_sender(m)} {m['channel']}" for m in sent)}


def _sender(message: dict[str, Any]) -> str:
    source = message.get("source") or ""
    return "SES" if source == "ses" else "SNS direct" if source == "sns" else "SNS topic"



def scheduled_usage(run: Run, memory: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Each scheduled function's usage per invocation times its invocations in a year."""
    usage: dict[str, float] = {}
    detail = {}
    for name, expression in run.schedules.items():
        before, outbox_before = run.snapshot(), {m["id"] for m in run.outbox_ids()}
        for _ in range(FIRES_PER_SCHEDULE):
            fired = requests.post(f"{run.url}/_local/schedules/{name}", timeout=300).json()
            if not fired.get("ok"):
                raise RuntimeError(f"{name} failed: {fired.get('error')}")
        run.wait_idle()
        stats = delta(run.snapshot(), before).get(name, {})
        fires = stats.get("invocations", 0.0) or FIRES_PER_SCHEDULE
        sent = [m for m in run.outbox_ids() if m["id"] not in outbox_before]
        per_fire: dict[str, float] = {}
        add(per_fire, function_usage(stats, memory, api=False), 1 / fires)
        add(per_fire, outbox_usage(sent), 1 / fires)
        yearly = invocations_per_year(expression)
        add(usage, per_fire, yearly)
        detail[name] = {"expression": expression, "invocations_per_year": yearly,
                        "ms_per_invocation": round(stats.get("duration_ms", 0.0) / fires, 1),
                        "calls_per_invocation": {k: round(v / fires, 2)
                                                 for k, v in stats.get("calls", {}).items()}}
    return usage, detail


def main() -> None:
    reports = int(os.environ.get("BENCH_REPORTS", "30"))
    prices = load_prices()
    memory = memory_mb()
    with tempfile.TemporaryDirectory(prefix="crm-cost-") as scratch:
        meter = Path(scratch) / "meter.json"
        with local_stack({"CRM_COST_METER": str(meter)}) as url:
            run = Run(url, meter)
            started = time.monotonic()
            lifecycle, raw = lifecycle_usage(run, reports, memory)
            lifecycle_seconds = time.monotonic() - started
            yearly_scheduled, schedules = scheduled_usage(run, memory)

    per_report: dict[str, float] = {}
    add(per_report, lifecycle, 1 / reports)
    add(per_report, yearly_scheduled, 1 / REPORTS_2024)
    result = totals(per_report, prices, fixed_usd_per_year=fixed_per_year(prices, waf_rules()))
    scheduled_share = totals({k: v / REPORTS_2024 for k, v in yearly_scheduled.items()},
                             prices)["usd_per_1000_reports"]

    print(f"{reports} report lifecycles in {lifecycle_seconds:.0f} s; Lambda {memory} MB; "
          f"prices {prices['prices_date']} ({prices['region']}, see the file: stand-ins)")
    for name, stats in sorted(raw["functions"].items()):
        if stats.get("invocations") and name not in run.schedules:
            print(f"  {name:<24} {stats['invocations'] / reports:6.2f} invocations/report, "
                  f"{stats['duration_ms'] / max(stats['invocations'], 1):7.1f} ms each (local)")
    for name, info in schedules.items():
        print(f"  {name:<24} {info['invocations_per_year']:>7} fires/year, "
              f"{info['ms_per_invocation']:7.1f} ms each (local)")
    print("  messages per report: " + ", ".join(
        f"{kind} {n / reports:.2f}" for kind, n in sorted(raw["messages"].items())))
    print("USD per 1,000 reports by service:")
    for service, usd in sorted(result["per_service_usd_per_1000_reports"].items(),
                               key=lambda kv: -kv[1]):
        print(f"  {service:<16} {usd:10.4f}")
    print(f"  {'total':<16} {result['usd_per_1000_reports']:10.4f}   "
          f"(without SMS {result['usd_per_1000_reports_without_sms']:.4f}; "
          f"scheduled functions' share {scheduled_share:.4f})")
    print(f"per year at 2024 volume ({REPORTS_2024:,} reports): "
          f"USD {result['usd_per_year_2024_volume']:,.2f} "
          f"(of it fixed, the WAF web ACL and rules: {result['usd_fixed_per_year']:,.2f})")
    print(json.dumps({
        "usd_per_1000_reports": round(result["usd_per_1000_reports"], 4),
        "usd_per_year_2024_volume": round(result["usd_per_year_2024_volume"], 2),
        "prices_date": prices["prices_date"],
        "usd_per_1000_reports_without_sms": round(result["usd_per_1000_reports_without_sms"], 4),
        "usd_fixed_per_year": round(result["usd_fixed_per_year"], 2),
        "usd_per_1000_reports_by_service": {k: round(v, 4) for k, v in
                                            result["per_service_usd_per_1000_reports"].items()},
        "usage_per_report": {k: round(v, 6) for k, v in per_report.items()},
        "invocations_per_report": {
            name: round(stats["invocations"] / reports, 2)
            for name, stats in sorted(raw["functions"].items())
            if stats.get("invocations") and name not in run.schedules},
        "dynamodb_writes_sized_as_1kb_per_report": round(sum(
            stats.get("wru_estimated_items", 0.0) for stats in raw["functions"].values())
            / reports, 2),
        "messages_per_report": {k: round(n / reports, 2) for k, n in raw["messages"].items()},
        "scheduled_usd_per_1000_reports": round(scheduled_share, 4),
        "reports": reports,
        "lambda_memory_mb": memory,
        "prices_region": "us-east-1 list prices standing in for ap-southeast-3; SMS assumed",
    }))


if __name__ == "__main__":
    main()
