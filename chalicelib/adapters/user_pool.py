"""Creating the officers' Cognito user pool and accounts (local stack, tests, directory loading).

The deployed pool comes from the CloudFormation template; its shape (custom
attributes `role` and `unit`, USER_PASSWORD_AUTH client) must match this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from chalicelib.domain.officers import Officer

CUSTOM_ATTRIBUTES = ("role", "unit")


def cognito_client(region: str, endpoint_url: str | None = None) -> Any:
    return boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)


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


def _attributes(officer: Officer) -> list[dict[str, str]]:
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
    return attributes


def attributes_match(current: dict[str, str], officer: Officer) -> bool:
    """Whether the account already has every attribute the directory gives the officer."""
    return all(current.get(a["Name"]) == a["Value"] for a in _attributes(officer))


def create_officer(client: Any, pool_id: str, officer: Officer, password: str) -> None:
    """An account with a set password (the local stack's demo officers, tests)."""
    client.admin_create_user(UserPoolId=pool_id, Username=officer.username,
                             UserAttributes=_attributes(officer), MessageAction="SUPPRESS")
    client.admin_set_user_password(UserPoolId=pool_id, Username=officer.username,
                                   Password=password, Permanent=True)


def invite_officer(client: Any, pool_id: str, officer: Officer) -> None:
    """A new account: Cognito mails the officer a temporary password, to be replaced at
    the first sign-in (POST /auth/new-password, or the sign-in page)."""
    client.admin_create_user(UserPoolId=pool_id, Username=officer.username,
                             UserAttributes=_attributes(officer),
                             DesiredDeliveryMediums=["EMAIL"])


def update_officer(client: Any, pool_id: str, officer: Officer) -> None:
    """Bring an existing account's role, unit, name and contacts in line with `officer`
    (its password and sign-in state are left alone)."""
    client.admin_update_user_attributes(UserPoolId=pool_id, Username=officer.username,
                                        UserAttributes=_attributes(officer))


@dataclass(frozen=True)
class OfficerAccount:
    attributes: dict[str, str]  # `custom:unit`, `email`, ...
    status: str  # CONFIRMED, FORCE_CHANGE_PASSWORD (invited, not signed in yet), ...
    last_modified: datetime  # for an invitation: when it was (re)sent


def officer_account(client: Any, pool_id: str, username: str) -> OfficerAccount | None:
    """The account as Cognito has it, or None if there is none."""
    try:
        user = client.admin_get_user(UserPoolId=pool_id, Username=username)
    except client.exceptions.UserNotFoundException:
        return None
    return OfficerAccount({a["Name"]: a["Value"] for a in user.get("UserAttributes", [])},
                          user.get("UserStatus", ""), user["UserLastModifiedDate"])


def reinvite_officer(client: Any, pool_id: str, username: str) -> None:
    """Mail a new temporary password to an officer who never signed in: Cognito refuses
    the first one once it expires (TemporaryPasswordValidityDays)."""
    client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="RESEND",
                             DesiredDeliveryMediums=["EMAIL"])
