"""Shared fixtures: AWS is always moto, never the network."""

from __future__ import annotations

import os

# Before any boto3/PynamoDB client exists (moto must patch them first).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = "ap-southeast-3"
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ["CRM_STAGE"] = "test"
os.environ["CRM_TABLE"] = "crm-test"
os.environ["CRM_BUCKET"] = "crm-test-media"
