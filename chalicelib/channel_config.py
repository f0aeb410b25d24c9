"""Per-channel configuration and secrets, from the environment.

Names (CHANNEL = the registry id in upper case, '-' as '_': JAKI, LAPOR, X, FACEBOOK...),
each with its default in stages `local` and `test`:

- CRM_SECRET_<CHANNEL>: the HMAC secret (partner secret, X consumer secret, Meta app
  secret); local default `crm-local-<id>-secret`.
- CRM_VERIFY_TOKEN_<CHANNEL>: the Meta webhook verify token; `crm-local-<id>-verify`.
- CRM_KEY_ID_<CHANNEL>: the partner key id expected in X-CRM-Key-Id; the channel id.
- CRM_CALLBACK_URL_<CHANNEL>: the partner's status callback (signed POST); none, and
  then status updates are marked failed ("not configured"), not sent.
- CRM_ACCESS_TOKEN_<CHANNEL>: the outbound API token (X user token, Meta page or
  Instagram token); none, and then replies are marked failed, not sent.
- CRM_X_API_URL (https://api.x.com), CRM_GRAPH_API_URL (https://graph.facebook.com/v21.0):
  API bases, pointed elsewhere for a sandbox or a local fake.
- CRM_EMAIL_REPLY_FROM: From of email replies, an SES-verified identity; CRM_SENDER_EMAIL.
- CRM_EMAIL_INBOX: the inbox citizens write to, never answered (mail loops);
  dki@jakarta.go.id.
- CRM_INBOUND_EMAIL_TOPIC, CRM_INBOUND_SMS_TOPIC: the SNS topics SES and two-way SMS
  publish to; crm-<stage>-inbound-email, crm-<stage>-inbound-sms.
- CRM_OUTBOX_MAX_ATTEMPTS: send attempts before an outbox item is marked failed; 3.

Local defaults exist only for stages `local` and `test`: a deployed stage without a secret
fails closed (the webhook answers 503 and logs which variable is missing) instead of
accepting deliveries signed with a published default. In AWS the variable may hold a
reference instead of the value: `arn:aws:secretsmanager:...` (Secrets Manager) or
`ssm:/path/name` (SSM Parameter Store, SecureString decrypted); it is resolved once per
container. Simpler, and what the deployed stacks do: CRM_PARAMETERS_PATH (`/crm-<stage>/`)
names an SSM path whose parameters fill every variable the environment leaves unset, so
`aws ssm put-parameter --name /crm-dev/CRM_SECRET_JAKI --type SecureString ...` configures
a channel without a redeploy (new containers pick it up). Outbound tokens have no default
anywhere, so no local run ever calls a real platform API: an unconfigured sender marks its
message failed and logs why.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger("crm.channels")

LOCAL_STAGES = ("local", "test")
DEFAULT_X_API = "https://api.x.com"
DEFAULT_GRAPH_API = "https://graph.facebook.com/v21.0"
DEFAULT_INBOX = "dki@jakarta.go.id"


class NotConfigured(Exception):
    """A setting the channel needs is missing; the message names the variable."""


def env_name(prefix: str, channel_id: str) -> str:
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', channel_id).upper()}"


def _stage(env: Mapping[str, str]) -> str:
    return env.get("CRM_STAGE", "local")


def inbound_email_topic(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("CRM_INBOUND_EMAIL_TOPIC") or f"crm-{_stage(env)}-inbound-email"


def inbound_sms_topic(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("CRM_INBOUND_SMS_TOPIC") or f"crm-{_stage(env)}-inbound-sms"


@cache
def _resolve_reference(reference: str, region: str, endpoint_url: str | None) -> str:
    """The value behind a Secrets Manager ARN or an `ssm:` parameter name (cached)."""
    if reference.startswith("ssm:"):
        ssm = boto3.client("ssm", region_name=region, endpoint_url=endpoint_url)
        answer = ssm.get_parameter(Name=reference[4:], WithDecryption=True)
        return answer["Parameter"]["Value"]
    secrets = boto3.client("secretsmanager", region_name=region, endpoint_url=endpoint_url)
    return secrets.get_secret_value(SecretId=reference)["SecretString"]


_parameter_cache: dict[tuple[str, str, str | None], tuple[float, dict[str, str]]] = {}
PARAMETERS_FRESH_S = 300  # a rotated secret reaches warm containers within 5 minutes
PARAMETERS_RETRY_S = 30  # after a failed read, ask SSM again at most this often


def path_parameters(path: str, region: str, endpoint_url: str | None) -> dict[str, str]:
    """Every SSM parameter directly under `path` (SecureString decrypted), by its last
    name segment: `/crm-dev/CRM_SECRET_JAKI` -> `CRM_SECRET_JAKI`. Kept 5 minutes; a
    failed read counts as no parameters for 30 seconds, so a channel without its secret
    fails closed (503), as when unset, without calling SSM on every request."""
    key = (path, region, endpoint_url)
    cached = _parameter_cache.get(key)
    if cached is not None and time.monotonic() < cached[0]:
        return cached[1]
    ssm = boto3.client("ssm", region_name=region, endpoint_url=endpoint_url)
    found: dict[str, str] = {}
    try:
        for page in ssm.get_paginator("get_parameters_by_path").paginate(
                Path=path, Recursive=False, WithDecryption=True):
            for parameter in page.get("Parameters", []):
                found[parameter["Name"].rstrip("/").rpartition("/")[2]] = parameter["Value"]
    except (ClientError, BotoCoreError) as exc:
        log.error("channel settings under %s cannot be read: %s", path, exc)
        _parameter_cache[key] = (time.monotonic() + PARAMETERS_RETRY_S, {})
        return {}
    _parameter_cache[key] = (time.monotonic() + PARAMETERS_FRESH_S, found)
    return found


def settings_environment(region: str, endpoint_url: str | None,
                         env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment, plus (for names it does not set) the parameters under
    CRM_PARAMETERS_PATH: how a deployed stage gets its channel secrets, Open311 keys and
    tokens without a redeploy (`aws ssm put-parameter --name /crm-<stage>/NAME ...`)."""
    merged = dict(os.environ if env is None else env)
    path = (merged.get("CRM_PARAMETERS_PATH") or "").strip()
    if path:
        for name, value in path_parameters(path, region, endpoint_url).items():
            if not (merged.get(name) or "").strip():
                merged[name] = value
    return merged


def _is_reference(value: str) -> bool:
    return value.startswith(("arn:aws:secretsmanager:", "ssm:"))


@dataclass(frozen=True)
class ChannelConfig:
    stage: str
    region: str
    endpoint_url: str | None
    sender_email: str
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, *, stage: str, region: str, endpoint_url: str | None,
                         sender_email: str, env: Mapping[str, str] | None = None
                         ) -> ChannelConfig:
        """`stage` and the AWS settings come from the app's Settings, the rest from `env`
        and the stage's parameters (`settings_environment`)."""
        return cls(stage, region, endpoint_url, sender_email,
                   settings_environment(region, endpoint_url, env))

    @property
    def local(self) -> bool:
        return self.stage in LOCAL_STAGES

    def _value(self, name: str) -> str | None:
        value = (self.env.get(name) or "").strip()
        if value and _is_reference(value):
            try:
                return _resolve_reference(value, self.region, self.endpoint_url)
            except (ClientError, BotoCoreError) as exc:
                # Not cached: the next delivery tries again (the platform redelivers on 503).
                raise NotConfigured(f"{name}: cannot read {value}: {exc}") from exc
        return value or None

    def _required(self, prefix: str, channel_id: str, local_default: str) -> str:
        name = env_name(prefix, channel_id)
        value = self._value(name)
        if value:
            return value
        if self.local:
            return local_default
        raise NotConfigured(f"{name} is not set for stage {self.stage!r}")

    # -- inbound -----------------------------------------------------------------

    def secret(self, channel_id: str) -> bytes:
        return self._required("CRM_SECRET", channel_id, f"crm-local-{channel_id}-secret").encode()

    def verify_token(self, channel_id: str) -> str:
        return self._required("CRM_VERIFY_TOKEN", channel_id, f"crm-local-{channel_id}-verify")

    def partner_key_id(self, channel_id: str) -> str:
        return self._value(env_name("CRM_KEY_ID", channel_id)) or channel_id

    @property
    def own_mail_addresses(self) -> list[str]:
        return [self.email_reply_from, self.sender_email,
                self.env.get("CRM_EMAIL_INBOX") or DEFAULT_INBOX]

    # -- outbound ----------------------------------------------------------------

    def callback_url(self, channel_id: str) -> str | None:
        return self._value(env_name("CRM_CALLBACK_URL", channel_id))

    def access_token(self, channel_id: str) -> str | None:
        return self._value(env_name("CRM_ACCESS_TOKEN", channel_id))

    @property
    def x_api_url(self) -> str:
        return (self.env.get("CRM_X_API_URL") or DEFAULT_X_API).rstrip("/")

    @property
    def graph_api_url(self) -> str:
        return (self.env.get("CRM_GRAPH_API_URL") or DEFAULT_GRAPH_API).rstrip("/")

    @property
    def email_reply_from(self) -> str:
        return self.env.get("CRM_EMAIL_REPLY_FROM") or self.sender_email

    @property
    def outbox_max_attempts(self) -> int:
        return max(1, int(self.env.get("CRM_OUTBOX_MAX_ATTEMPTS") or 3))

    def describe(self) -> dict[str, Any]:
        """Which settings are present (never their values): for logs and diagnostics."""
        return {name: "set" for name in sorted(self.env) if name.startswith(
            ("CRM_SECRET_", "CRM_VERIFY_TOKEN_", "CRM_ACCESS_TOKEN_", "CRM_CALLBACK_URL_"))}
