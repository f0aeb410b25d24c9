"""The AWS resources the app expects, created in moto at every start if missing.

Each resource is one function `(aws, config) -> environment variables for the app`. Every step
checks before it writes, so a restart adds nothing to the journal. To add a resource (an SNS
topic, a Cognito pool), write one more function and append it to RESOURCES.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from infra.local.config import STAGE, StackConfig

STREAM_DLQ_NAME = "crm-local-stream-dlq"


class AwsClients:
    """boto3 clients pointed at moto (thread-safe; one per service)."""

    def __init__(self, endpoint: str, region: str) -> None:
        self.endpoint, self.region = endpoint, region
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
        self._clients: dict[str, Any] = {}
        self._config = BotoConfig(retries={"max_attempts": 3, "mode": "standard"},
                                  connect_timeout=5, read_timeout=60)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self.endpoint, config=self._config)
        return self._clients[service]


Resource = Callable[[AwsClients, StackConfig], dict[str, str]]


def ensure_table(aws: AwsClients, config: StackConfig) -> dict[str, str]:
    from chalicelib.adapters.table import CREATED_INDEX, backfill_created_index, create_table

    dynamodb = aws.client("dynamodb")
    added = create_table(dynamodb, config.table)
    if CREATED_INDEX in added:  # a table of an older version: index what it holds
        backfill_created_index(dynamodb, config.table)
    table = dynamodb.describe_table(TableName=config.table)["Table"]
    # app.py reads this at import time for @app.on_dynamodb_record(stream_arn=...).
    return {"CRM_TABLE_STREAM_ARN": table["LatestStreamArn"]}


def media_bucket_cors(config: StackConfig) -> list[dict[str, Any]]:
    """Browsers upload photos straight to the bucket with presigned PUT/POST from the app page."""
    return [{
        "AllowedOrigins": [config.app_url, f"http://localhost:{config.port}"],
        "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }]


def ensure_media_bucket(aws: AwsClients, config: StackConfig) -> dict[str, str]:
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=config.bucket)
    except ClientError:
        s3.create_bucket(Bucket=config.bucket, CreateBucketConfiguration={
            "LocationConstraint": config.region})
    wanted = media_bucket_cors(config)
    try:
        current = s3.get_bucket_cors(Bucket=config.bucket)["CORSRules"]
    except ClientError:
        current = None
    if _normalized(current) != _normalized(wanted):
        s3.put_bucket_cors(Bucket=config.bucket, CORSConfiguration={"CORSRules": wanted})
    return {}


def _normalized(rules: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if rules is None:
        return None
    return [{key: sorted(value) if isinstance(value, list) else value
             for key, value in rule.items() if key != "ID"} for rule in rules]


def ensure_stream_dlq(aws: AwsClients, config: StackConfig) -> dict[str, str]:
    sqs = aws.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=STREAM_DLQ_NAME)["QueueUrl"]
    except ClientError:
        url = sqs.create_queue(QueueName=STREAM_DLQ_NAME,
                               Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return {"CRM_STREAM_DLQ_URL": url, "CRM_STREAM_DLQ_ARN": arn["Attributes"]["QueueArn"]}


def ensure_sender_identity(aws: AwsClients, config: StackConfig) -> dict[str, str]:
    # SES (and moto) refuse to send from an unverified address; v2 shares v1's identities.
    ses = aws.client("ses")
    found = ses.get_identity_verification_attributes(Identities=[config.sender_email])
    status = found["VerificationAttributes"].get(config.sender_email, {})
    if status.get("VerificationStatus") != "Success":
        ses.verify_email_identity(EmailAddress=config.sender_email)
    return {}


def ensure_officers(aws: AwsClients, config: StackConfig) -> dict[str, str]:
    """The officers' user pool with the demo accounts, each subscribed to their unit's alerts."""
    from chalicelib.adapters.notify import unit_topic_name
    from chalicelib.adapters.user_pool import create_officer, create_user_pool
    from chalicelib.registry import demo_officers

    cognito, sns = aws.client("cognito-idp"), aws.client("sns")
    name = f"crm-{STAGE}"
    pools = [p for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]
    if pools:
        pool_id = pools[0]["Id"]
        client_id = cognito.list_user_pool_clients(
            UserPoolId=pool_id, MaxResults=10)["UserPoolClients"][0]["ClientId"]
    else:
        pool_id, client_id = create_user_pool(cognito, name)
    existing = {u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]}
    for officer in demo_officers():
        if officer.username not in existing:
            create_officer(cognito, pool_id, officer, config.demo_password)
        topic = sns.create_topic(Name=unit_topic_name(STAGE, officer.unit))["TopicArn"]
        subscribed = {(s["Protocol"], s["Endpoint"]) for s in
                      sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]}
        for protocol, endpoint in (("email", officer.email), ("sms", officer.phone)):
            if endpoint and protocol in officer.alerts and (protocol, endpoint) not in subscribed:
                sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
    return {"CRM_USER_POOL_ID": pool_id, "CRM_USER_POOL_CLIENT_ID": client_id}


RESOURCES: tuple[Resource, ...] = (
    ensure_table,
    ensure_media_bucket,
    ensure_stream_dlq,
    ensure_sender_identity,
    ensure_officers,
)


def ensure_all(aws: AwsClients, config: StackConfig,
               resources: Sequence[Resource] = RESOURCES) -> dict[str, str]:
    """Create what is missing; returns the variables the resources export to the app."""
    exported: dict[str, str] = {}
    for resource in resources:
        exported.update(resource(aws, config))
    return exported
