"""The password policy the app states is the one the user pools enforce: the local and
test pool (create_user_pool) and the deployed one (infra/aws/resources.yaml)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.user_pool import create_user_pool
from chalicelib.domain import password_policy
from infra.package import MERGE_TEMPLATE, load_template


class _RecordingCognito:
    def __init__(self) -> None:
        self.pool: dict[str, Any] = {}

    def create_user_pool(self, **kwargs: Any) -> dict[str, Any]:
        self.pool = kwargs
        return {"UserPool": {"Id": "pool"}}

    def create_user_pool_client(self, **kwargs: Any) -> dict[str, Any]:
        return {"UserPoolClient": {"ClientId": "client"}}


def test_the_stated_policy_is_the_local_pools():
    cognito = _RecordingCognito()
    create_user_pool(cognito, "crm-test")
    assert cognito.pool["Policies"]["PasswordPolicy"] == password_policy.COGNITO_POLICY


def test_the_stated_policy_is_the_deployed_pools():
    pool = load_template(MERGE_TEMPLATE)["Resources"]["UserPool"]["Properties"]
    deployed = pool["Policies"]["PasswordPolicy"]
    assert {k: deployed.get(k) for k in password_policy.COGNITO_POLICY} == (
        password_policy.COGNITO_POLICY)


def test_the_words_name_every_rule():
    assert password_policy.COGNITO_POLICY == {
        "MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True,
        "RequireNumbers": True, "RequireSymbols": False}
    assert "12 karakter" in password_policy.POLICY_ID
    for words in ("huruf besar", "huruf kecil", "angka"):
        assert words in password_policy.POLICY_ID
    assert "12 characters" in password_policy.POLICY_EN
    for words in ("upper-case", "lower-case", "number"):
        assert words in password_policy.POLICY_EN
