"""Stack settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.local.throttle import Limit

# Jakarta's region; moto accepts it and the app reads it as its own region.
REGION = "ap-southeast-3"
# moto's default account: every ARN moto hands out carries it.
ACCOUNT_ID = "123456789012"
STAGE = "local"
PROJECT_DIR = Path(__file__).resolve().parents[2]


class ConfigError(Exception):
    """A setting is malformed; the message says which and how to fix it."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _limit(env: Mapping[str, str], name: str, default: int) -> Limit:
    """`N` requests per second on average, bursts of 2N."""
    rate = _int(env, name, default, minimum=1)
    return Limit(rate, 2 * rate)


@dataclass(frozen=True)
class StackConfig:
    host: str
    port: int
    aws_port: int
    data_dir: Path
    table: str
    bucket: str
    sender_email: str
    app_spec: str
    stream_max_retries: int
    stream_poll_seconds: float
    demo_password: str = "Jakarta-Demo-2026"
    # Like API Gateway throttling / a WAF rate rule: requests per second and burst.
    rate_per_ip: Limit = Limit(100, 200)
    rate_per_channel: Limit = Limit(300, 600)
    region: str = REGION
    account_id: str = ACCOUNT_ID

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        env = os.environ if env is None else env
        data_dir = Path(env.get("CRM_DATA_DIR") or ".crm-data")
        if not data_dir.is_absolute():
            data_dir = Path.cwd() / data_dir
        return cls(
            host=env.get("CRM_HOST", "127.0.0.1"),
            port=_int(env, "CRM_PORT", 8000, minimum=1),
            aws_port=_int(env, "CRM_AWS_PORT", 4566, minimum=1),
            data_dir=data_dir,
            table=env.get("CRM_TABLE") or f"crm-{STAGE}",
            bucket=env.get("CRM_BUCKET") or f"crm-{STAGE}-media",
            sender_email=env.get("CRM_SENDER_EMAIL") or "no-reply@jakarta.go.id",
            app_spec=env.get("CRM_LOCAL_APP") or "app:app",
            stream_max_retries=_int(env, "CRM_STREAM_MAX_RETRIES", 3),
            stream_poll_seconds=_int(env, "CRM_STREAM_POLL_MS", 150, minimum=10) / 1000,
            demo_password=env.get("CRM_DEMO_PASSWORD") or "Jakarta-Demo-2026",
            rate_per_ip=_limit(env, "CRM_RATE_PER_IP", 100),
            rate_per_channel=_limit(env, "CRM_RATE_PER_CHANNEL", 300),
        )

    @property
    def app_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    def app_environment(self) -> dict[str, str]:
        """What the app (and any boto3 client in this process) must see: moto, never real AWS."""
        return {
            "CRM_STAGE": STAGE,
            "CRM_TABLE": self.table,
            "CRM_BUCKET": self.bucket,
            "CRM_SENDER_EMAIL": self.sender_email,
            "CRM_PUBLIC_URL": self.app_url,
            "AWS_REGION": self.region,
            # boto3 1.44 still resolves the region from AWS_DEFAULT_REGION only.
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            # botocore >= 1.40 would send DynamoDB Streams calls to an account-based host
            # that moto 5.2 does not route.
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "AWS_EC2_METADATA_DISABLED": "true",
        }


# Variables that could point a client at real AWS credentials; the stack removes them.
REAL_AWS_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                      "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")
