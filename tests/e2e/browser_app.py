"""The app the browser test starts in the local stack: the Chalice app, with demo officers.

The local stack is to seed Cognito with the demo officers itself (password from
CRM_DEMO_PASSWORD). Until it does, the browser test points CRM_LOCAL_APP here: this
creates the user pool in the stack's moto (AWS_ENDPOINT_URL, set by the stack before
it loads the app), seeds the officers and configures the app for it. When the stack
already configured a pool (CRM_USER_POOL_ID), it only returns the app.
"""

from __future__ import annotations

import os

import boto3
from chalice import Chalice

DEFAULT_PASSWORD = "Jakarta-Demo-2026"


def app_with_demo_officers() -> Chalice:
    if not os.environ.get("CRM_USER_POOL_ID"):
        from chalicelib.adapters.user_pool import create_officer, create_user_pool
        from chalicelib.registry import demo_officers

        client = boto3.client("cognito-idp", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                              region_name=os.environ.get("AWS_REGION", "ap-southeast-3"))
        pool_id, client_id = create_user_pool(client, "crm-local")
        password = os.environ.get("CRM_DEMO_PASSWORD") or DEFAULT_PASSWORD
        for officer in demo_officers():
            create_officer(client, pool_id, officer, password)
        os.environ["CRM_USER_POOL_ID"] = pool_id
        os.environ["CRM_USER_POOL_CLIENT_ID"] = client_id
    from app import app

    return app
