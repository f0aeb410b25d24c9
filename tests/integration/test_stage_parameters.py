"""A deployed stage reads its channel secrets and Open311 keys from SSM parameters under
CRM_PARAMETERS_PATH (moto's SSM), the environment winning; without them it fails closed."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from chalicelib import channel_config
from chalicelib.channel_config import ChannelConfig, NotConfigured, settings_environment
from chalicelib.services.open311 import api_keys

REGION = "ap-southeast-3"


@pytest.fixture
def ssm():
    channel_config._parameter_cache.clear()
    with mock_aws():
        client = boto3.client("ssm", region_name=REGION)
        yield client
    channel_config._parameter_cache.clear()


def config(env):
    return ChannelConfig.from_environment(stage="dev", region=REGION, endpoint_url=None,
                                          sender_email="no-reply@jakarta.go.id", env=env)


def test_parameters_fill_what_the_environment_leaves_unset(ssm):
    ssm.put_parameter(Name="/crm-dev/CRM_SECRET_JAKI", Value="rahasia-jaki",
                      Type="SecureString")
    ssm.put_parameter(Name="/crm-dev/CRM_SECRET_LAPOR", Value="dari-ssm", Type="SecureString")
    ssm.put_parameter(Name="/crm-dev/CRM_OPEN311_API_KEYS", Value="k1,k2", Type="SecureString")
    ssm.put_parameter(Name="/crm-prod/CRM_SECRET_JAKI", Value="other-stage", Type="String")
    env = {"CRM_PARAMETERS_PATH": "/crm-dev/", "CRM_SECRET_LAPOR": "dari-env"}
    channels = config(env)
    assert channels.secret("jaki") == b"rahasia-jaki"
    assert channels.secret("lapor") == b"dari-env"  # the environment wins
    assert api_keys("dev", settings_environment(REGION, None, env)) == ("k1", "k2")


def test_a_stage_without_its_parameter_fails_closed(ssm):
    channels = config({"CRM_PARAMETERS_PATH": "/crm-dev/"})
    with pytest.raises(NotConfigured, match="CRM_SECRET_JAKI"):
        channels.secret("jaki")
    assert api_keys("dev", settings_environment(REGION, None, {
        "CRM_PARAMETERS_PATH": "/crm-dev/"})) == ()


def test_no_path_no_ssm_call(ssm, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("SSM was called")

    monkeypatch.setattr(channel_config, "path_parameters", refuse)
    assert settings_environment(REGION, None, {"CRM_STAGE": "dev"}) == {"CRM_STAGE": "dev"}


def test_a_rotated_secret_is_read_again_after_five_minutes(ssm, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(channel_config.time, "monotonic", lambda: now[0])
    ssm.put_parameter(Name="/crm-dev/CRM_SECRET_JAKI", Value="lama", Type="SecureString")
    env = {"CRM_PARAMETERS_PATH": "/crm-dev/"}
    assert config(env).secret("jaki") == b"lama"
    ssm.put_parameter(Name="/crm-dev/CRM_SECRET_JAKI", Value="baru", Type="SecureString",
                      Overwrite=True)
    now[0] += 60
    assert config(env).secret("jaki") == b"lama"  # cached
    now[0] += channel_config.PARAMETERS_FRESH_S
    assert config(env).secret("jaki") == b"baru"
