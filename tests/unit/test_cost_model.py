"""bench/cost.py's pricing arithmetic and the cost meter's DynamoDB sizing rules."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.local.cost_meter import (
    index_write_units,
    item_size,
    read_units,
    value_size,
    write_units,
)

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def cost():
    spec = importlib.util.spec_from_file_location("bench_cost", BENCH / "cost.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRICES = {"items": {
    "lambda_requests": {"usd": 0.20, "per": 1_000_000},
    "lambda_gb_second": {"usd": 0.0000166667, "per": 1},
    "dynamodb_write_request_units": {"usd": 0.625, "per": 1_000_000},
    "sms_indonesia_per_message": {"usd": 0.04, "per": 1},
    "ses_emails": {"usd": 0.10, "per": 1000},
}}


def test_costs_are_usage_times_unit_price_grouped_by_service(cost) -> None:
    usage = {"lambda_requests": 20, "lambda_gb_seconds": 0.5, "dynamodb_wru": 100,
             "ses_emails": 2, "sms_segments": 3, "not_priced": 99}
    by_service = cost.cost_by_service(usage, PRICES)
    assert by_service["Lambda"] == pytest.approx(20 * 0.2e-6 + 0.5 * 0.0000166667)
    assert by_service["DynamoDB"] == pytest.approx(100 * 0.625e-6)
    assert by_service["SES"] == pytest.approx(2 * 0.0001)
    assert by_service["SMS"] == pytest.approx(0.12)
    assert set(by_service) == {"Lambda", "DynamoDB", "SES", "SMS"}


def test_totals_scale_per_1000_and_per_year(cost) -> None:
    result = cost.totals({"sms_segments": 1, "ses_emails": 10}, PRICES, reports_per_year=2000)
    assert result["usd_per_1000_reports"] == pytest.approx(1000 * (0.04 + 0.001))
    assert result["usd_per_1000_reports_without_sms"] == pytest.approx(1.0)
    assert result["usd_per_year_2024_volume"] == pytest.approx(2 * 41.0)
    fixed = cost.totals({"ses_emails": 10}, PRICES, reports_per_year=2000,
                        fixed_usd_per_year=96.0)
    assert fixed["usd_per_year_2024_volume"] == pytest.approx(2 * 1.0 + 96.0)
    assert fixed["usd_per_1000_reports"] == pytest.approx(1.0)  # fixed costs stay out of it


def test_the_web_acl_and_each_of_its_rules_cost_a_month_whatever_the_volume(cost) -> None:
    prices = json.loads((BENCH / "prices-ap-southeast-3.json").read_text())
    rules = cost.waf_rules()
    assert rules == 3  # per IP, per channel, known bad inputs (infra/aws/resources.yaml)
    assert cost.fixed_per_year(prices, rules) == pytest.approx(12 * (5.0 + rules * 1.0))


def test_the_price_file_names_a_date_a_unit_and_a_source_for_every_priced_item(cost) -> None:
    prices = json.loads((BENCH / "prices-ap-southeast-3.json").read_text())
    datetime.strptime(prices["prices_date"], "%Y-%m-%d")
    for item in [i for i, _service in cost.PRICED_USAGE.values()] + list(cost.FIXED_MONTHLY):
        entry = prices["items"][item]
        assert entry["usd"] >= 0 and entry["per"] > 0 and entry["unit"] and entry["source"]


def test_lambda_gb_seconds_follow_memory(cost) -> None:
    assert cost.lambda_gb_seconds(2000, 128) == pytest.approx(0.25)
    assert cost.lambda_gb_seconds(1000, 1024) == pytest.approx(1.0)


def test_sms_segments(cost) -> None:
    assert cost.sms_segments("a" * 160) == 1
    assert cost.sms_segments("a" * 161) == 2
    assert cost.sms_segments("a" * 307) == 3
    assert cost.sms_segments("é" * 70) == 1
    assert cost.sms_segments("é" * 71) == 2


def test_schedules_fire_per_year(cost) -> None:
    assert cost.invocations_per_year("rate(5 minutes)") == 365 * 24 * 12
    assert cost.invocations_per_year("cron(30 17 * * ? *)") == 365
    assert cost.invocations_per_year("cron(0 18 L 3,6,9,12 ? *)",
                                     datetime(2025, 1, 1, tzinfo=UTC)) == 4


def test_function_usage_counts_api_gateway_only_for_the_api_handler(cost) -> None:
    stats = {"invocations": 4, "billed_ms": 8000, "wru": 10, "wru_index": 5, "rru": 2,
             "calls": {"sns.Publish": 3, "s3.HeadObject": 1, "s3.PutObject": 2,
                       "dynamodb.Query": 7}}
    api = cost.function_usage(stats, 128, api=True)
    assert api["apigateway_requests"] == 4 and api["lambda_requests"] == 4
    assert api["lambda_gb_seconds"] == pytest.approx(1.0)
    assert api["dynamodb_wru"] == 15 and api["dynamodb_rru"] == 2
    assert (api["sns_publishes"], api["s3_put_requests"], api["s3_get_requests"]) == (3, 2, 1)
    assert cost.function_usage(stats, 128, api=False)["apigateway_requests"] == 0


def test_outbox_messages_are_sorted_into_sms_ses_and_sns_email(cost) -> None:
    usage = cost.outbox_usage([
        {"channel": "sms", "body": "x" * 200, "source": "sns"},
        {"channel": "email", "body": "", "source": "ses"},
        {"channel": "email", "body": "", "source": "arn:aws:sns:ap-southeast-3:1:topic"},
    ])
    assert usage == {"sms_segments": 2, "ses_emails": 1, "sns_email_notifications": 1}


# --- DynamoDB sizing -------------------------------------------------------------------------

def test_item_size_counts_names_and_values() -> None:
    assert item_size({"pk": {"S": "R#1"}}) == 2 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 4  # 5 digits: 3 bytes + 1
    assert value_size({"BOOL": True}) == 1
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    assert value_size({"M": {"k": {"S": "v"}}}) == 3 + 1 + 1 + 1
    assert item_size({"s": {"S": "é"}}) == 1 + 2  # UTF-8 bytes


def test_units_round_up_per_kb_and_per_4kb() -> None:
    assert write_units(1) == 1 and write_units(1024) == 1 and write_units(1025) == 2
    assert write_units(3000, transactional=True) == 6
    assert read_units(0) == 0.5 and read_units(4096) == 0.5 and read_units(4097) == 1.0
    assert read_units(5000, consistent=True) == 2.0
    assert read_units(100, transactional=True) == 2.0


def test_index_writes_only_for_indexes_whose_keys_the_item_carries() -> None:
    indexes = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("gsi2pk", "gsi2sk"), "g3": ("g3pk", None)}
    item = {"pk": {"S": "a"}, "gsi1pk": {"S": "W#x"}, "gsi1sk": {"S": "9"},
            "gsi2pk": {"S": "D"}, "g3pk": {"S": "G"}}
    assert index_write_units(item, indexes) == 2.0  # gsi1 and g3; gsi2 lacks its sort key
    big = {**item, "doc": {"S": "x" * 2000}}
    assert index_write_units(big, indexes) == 2 * 3.0  # 2 KB + overhead -> 3 units each
    assert index_write_units(None, indexes) == 0.0


def test_an_index_that_projects_less_is_written_only_with_what_it_projects() -> None:
    big = {"pk": {"S": "R#K7Q4"}, "sk": {"S": "A"}, "doc": {"S": "x" * 3000},
           "status": {"S": "Selesai"}, "c8pk": {"S": "C#2026-11"}, "c8sk": {"S": "2026"}}
    included = {"c8": ("c8pk", "c8sk", ("pk", "sk", "status"))}
    assert index_write_units(big, included) == 1.0  # keys + status + overhead < 1 KB
    assert index_write_units(big, {"c8": ("c8pk", "c8sk")}) == 4.0  # ALL: the 3 KB doc too
