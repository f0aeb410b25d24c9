"""The OpenAPI document: valid OpenAPI 3.1, in step with the app's routes, and true to
what the API answers."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app import app
from chalicelib.openapi import document, outside_document
from tests.integration.test_first_sign_in import INVITED, NEW, TEMPORARY, WEAK, invite
from tests.integration.test_officers_api import call, file_and_route, token_of

METHODS = ("get", "post", "put", "patch", "delete")


def documented() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document()["paths"].items()
            for method in item if method in METHODS}


def routed() -> set[tuple[str, str]]:
    return {(path, method) for path, methods in app.routes.items() for method in methods
            if not outside_document(path)}


def test_the_document_is_valid_openapi_3_1():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_is_documented_and_nothing_else():
    missing = sorted(routed() - documented())
    stale = sorted(documented() - routed())
    assert not missing, f"routes missing from chalicelib/openapi.py: {missing}"
    assert not stale, f"documented but not routed: {stale}"


def test_the_pages_and_open311_are_the_only_routes_left_out():
    outside = sorted({path for path in app.routes if outside_document(path)})
    assert all(p == "/" or p.split("/")[1] in (
        "lapor", "lacak", "petugas", "pimpinan", "survei", "static", "peta", "open311")
        for p in outside)


def test_operation_ids_are_unique():
    ids = [op["operationId"] for item in document()["paths"].values()
           for method, op in item.items() if method in METHODS]
    assert len(ids) == len(set(ids))


# -- answers against the schemas --------------------------------------------------------------

def _validator(schema: dict) -> Draft202012Validator:
    """A JSON Schema validator whose `#/components/...` refs resolve in the document."""
    return Draft202012Validator({**schema, "components": document()["components"]})


def response_schema(path: str, method: str, status: int) -> dict:
    responses = document()["paths"][path][method]["responses"]
    chosen = responses.get(str(status)) or responses["default"]
    return chosen["content"]["application/json"]["schema"]


def check(path: str, method: str, response) -> None:
    schema = response_schema(path, method, response.status_code)
    errors = sorted(_validator(schema).iter_errors(response.json_body), key=str)
    assert not errors, f"{method.upper()} {path} {response.status_code}: {errors[0]}"


@pytest.fixture
def client(cognito, deps):
    with Client(app) as test_client:
        yield test_client


def test_real_answers_match_their_schemas(client):
    check("/health", "get", client.http.get("/health"))
    assert client.http.get("/openapi.json").json_body == json.loads(json.dumps(document()))
    filed = file_and_route(client, {
        "description": "Jalan rusak", "category": "jalan-rusak", "lat": -6.1754,
        "lon": 106.8272, "kelurahan_code": "31.71.01.1001", "name": "Budi"})
    ticket, token = filed["ticket"], filed["tracking_token"]
    check("/reports/{ticket}", "get",
          call(client, "get", f"/reports/{ticket}", query=f"?token={token}"))
    check("/reports/{ticket}", "get",
          call(client, "get", f"/reports/{ticket}", query="?token=wrong"))
    login = call(client, "post", "/auth/login", {"username": "lurah.gambir",
                                                 "password": "Demo-Password-2026"})
    check("/auth/login", "post", login)
    check("/auth/login", "post", call(client, "post", "/auth/login", {"username": "x"}))
    lurah = token_of(client, "lurah.gambir")
    check("/officer/reports", "get", call(client, "get", "/officer/reports", token=lurah))
    check("/officer/reports", "get", call(client, "get", "/officer/reports"))
    check("/officer/reports/{ticket}", "get",
          call(client, "get", f"/officer/reports/{ticket}", token=lurah))
    acted = call(client, "post", f"/officer/reports/{ticket}/actions",
                 {"action": "proses", "note": "OTW"}, lurah)
    check("/officer/reports/{ticket}/actions", "post", acted)
    check("/officer/reports/{ticket}/photos", "post",
          call(client, "post", f"/officer/reports/{ticket}/photos",
               {"kind": "after", "content_type": "image/jpeg"}, lurah))
    check("/reports/{ticket}/photos", "post",
          call(client, "post", f"/reports/{ticket}/photos", {"content_type": "image/png"},
               query=f"?token={token}"))
    check("/nearby/reports", "get", call(client, "get", "/nearby/reports",
                                         query="?lat=-6.1754&lon=106.8272"))
    check("/reports/{ticket}/support", "post",
          call(client, "post", f"/reports/{ticket}/support", {"phone": "081311112222"}))
    check("/reports/{ticket}/support", "post",
          call(client, "post", f"/reports/{ticket}/support", {"phone": "081311112222"}))
    check("/reports/{ticket}/reopen", "post",
          call(client, "post", f"/reports/{ticket}/reopen", {"note": "Lagi"},
               query=f"?token={token}"))
    check("/kinerja", "get", call(client, "get", "/kinerja"))
    check("/kinerja/kepadatan", "get", call(client, "get", "/kinerja/kepadatan",
                                            query="?unit=31.71.01"))
    check("/kinerja/kepadatan", "get", call(client, "get", "/kinerja/kepadatan",
                                            query="?period=2026-Q9"))
    check("/channels/balai-warga", "post",
          call(client, "post", "/channels/balai-warga", {"description": ""}))


def test_first_sign_in_answers_match_their_schemas(client):
    invite()
    challenge = call(client, "post", "/auth/login", {"username": INVITED,
                                                     "password": TEMPORARY})
    assert challenge.status_code == 409
    check("/auth/login", "post", challenge)
    wrong = call(client, "post", "/auth/login", {"username": INVITED, "password": "salah"})
    assert wrong.status_code == 401
    check("/auth/login", "post", wrong)
    body = {"username": INVITED, "session": challenge.json_body["session"]}
    weak = call(client, "post", "/auth/new-password", {**body, "new_password": WEAK})
    assert weak.status_code == 400
    check("/auth/new-password", "post", weak)
    expired = call(client, "post", "/auth/new-password",
                   {**body, "session": "sesi-tidak-sah-0000", "new_password": NEW})
    assert expired.status_code == 401
    check("/auth/new-password", "post", expired)
    done = call(client, "post", "/auth/new-password", {**body, "new_password": NEW})
    assert done.status_code == 200
    check("/auth/new-password", "post", done)
