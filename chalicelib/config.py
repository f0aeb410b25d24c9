"""Settings from the environment (set per stage in .chalice/config.json, or by the local stack)."""

from __future__ import annotations

import os
from dataclasses import dataclass

# Only for the embedded local stack and tests; every deployed stage must set its own.
LOCAL_TOKEN_SECRET = "crm-local-development-secret-do-not-deploy"


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    bucket: str
    endpoint_url: str | None
    token_secret: bytes
    public_base_url: str
    due_shards: int
    user_pool_id: str | None
    user_pool_client_id: str | None
    sender_email: str


def settings() -> Settings:
    env = os.environ
    stage = env.get("CRM_STAGE", "local")
    secret = env.get("CRM_TOKEN_SECRET")
    if not secret:
        if stage not in ("local", "test"):
            raise RuntimeError(f"CRM_TOKEN_SECRET must be set for stage {stage!r}")
        secret = LOCAL_TOKEN_SECRET
    return Settings(
        stage=stage,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-3",
        table_name=env.get("CRM_TABLE", f"crm-{stage}"),
        bucket=env.get("CRM_BUCKET", f"crm-{stage}-media"),
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        token_secret=secret.encode(),
        public_base_url=env.get("CRM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        due_shards=int(env.get("CRM_DUE_SHARDS", "4")),
        user_pool_id=env.get("CRM_USER_POOL_ID") or None,
        user_pool_client_id=env.get("CRM_USER_POOL_CLIENT_ID") or None,
        sender_email=env.get("CRM_SENDER_EMAIL", "no-reply@jakarta.go.id"),
    )
