"""The deployable template (infra/aws/resources.yaml merged into `chalice package`) and the
least-privilege policies (.chalice/policy-*.json), checked offline.

The template is packaged without dependencies (`--template-only`: the same template, in
seconds); the full `make package` also downloads Lambda wheels and is timed in the README.
The scanners (checkov, AWS's SAM translator) run from their own venv, created on first use
(infra/aws/scan.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.table import TTL_ATTRIBUTE, table_definition
from chalicelib.adapters.user_pool import CUSTOM_ATTRIBUTES, create_user_pool
from infra.aws import scan
from infra.package import (
    ASYNC_EVENT_TYPES,
    FUNCTION,
    MERGE_TEMPLATE,
    REGION,
    ROOT,
    STAGES,
    STATEMENT_CHECKOV_SKIPS,
    PackagingError,
    finish_template,
    kebab,
    load_template,
    package,
)

POLICY_DIR = ROOT / ".chalice"
# The only statements whose resource cannot be named crm-<stage>, and why:
# - SMS to a phone number has no ARN; IAM accepts only "*" for it.
# - SES sends "from" an identity (domain or address) verified in the account; its name is
#   the city's mail domain, not ours.
# - The stage's KMS key has a generated id; it is named by its alias in a condition, and
#   only for use through SNS (publishing to the encrypted unit topics).
# - SMS to a phone number: everything but an SNS ARN (so no topic, no push endpoint).
SMS_ONLY = "arn:aws:sns:*:*:*"
UNNAMEABLE = {
    "EmailFromVerifiedIdentities": [f"arn:aws:ses:{REGION}:*:identity/*"],
    "UnitTopicKey": [f"arn:aws:kms:{REGION}:*:key/*"],
}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in template["Resources"].items()
            if resource["Type"] == FUNCTION}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("packaged")
    return {stage: package(stage, out / stage, template_only=True) for stage in STAGES}


@pytest.fixture(scope="session")
def templates(packaged: dict[str, Path]) -> dict[str, dict[str, Any]]:
    return {stage: load_template(path) for stage, path in packaged.items()}


# -- (a) the data stores match what the code creates locally ---------------------------------

def test_table_matches_table_definition() -> None:
    table = load_template(MERGE_TEMPLATE)["Resources"]["Table"]["Properties"]
    expected = table_definition("crm-${Stage}")

    def by_name(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
        return {item[key]: item for item in items}

    assert table["TableName"] == {"Fn::Sub": expected["TableName"]}
    assert table["BillingMode"] == expected["BillingMode"]
    assert table["KeySchema"] == expected["KeySchema"]
    assert by_name(table["AttributeDefinitions"], "AttributeName") == by_name(
        expected["AttributeDefinitions"], "AttributeName")
    assert by_name(table["GlobalSecondaryIndexes"], "IndexName") == by_name(
        expected["GlobalSecondaryIndexes"], "IndexName")
    assert expected["StreamSpecification"]["StreamEnabled"]
    assert table["StreamSpecification"]["StreamViewType"] == (
        expected["StreamSpecification"]["StreamViewType"])
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}


class _RecordingCognito:
    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}

    def create_user_pool(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["pool"] = kwargs
        return {"UserPool": {"Id": "pool"}}

    def create_user_pool_client(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["client"] = kwargs
        return {"UserPoolClient": {"ClientId": "client"}}


def test_user_pool_matches_the_local_one() -> None:
    cognito = _RecordingCognito()
    create_user_pool(cognito, "crm-test")
    resources = load_template(MERGE_TEMPLATE)["Resources"]
    pool, client = resources["UserPool"]["Properties"], resources["UserPoolClient"]["Properties"]
    local_policy = cognito.calls["pool"]["Policies"]["PasswordPolicy"]
    assert {k: v for k, v in pool["Policies"]["PasswordPolicy"].items()
            if k in local_policy} == local_policy
    assert {a["Name"] for a in pool["Schema"]} == set(CUSTOM_ATTRIBUTES)
    local_admin = cognito.calls["pool"]["AdminCreateUserConfig"]
    assert {k: v for k, v in pool["AdminCreateUserConfig"].items()
            if k in local_admin} == local_admin  # the deployed pool adds the invitation text
    assert set(client["ExplicitAuthFlows"]) == set(cognito.calls["client"]["ExplicitAuthFlows"])
    assert client["GenerateSecret"] is False
    # Officers must not be able to rewrite their own role or unit.
    assert not {f"custom:{a}" for a in CUSTOM_ATTRIBUTES} & set(client["WriteAttributes"])


# -- (b) cfn-lint, before and after AWS's own SAM transform ----------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_cfn_lint_finds_nothing(stage: str, packaged: dict[str, Path], tmp_path: Path) -> None:
    assert scan.cfn_lint(packaged[stage]) == []
    expanded = scan.sam_transform(packaged[stage], tmp_path / "cloudformation.json")
    assert scan.cfn_lint(tmp_path / "cloudformation.json") == []
    # What Lambda will really get for the stream: the SAM event, expanded.
    (mapping,) = [r["Properties"] for r in expanded["Resources"].values()
                  if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["FailedEventsQueue", "Arn"]}


# -- (c) checkov: every finding fixed or skipped in place with a reason ------------------------

def test_checkov_passes_with_justified_skips_only(packaged: dict[str, Path]) -> None:
    report = scan.checkov(list(packaged.values()))
    assert report.failed == []
    assert report.unjustified == []
    assert report.passed > 50  # it did scan


# -- (d) the stream event source ------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_stream_consumers_report_failures_retry_and_give_up_to_the_queue(
        stage: str, templates: dict[str, dict[str, Any]]) -> None:
    streams = {(name, event_name): event["Properties"]
               for name, function in functions(templates[stage]).items()
               for event_name, event in function["Properties"].get("Events", {}).items()
               if event["Type"] == "DynamoDB"}
    assert ("RouteReports", "RouteReportsDynamodbEventSource") in streams
    for source in streams.values():
        assert source["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
        assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert 1 <= source["MaximumRetryAttempts"] <= 10
        assert source["BisectBatchOnFunctionError"] is True
        assert source["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["FailedEventsQueue", "Arn"]}


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_is_logged_watched_and_configured_by_the_stack(
        stage: str, templates: dict[str, dict[str, Any]]) -> None:
    template = templates[stage]
    resources = template["Resources"]
    global_env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert global_env["CRM_TABLE"] == {"Ref": "Table"}
    assert global_env["CRM_BUCKET"] == {"Ref": "MediaBucket"}
    assert "{{resolve:secretsmanager:${TokenSecret}" in global_env["CRM_TOKEN_SECRET"]["Fn::Sub"]
    assert template["Parameters"]["Stage"]["Default"] == stage
    for name, function in functions(template).items():
        properties = function["Properties"]
        env = {**global_env, **properties["Environment"]["Variables"]}
        assert env["CRM_STAGE"] == stage
        # The stack's names, not the config.json placeholders.
        assert not set(global_env) & set(properties["Environment"]["Variables"])
        assert properties["LoggingConfig"]["LogGroup"] == {"Ref": f"{name}LogGroup"}
        assert resources[f"{name}LogGroup"]["Properties"]["LogGroupName"] == (
            f"/aws/lambda/crm-{stage}-{kebab(name)}")
        for alarm in ("Errors", "Throttles"):
            assert resources[f"{name}{alarm}Alarm"]["Properties"]["Dimensions"] == [
                {"Name": "FunctionName", "Value": {"Ref": name}}]
        event_types = {event["Type"] for event in properties.get("Events", {}).values()}
        if event_types & ASYNC_EVENT_TYPES:
            assert properties["DeadLetterQueue"]["TargetArn"] == {
                "Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
        for event in properties.get("Events", {}).values():
            if event["Type"] == "SNS":  # a topic of this stack, created before the subscription
                assert set(event["Properties"]["Topic"]) == {"Ref"}


def test_finishing_refuses_what_the_merge_left_broken() -> None:
    base = {"Parameters": {"Stage": {"Type": "String"}}, "Resources": {}}
    half = {**base, "Resources": {"RenamedHandler": {"Properties": {"Events": {}}}}}
    with pytest.raises(PackagingError, match="RenamedHandler"):
        finish_template(half, "dev")
    placeholder = {**base, "Resources": {"Reader": {"Type": FUNCTION, "Properties": {
        "Events": {"Source": {"Type": "DynamoDB", "Properties": {
            "Stream": "arn:aws:dynamodb:ap-southeast-3:000000000000:table/crm-local/stream/x"}}}}}}}
    with pytest.raises(PackagingError, match="Reader.Source"):
        finish_template(placeholder, "dev")


def test_rate_limits_in_aws_are_the_local_stacks(templates: dict[str, dict[str, Any]]) -> None:
    """WAF per IP and per channel (and the stage's ceiling) as the local stack limits them,
    answering with the local stack's 429 body."""
    from infra.local.config import StackConfig
    from infra.local.http_server import THROTTLED

    window = 60
    defaults = {f.name: f.default for f in StackConfig.__dataclass_fields__.values()}
    for template in templates.values():
        acl = template["Resources"]["ApiRateLimits"]["Properties"]
        rules = {rule["Name"]: rule for rule in acl["Rules"]}
        per_ip = rules["per-ip"]["Statement"]["RateBasedStatement"]
        per_channel = rules["per-channel"]["Statement"]["RateBasedStatement"]
        assert per_ip["AggregateKeyType"] == "IP" and per_ip["EvaluationWindowSec"] == window
        assert per_ip["Limit"] == defaults["rate_per_ip"].rate * window
        assert per_channel["Limit"] == defaults["rate_per_channel"].rate * window
        assert per_channel["CustomKeys"][0]["UriPath"]
        assert "/channels/" in json.dumps(per_channel["ScopeDownStatement"])
        for name in ("per-ip", "per-channel"):
            response = rules[name]["Action"]["Block"]["CustomResponse"]
            assert response["ResponseCode"] == 429
            assert response["ResponseHeaders"][0]["Name"] == "Retry-After"
            body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
            assert json.loads(body["Content"]) == THROTTLED
        association = template["Resources"]["ApiRateLimitsAssociation"]["Properties"]
        assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiRateLimits", "Arn"]}
        assert {"Ref": "RestAPI.Stage"} in association["ResourceArn"]["Fn::Join"][1]
        (ceiling,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
        assert (ceiling["ResourcePath"], ceiling["HttpMethod"]) == ("/*", "*")
        assert ceiling["ThrottlingRateLimit"] >= defaults["rate_per_channel"].rate


def test_invited_officers_get_their_temporary_password_and_where_to_sign_in(
        templates: dict[str, dict[str, Any]]) -> None:
    for template in templates.values():
        invite = template["Resources"]["UserPool"]["Properties"]["AdminCreateUserConfig"][
            "InviteMessageTemplate"]
        email = invite["EmailMessage"]["Fn::Sub"]
        assert "{username}" in email and "{####}" in email  # Cognito refuses it otherwise
        assert "${PublicBaseUrl}/petugas/masuk" in email and "kata sandi baru" in email
        assert "{username}" in invite["SMSMessage"] and "{####}" in invite["SMSMessage"]
        assert len(invite["SMSMessage"]) <= 140


def test_raw_payloads_are_not_kept_longer_than_contact_on_reports() -> None:
    from chalicelib.services.privacy import DEFAULT_RETENTION_DAYS

    parameters = load_template(MERGE_TEMPLATE)["Parameters"]
    assert parameters["RawArchiveRetentionDays"]["Default"] <= DEFAULT_RETENTION_DAYS


# -- (e) the policies ---------------------------------------------------------------------

def policy_files(stage: str) -> list[Path]:
    return sorted(POLICY_DIR.glob(f"policy-{stage}.json")) + sorted(
        POLICY_DIR.glob(f"policy-{stage}-*.json"))


def statements(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())["Statement"]


def grants(path: Path) -> set[tuple[str, str, str]]:
    return {(action, resource if "Resource" in s else f"not {resource}",
             json.dumps(s.get("Condition"), sort_keys=True))
            for s in statements(path) for action in as_list(s["Action"])
            for resource in as_list(s.get("Resource", s.get("NotResource")))}


@pytest.mark.parametrize("path", [p for stage in STAGES for p in policy_files(stage)],
                         ids=lambda p: p.name)
def test_policy_names_only_its_stage(path: Path) -> None:
    stage = re.match(r"policy-([a-z]+)", path.name).group(1)
    named = re.compile(rf"^(?:table/|log-group:/aws/lambda/|secret:|parameter/)?crm-{stage}"
                       r"(?:$|[-/:])")
    for statement in statements(path):
        assert statement["Effect"] == "Allow" and "NotAction" not in statement
        if statement.get("Sid") == "SmsToPhoneNumbers":
            assert statement == {"Sid": "SmsToPhoneNumbers", "Effect": "Allow",
                                 "Action": ["sns:Publish"], "NotResource": SMS_ONLY}
            continue
        assert "NotResource" not in statement
        assert not [a for a in as_list(statement["Action"]) if "*" in a], statement
        resources = as_list(statement["Resource"])
        if statement.get("Sid") in UNNAMEABLE:
            assert resources == UNNAMEABLE[statement["Sid"]]
            if statement["Sid"] == "UnitTopicKey":
                condition = statement["Condition"]
                assert condition["ForAnyValue:StringEquals"] == {
                    "kms:ResourceAliases": f"alias/crm-{stage}"}
                assert condition["StringEquals"] == {
                    "kms:ViaService": f"sns.{REGION}.amazonaws.com"}
            continue
        for resource in resources:
            arn, partition, service, region, _account, name = resource.split(":", 5)
            assert (arn, partition) == ("arn", "aws"), resource
            if service == "s3":
                # Bucket names are global and ours ends in the account id: pin the account.
                assert statement["Condition"] == {
                    "StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}
            else:
                assert region == REGION, resource
            assert named.match(name), f"{path.name}: {resource} is not a crm-{stage} resource"


@pytest.mark.parametrize("stage", STAGES)
def test_function_policies_stay_within_the_stage_policy(stage: str) -> None:
    union = grants(POLICY_DIR / f"policy-{stage}.json")
    for path in policy_files(stage)[1:]:
        assert grants(path) <= union, f"{path.name} grants more than policy-{stage}.json"


def test_dev_and_prod_policies_differ_only_by_stage() -> None:
    dev = {p.name.replace("policy-dev", "policy-prod"): p for p in policy_files("dev")}
    prod = {p.name: p for p in policy_files("prod")}
    assert set(dev) == set(prod)
    for name, path in dev.items():
        assert path.read_text().replace("crm-dev", "crm-prod") == prod[name].read_text(), name


@pytest.mark.parametrize("stage", STAGES)
def test_each_role_carries_the_policy_file_config_json_names(
        stage: str, templates: dict[str, dict[str, Any]]) -> None:
    config = json.loads((POLICY_DIR / "config.json").read_text())["stages"][stage]
    per_function = config.get("lambda_functions", {})
    resources = templates[stage]["Resources"]
    for name, function in functions(templates[stage]).items():
        chalice_name = kebab(name).replace("-", "_")
        policy_file = per_function.get(chalice_name, {}).get(
            "iam_policy_file", config["iam_policy_file"])
        role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
        (policy,) = role["Properties"]["Policies"]
        assert policy["PolicyDocument"] == json.loads((POLICY_DIR / policy_file).read_text())
        # Statements checkov flags carry their reason next to the role.
        sids = {s.get("Sid") for s in policy["PolicyDocument"]["Statement"]}
        skipped = {s["id"] for s in role.get("Metadata", {}).get("checkov", {}).get("skip", [])}
        assert {STATEMENT_CHECKOV_SKIPS[sid][0] for sid in sids & set(STATEMENT_CHECKOV_SKIPS)} <= (
            skipped)
