"""Channel secrets: documented local defaults, AWS references, fail-closed deployed stages."""

from __future__ import annotations

import dataclasses

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.channel_config import ChannelConfig, NotConfigured
from chalicelib.services.deps import build_deps, override_deps
from tests.channel_fixtures import body_of, load, partner_headers


def config(stage="test", **env):
    return ChannelConfig.from_environment(stage=stage, region="ap-southeast-3",
                                          endpoint_url=None, sender_email="no-reply@x.id",
                                          env=env)


def test_local_stages_have_documented_defaults():
    local = config()
    assert local.secret("jaki") == b"crm-local-jaki-secret"
    assert local.verify_token("facebook") == "crm-local-facebook-verify"
    assert local.partner_key_id("lapor") == "lapor"
    assert local.access_token("x") is None and local.callback_url("jaki") is None


def test_settings_are_read_per_channel_by_upper_case_id():
    configured = config(CRM_SECRET_BALAI_WARGA="s", CRM_KEY_ID_JAKI="jaki-2026",
                        CRM_ACCESS_TOKEN_INSTAGRAM="t")
    assert configured.secret("balai-warga") == b"s"
    assert configured.partner_key_id("jaki") == "jaki-2026"
    assert configured.access_token("instagram") == "t"


def test_a_deployed_stage_never_falls_back_to_a_default():
    with pytest.raises(NotConfigured, match="CRM_SECRET_JAKI"):
        config("prod").secret("jaki")
    with pytest.raises(NotConfigured, match="CRM_VERIFY_TOKEN_FACEBOOK"):
        config("prod").verify_token("facebook")


def test_secrets_may_be_references_to_secrets_manager_or_ssm(aws):
    arn = boto3.client("secretsmanager").create_secret(
        Name="crm/prod/jaki", SecretString="from-secrets-manager")["ARN"]
    boto3.client("ssm").put_parameter(Name="/crm/prod/x", Value="from-ssm", Type="SecureString")
    resolved = config("prod", CRM_SECRET_JAKI=arn, CRM_SECRET_X="ssm:/crm/prod/x")
    assert resolved.secret("jaki") == b"from-secrets-manager"
    assert resolved.secret("x") == b"from-ssm"


def test_an_unconfigured_channel_in_a_deployed_stage_answers_503(deps, clock):
    prod = build_deps(dataclasses.replace(deps.settings, stage="prod"), clock=clock)
    override_deps(prod)
    body = body_of(load("partner_report.json"))
    with Client(app) as client:
        response = client.http.post("/channels/jaki", body=body,
                                    headers=partner_headers(body, int(clock.now.timestamp())))
    assert response.status_code == 503 and response.json_body["error"] == \
        "kanal_belum_dikonfigurasi"


def test_an_unreadable_reference_is_not_configured_rather_than_a_crash(aws):
    missing = "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:crm/nope-AbCdEf"
    with pytest.raises(NotConfigured, match="CRM_SECRET_JAKI"):
        config("prod", CRM_SECRET_JAKI=missing).secret("jaki")
