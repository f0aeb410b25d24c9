"""`make package STAGE=dev`: the deployable CloudFormation (SAM) template of a stage, offline.

    python -m infra.package --stage dev            # build/dev/sam.yaml + build/dev/deployment.zip
    python -m infra.package --stage dev --template-only --out DIR   # the template alone (tests)

Steps:
1. Preflight (~15 s, then remembered in build/): every runtime requirement, at the
   version `chalice package` will pick, must have a wheel the Lambda runtime can load.
   Chalice itself, when a wheel is missing, compiles the sdist on this machine (many
   minutes for numpy-like packages), finds the result built for the wrong glibc, and then
   only *warns* and writes a zip without the package: a deployment that fails at import
   time. The Python runtime of Lambda is the Python running Chalice
   (chalice.config.Config.lambda_python_version).
2. `chalice package --merge-template infra/aws/resources.yaml`: Chalice's own template,
   deep-merged with ours (see the header of resources.yaml). The AWS environment is
   scrubbed first, so a shell pointed at the local stack cannot leak into the template,
   and nothing is ever sent to AWS.
3. `finish_template()`: what a merge file cannot express because it is the same for every
   function Chalice emits, including functions added later (a merge file names resources
   one by one): its log group (retention, KMS), Errors/Throttles alarms, a missed-schedule
   alarm for rate() schedules, the failed-events queue for asynchronously invoked
   functions, SNS event sources pointed at the stack's topics (so they are created first),
   the stack's environment values winning over .chalice/config.json placeholders, and the
   Stage parameter pinned to the packaged stage. It also refuses templates the merge left
   broken (a half resource, a stream event with Chalice's placeholder ARN).

`--template-only` packages a copy of the app with no requirements: the same template in a
few seconds, for tests and linting; its zip is deleted since it cannot run.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "aws" / "resources.yaml"
REGION = "ap-southeast-3"
STAGES = ("dev", "prod")
TEMPLATE_NAME = "sam.yaml"

FUNCTION = "AWS::Serverless::Function"
# Lambda invokes these event sources asynchronously: a failure is retried twice and then
# dropped unless the function has a dead-letter queue.
ASYNC_EVENT_TYPES = {"SNS", "Schedule", "S3", "CloudWatchEvent", "EventBridgeRule"}
# Logical ids of resources.yaml that the per-function additions refer to.
ALERTS_TOPIC = "AlertsTopic"
FAILED_EVENTS_QUEUE = "FailedEventsQueue"
DATA_KEY = "DataKey"
LOG_RETENTION_PARAMETER = "LogRetentionInDays"

# Checkov findings every Chalice function would raise, each with why it does not apply.
# They are written into each function's Metadata, next to the resource, like the skips of
# resources.yaml.
FUNCTION_CHECKOV_SKIPS = {
    "CKV_AWS_117": (
        "Not in a VPC on purpose: the functions reach only AWS APIs (DynamoDB, S3, SNS, "
        "SES, Cognito) and partner HTTPS APIs; a VPC would add NAT cost and cold-start "
        "latency and protect nothing that IAM does not already guard."),
    "CKV_AWS_115": (
        "No reserved concurrency: a per-function cap would turn away complaint intake "
        "during a city-wide incident and take concurrency from the other functions; each "
        "function's Throttles alarm reports when the account limit is reached."),
}
# Policy files are JSON and cannot carry comments: the reason for a statement checkov flags
# lives here, keyed by the statement's Sid, and lands in the Metadata of each role using it.
STATEMENT_CHECKOV_SKIPS = {
    "SmsToPhoneNumbers": ("CKV_AWS_111", (
        "sns:Publish to a phone number has no resource ARN, so the statement allows "
        "everything but SNS ARNs (NotResource arn:aws:sns:*:*:*): phone numbers only, no "
        "topic or push endpoint (topics are granted separately, by name). The messages "
        "are citizens' one-segment notices; SNS spend limits cap abuse.")),
}
DLQ_SKIP_REASONS = {
    "Api": ("Invoked synchronously (API Gateway, or a direct call): a failure is answered "
            "to the caller, there is no event to keep."),
    "DynamoDB": ("Stream consumer: failed batches go to the failed-events queue through the "
                 "event source's on-failure destination (DestinationConfig), which is the "
                 "stream equivalent of a dead-letter queue."),
}


class PackagingError(RuntimeError):
    pass


# -- step 1: preflight -----------------------------------------------------------------------

def lambda_abi() -> str:
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def lambda_platforms(abi: str) -> list[str]:
    """The wheel platform tags Chalice accepts for the Lambda runtime of `abi`.

    Taken from Chalice (a private helper, pinned by requirements-dev.txt) so the preflight
    and the packager can never disagree on what the runtime's glibc is.
    """
    from chalice.deploy.packager import DependencyBuilder
    from chalice.utils import OSUtils

    return DependencyBuilder(OSUtils())._get_pip_platforms(abi)


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          capture_output=True, text=True, check=False)


def resolved_requirements(requirements: Path) -> list[str]:
    """`name==version` of the whole closure, as pip resolves it here (Chalice's first pass)."""
    result = _pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", "-",
                  "-r", str(requirements))
    if result.returncode != 0:
        raise PackagingError(f"cannot resolve {requirements}:\n{result.stderr}")
    report = json.loads(result.stdout)
    return sorted(f"{item['metadata']['name']}=={item['metadata']['version']}"
                  for item in report["install"])


def missing_lambda_wheels(pins: list[str], abi: str) -> list[str]:
    """The pins without a wheel for the Lambda runtime (pip names one failure per run)."""
    platform_args = [arg for tag in lambda_platforms(abi) for arg in ("--platform", tag)]
    version = f"{abi[2]}.{abi[3:]}"
    remaining, missing = list(pins), []
    with tempfile.TemporaryDirectory() as target:
        while remaining:
            result = _pip("install", "--dry-run", "--ignore-installed", "--no-deps", "--quiet",
                          "--only-binary=:all:", "--implementation", "cp", "--abi", abi,
                          "--python-version", version, *platform_args, "--target", target,
                          *remaining)
            if result.returncode == 0:
                break
            found = re.search(r"(?:requirement|distribution found for) (\S+?==\S+?)[\s)]",
                              result.stderr)
            if not found or found.group(1) not in remaining:
                raise PackagingError(f"pip failed unexpectedly:\n{result.stderr}")
            missing.append(found.group(1))
            remaining.remove(found.group(1))
    return missing


def preflight(requirements: Path = ROOT / "requirements.txt",
              cache_dir: Path = ROOT / "build") -> None:
    """Fail unless every requirement has a Lambda wheel; remembered per requirements file."""
    abi = lambda_abi()
    platforms = lambda_platforms(abi)
    digest = hashlib.sha256(requirements.read_bytes() + " ".join([abi, *platforms]).encode())
    stamp = cache_dir / f".lambda-wheels-ok-{digest.hexdigest()[:16]}"
    if stamp.exists():
        return
    missing = missing_lambda_wheels(resolved_requirements(requirements), abi)
    if missing:
        raise PackagingError(
            f"no wheel for the Lambda python{abi[2]}.{abi[3:]} runtime "
            f"({platforms[0]} .. {platforms[-2]}) for: {', '.join(missing)}.\n"
            "Pin a version that ships one in requirements.txt (also for packages pulled in "
            "by others), or Chalice would build a zip without them.")
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp.touch()


# -- step 2: chalice package --------------------------------------------------------------------

def _chalice_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "CRM_"))}
    # Chalice needs a region to name ARNs; nothing here may reach AWS (no credentials, no
    # instance metadata).
    env.update(AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true")
    return env


def _stage_app_copy(into: Path) -> Path:
    """A copy of the app with no requirements: Chalice then only zips the app's code."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments", "venv")
    shutil.copy2(ROOT / "app.py", into / "app.py")
    shutil.copytree(ROOT / "chalicelib", into / "chalicelib", ignore=ignore)
    shutil.copytree(ROOT / ".chalice", into / ".chalice", ignore=ignore)
    (into / "requirements.txt").write_text("")
    return into


def chalice_package(stage: str, out: Path, project: Path = ROOT) -> str:
    chalice = Path(sys.executable).with_name("chalice")
    if out.exists():
        shutil.rmtree(out)
    result = subprocess.run(
        [str(chalice), "package", "--stage", stage, "--pkg-format", "cloudformation",
         "--template-format", "yaml", "--merge-template", str(MERGE_TEMPLATE), str(out)],
        cwd=project, env=_chalice_environment(), capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise PackagingError(f"chalice package failed:\n{output}")
    if "Could not install dependencies" in output:
        raise PackagingError(f"chalice left dependencies out of the zip:\n{output}")
    return output


# -- step 3: what the merge cannot say ------------------------------------------------------

def kebab(logical_id: str) -> str:
    """RouteReports -> route-reports, APIHandler -> api-handler."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", logical_id).lower()


def _substitute_stage(value: Any, stage: str) -> Any:
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return value["Fn::Sub"].replace("${Stage}", stage)
    return value


def _alarm(name: str, description: str, function: str, metric: str, **settings: Any) -> dict:
    properties = {
        "AlarmName": name,
        "AlarmDescription": description,
        "Namespace": "AWS/Lambda",
        "MetricName": metric,
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function}}],
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": ALERTS_TOPIC}],
        "OKActions": [{"Ref": ALERTS_TOPIC}],
    }
    properties.update(settings)
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _schedule_seconds(expression: Any) -> int | None:
    found = _RATE.match(expression) if isinstance(expression, str) else None
    if not found:
        return None  # cron(): irregular by design, no "it should have run by now"
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")]


def _check_merge(resources: dict[str, Any]) -> None:
    half = sorted(name for name, resource in resources.items() if "Type" not in resource)
    if half:
        raise PackagingError(
            f"infra/aws/resources.yaml overrides {', '.join(half)}, which Chalice did not "
            "generate (renamed or removed handler?)")
    for name, resource in resources.items():
        if resource["Type"] != FUNCTION:
            continue
        for event_name, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] == "DynamoDB" and isinstance(event["Properties"]["Stream"], str):
                raise PackagingError(
                    f"{name}.{event_name} still reads the stream ARN Chalice saw at packaging "
                    f"time; wire it in infra/aws/resources.yaml (see RouteReports)")


def _finish_function(resources: dict[str, Any], name: str, stage: str,
                     global_env: dict[str, Any], topics: dict[str, str]) -> None:
    function = resources[name]
    properties = function["Properties"]
    label = f"crm-{stage}-{kebab(name)}"

    variables = properties.get("Environment", {}).get("Variables", {})
    for key in global_env:
        variables.pop(key, None)  # the Globals value (the stack's resource) applies

    resources[f"{name}LogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "LogGroupName": f"/aws/lambda/{label}",
            "RetentionInDays": {"Ref": LOG_RETENTION_PARAMETER},
            "KmsKeyId": {"Fn::GetAtt": [DATA_KEY, "Arn"]},
        },
    }
    properties["LoggingConfig"] = {"LogGroup": {"Ref": f"{name}LogGroup"}, "LogFormat": "Text"}

    events = properties.get("Events", {})
    for event in events.values():
        topic = event["Properties"].get("Topic") if event["Type"] == "SNS" else None
        topic_name = _substitute_stage(topic, stage)
        if isinstance(topic_name, str) and topic_name.rsplit(":", 1)[-1] in topics:
            event["Properties"]["Topic"] = {"Ref": topics[topic_name.rsplit(":", 1)[-1]]}
    event_types = {event["Type"] for event in events.values()}

    skips = dict(FUNCTION_CHECKOV_SKIPS)
    if event_types & ASYNC_EVENT_TYPES:
        properties["DeadLetterQueue"] = {
            "Type": "SQS", "TargetArn": {"Fn::GetAtt": [FAILED_EVENTS_QUEUE, "Arn"]}}
    else:
        kind = "DynamoDB" if "DynamoDB" in event_types else "Api"
        skips["CKV_AWS_116"] = DLQ_SKIP_REASONS[kind]
    _add_checkov_skips(function, skips)

    resources[f"{name}ErrorsAlarm"] = _alarm(
        f"{label}-errors", f"{label} failed (unhandled error or timeout).", name, "Errors")
    resources[f"{name}ThrottlesAlarm"] = _alarm(
        f"{label}-throttles", f"{label} was throttled (concurrency limit).", name, "Throttles")
    rates = [seconds for event in events.values() if event["Type"] == "Schedule"
             if (seconds := _schedule_seconds(event["Properties"].get("Schedule")))]
    if rates and min(rates) <= 6 * 3600:
        # Three missed runs in a row, at least 5 minutes: an alarm period holds <= 1 day.
        period = max(300, -(-3 * min(rates) // 60) * 60)
        resources[f"{name}MissedScheduleAlarm"] = _alarm(
            f"{label}-not-running", f"{label} has not run for {period // 60} minutes.",
            name, "Invocations", Period=period, Threshold=1,
            ComparisonOperator="LessThanThreshold", TreatMissingData="breaching")


def _add_checkov_skips(resource: dict[str, Any], skips: dict[str, str]) -> None:
    existing = resource.setdefault("Metadata", {}).setdefault("checkov", {}).setdefault("skip", [])
    known = {skip["id"] for skip in existing}
    existing.extend({"id": check, "comment": comment}
                    for check, comment in skips.items() if check not in known)


def _justify_role_statements(role: dict[str, Any]) -> None:
    skips = {}
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement.get("Sid") in STATEMENT_CHECKOV_SKIPS:
                check, comment = STATEMENT_CHECKOV_SKIPS[statement["Sid"]]
                skips[check] = comment
    if skips:
        _add_checkov_skips(role, skips)


def finish_template(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The packaged template with the per-function additions (a new dict)."""
    template = copy.deepcopy(template)
    resources = template["Resources"]
    _check_merge(resources)
    # The functions' code and names were packaged for this stage: deploying the template
    # with another Stage value would mix names, so a CloudFormation rule refuses it.
    template["Parameters"]["Stage"]["Default"] = stage
    template.setdefault("Rules", {})["StageIsThePackagedStage"] = {
        "Assertions": [{
            "Assert": {"Fn::Equals": [{"Ref": "Stage"}, stage]},
            "AssertDescription": f"This template was packaged for stage {stage}; "
                                 f"run make package STAGE=<stage> for another.",
        }]}
    global_env = (template.get("Globals", {}).get("Function", {})
                  .get("Environment", {}).get("Variables", {}))
    topics = {_substitute_stage(resource["Properties"]["TopicName"], stage): name
              for name, resource in resources.items()
              if resource["Type"] == "AWS::SNS::Topic"}
    for name in sorted(name for name, resource in resources.items()
                       if resource["Type"] == FUNCTION):
        _finish_function(resources, name, stage, global_env, topics)
    for resource in resources.values():
        if resource["Type"] == "AWS::IAM::Role":
            _justify_role_statements(resource)
    return template


# -- reading templates --------------------------------------------------------------------

class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub...) as their long form."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = tag_suffix if tag_suffix in ("Ref", "Condition") else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 (a SafeLoader)


# -- the command -------------------------------------------------------------------------

def package(stage: str, out: Path, *, template_only: bool = False,
            check_wheels: bool = True) -> Path:
    """Build `out/sam.yaml` (+ `out/deployment.zip` unless template_only); returns the template."""
    if stage not in STAGES:
        raise PackagingError(f"unknown stage {stage!r}; one of {', '.join(STAGES)}")
    out = out.resolve()
    if template_only:
        with tempfile.TemporaryDirectory() as scratch:
            chalice_package(stage, out, project=_stage_app_copy(Path(scratch)))
        (out / "deployment.zip").unlink(missing_ok=True)
    else:
        if check_wheels:
            preflight()
        chalice_package(stage, out)
    template_path = out / TEMPLATE_NAME
    finished = finish_template(load_template(template_path), stage)
    template_path.write_text(yaml.safe_dump(finished, allow_unicode=True, sort_keys=False))
    return template_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", required=True, choices=STAGES)
    parser.add_argument("--out", type=Path, help="output directory (default build/<stage>)")
    parser.add_argument("--template-only", action="store_true",
                        help="the template alone, without dependencies (not deployable)")
    parser.add_argument("--skip-wheel-check", action="store_true",
                        help="skip the preflight of Lambda-compatible wheels")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "build" / args.stage
    try:
        template = package(args.stage, out, template_only=args.template_only,
                           check_wheels=not args.skip_wheel_check)
    except PackagingError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    print(template)
    zip_path = out / "deployment.zip"
    if zip_path.exists():
        print(zip_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
