"""Creating the officers' Cognito user pool and accounts (local stack, tests, directory loading).

The deployed pool comes from the CloudFormation template; its shape (custom
attributes `role` and `unit`, USER_PASSWORD_AUTH client) must match this one.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.officers import Officer

CUSTOM_ATTRIBUTES = ("role", "unit")


def create_user_pool(client: Any, name: str) -> tuple[str, str]:
    """A pool and an app client for officer sign-in; returns (pool id, client id)."""
    pool = client.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": True,
                                     "RequireLowercase": True, "RequireNumbers": True,
                                     "RequireSymbols": False}},
        Schema=[{"Name": attr, "AttributeDataType": "String", "Mutable": True}
                for attr in CUSTOM_ATTRIBUTES],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName=f"{name}-web", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        # An officer must not rewrite their own role or unit with their access token.
        WriteAttributes=["name"],
    )["UserPoolClient"]
    return pool["Id"], app_client["ClientId"]


def create_officer(client: Any, pool_id: str, officer: Officer, password: str) -> None:
    attributes = [
        {"Name": "custom:role", "Value": str(officer.role)},
        {"Name": "custom:unit", "Value": officer.unit},
    ]
    if officer.name:
        attributes.append({"Name": "name", "Value": officer.name})
    if officer.email:
        attributes += [{"Name": "email", "Value": officer.email},
                       {"Name": "email_verified", "Value": "true"}]
    if officer.phone:
        attributes.append({"Name": "phone_number", "Value": officer.phone})
    client.admin_create_user(UserPoolId=pool_id, Username=officer.username,
                             UserAttributes=attributes, MessageAction="SUPPRESS")
    client.admin_set_user_password(UserPoolId=pool_id, Username=officer.username,
                                   Password=password, Permanent=True)
