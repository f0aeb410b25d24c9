"""An invited officer's first sign-in (Cognito NEW_PASSWORD_REQUIRED), through the JSON API
and the sign-in page, against moto's Cognito.

moto 5 answers USER_PASSWORD_AUTH for a FORCE_CHANGE_PASSWORD account with the
NEW_PASSWORD_REQUIRED challenge and a Session, and RespondToAuthChallenge with tokens,
checking the pool's password policy. Two differences from AWS, both covered by the
adapter's unit tests with botocore's Stubber (tests/unit/test_identity_challenge.py):
an unknown session is ResourceNotFoundException in moto, NotAuthorizedException in AWS;
and moto does not check that the answer's USERNAME is the session's user.
"""

from __future__ import annotations

import re

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.config import settings
from chalicelib.handlers import session
from tests.integration.pages_support import get, hidden, html, post_form, set_cookies
from tests.integration.test_officers_api import call, login

INVITED = "lurah.baru"
TEMPORARY = "Sementara-2026-Undangan"  # what the invitation email would carry
NEW = "Kata-Sandi-Baru-2026"
WEAK = "hurufkecilsemuatanpaangka"  # long enough, but no upper case and no number
GAMBIR = "31.71.01.1001"


def invite(username: str = INVITED) -> None:
    """AdminCreateUser with a temporary password, as the operator's invitation does
    (MessageAction SUPPRESS: no mail in tests); the account is FORCE_CHANGE_PASSWORD."""
    idp = boto3.client("cognito-idp")
    pool = settings().user_pool_id
    idp.admin_create_user(
        UserPoolId=pool, Username=username, TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:role", "Value": "lurah"},
                        {"Name": "custom:unit", "Value": GAMBIR},
                        {"Name": "name", "Value": "Lurah Baru"}])
    assert idp.admin_get_user(UserPoolId=pool, Username=username)[
        "UserStatus"] == "FORCE_CHANGE_PASSWORD"


@pytest.fixture
def client(cognito, deps):
    invite()
    with Client(app) as test_client:
        yield test_client


def challenge(client) -> dict:
    answer = login(client, INVITED, TEMPORARY)
    assert answer.status_code == 409, answer.json_body
    return answer.json_body


def new_password(client, body):
    return call(client, "post", "/auth/new-password", body)


# -- the JSON API ---------------------------------------------------------------------------

def test_moto_really_answers_new_password_required(client):
    answer = boto3.client("cognito-idp").initiate_auth(
        ClientId=settings().user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": INVITED, "PASSWORD": TEMPORARY})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert answer["Session"] and "AuthenticationResult" not in answer


def test_the_temporary_password_answers_409_with_the_session(client, deps):
    body = challenge(client)
    assert body["error"] == "kata_sandi_baru_diperlukan"
    assert body["message_id"] == "Masuk pertama: buat kata sandi baru."
    assert body["message_en"] == "First sign-in: choose a new password."
    assert body["session"] and body["username"] == INVITED
    assert "id_token" not in body


def test_a_right_temporary_password_is_not_a_failed_attempt(client, deps):
    for _ in range(2):
        assert login(client, INVITED, "salah-lagi").status_code == 401
    assert deps.login_guard.failures(INVITED)[0] == 2
    challenge(client)
    # Right password: the count is cleared like after any successful sign-in.
    assert deps.login_guard.failures(INVITED) == (0, None)


def test_a_weak_new_password_is_400_naming_the_policy(client):
    body = challenge(client)
    answer = new_password(client, {"username": INVITED, "session": body["session"],
                                   "new_password": WEAK})
    assert answer.status_code == 400
    refusal = answer.json_body
    assert refusal["errors"][0]["field"] == "new_password"
    assert "12 karakter" in refusal["message_id"] and "huruf besar" in refusal["message_id"]
    assert "angka" in refusal["message_id"]
    assert "12 characters" in refusal["message_en"] and "upper-case" in refusal["message_en"]
    assert "number" in refusal["message_en"]


def test_a_good_new_password_signs_in_and_replaces_the_temporary_one(client):
    body = challenge(client)
    answer = new_password(client, {"username": body["username"], "session": body["session"],
                                   "new_password": NEW, "new_password_repeat": NEW})
    assert answer.status_code == 200, answer.json_body
    signed_in = answer.json_body
    assert signed_in["id_token"] and signed_in["access_token"] and signed_in["expires_in"] > 0
    assert signed_in["officer"]["username"] == INVITED
    assert signed_in["officer"]["role"] == "lurah" and signed_in["officer"]["unit"] == GAMBIR
    # the token works on the officer API
    queue = call(client, "get", "/officer/reports", token=signed_in["id_token"])
    assert queue.status_code == 200
    # from now on a normal sign-in, with the new password only
    again = login(client, INVITED, NEW)
    assert again.status_code == 200 and again.json_body["officer"]["username"] == INVITED
    assert login(client, INVITED, TEMPORARY).status_code == 401
    # the session was used up
    reused = new_password(client, {"username": INVITED, "session": body["session"],
                                   "new_password": NEW + "x"})
    assert reused.status_code == 401


def test_a_bad_session_is_401_telling_to_sign_in_with_the_temporary_password(client):
    answer = new_password(client, {"username": INVITED, "session": "bukan-sesi-yang-sah-0000",
                                   "new_password": NEW})
    assert answer.status_code == 401
    body = answer.json_body
    assert body["error"] == "sesi_kata_sandi_baru_tidak_sah"
    assert "kata sandi sementara" in body["message_id"] and "email undangan" in body[
        "message_id"]
    assert "temporary password" in body["message_en"] and "invitation email" in body[
        "message_en"]
    # nothing changed: the temporary password still leads to the challenge
    challenge(client)


@pytest.mark.parametrize("payload, fields", [
    ({}, ["username", "session", "new_password"]),
    ({"username": INVITED, "session": "s" * 2049, "new_password": NEW}, ["session"]),
    ({"username": INVITED, "session": "s" * 40, "new_password": NEW,
      "new_password_repeat": NEW + "!"}, ["new_password_repeat"]),
    ({"username": INVITED, "session": "s" * 40, "new_password": "A1" + "a" * 300},
     ["new_password"]),
])
def test_missing_long_or_mismatched_fields_are_400_before_cognito(client, payload, fields):
    answer = new_password(client, payload)
    assert answer.status_code == 400
    assert [p["field"] for p in answer.json_body["errors"]] == fields
    assert all(p["message_id"] and p["message_en"] for p in answer.json_body["errors"])


# -- the sign-in page -----------------------------------------------------------------------

def first_form(client, lang: str | None = None):
    """Sign in on the page with the temporary password; returns (the answer, the jar)."""
    login_page = client.http.get("/petugas" + (f"?lang={lang}" if lang else ""))
    jar = set_cookies(login_page)
    answer = post_form(client, "/petugas/masuk", {
        "csrf": hidden(html(login_page), "csrf"), "username": INVITED,
        "password": TEMPORARY, "next": "/petugas/laporan"}, jar)
    jar.update(set_cookies(answer))
    return answer, {k: v for k, v in jar.items() if v}


def second_form_fields(page: str, password: str, repeat: str) -> dict[str, str]:
    return {name: hidden(page, name) for name in ("csrf", "next", "session", "username")} | {
        "new_password": password, "new_password_repeat": repeat}


def test_the_page_asks_for_a_new_password_after_the_temporary_one(client):
    answer, jar = first_form(client)
    assert answer.status_code == 200
    page = html(answer)
    assert "Buat kata sandi baru" in page
    assert 'action="/petugas/kata-sandi-baru"' in page
    assert hidden(page, "session") and hidden(page, "username") == INVITED
    assert "minimal 12 karakter" in page and 'minlength="12"' in page
    assert 'name="new_password_repeat"' in page
    assert session.SESSION not in jar  # not signed in yet
    assert not re.search(r"\son[a-z]+\s*=", page)  # no inline handlers (CSP)
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]


def test_a_mismatched_repeat_shows_the_form_again(client):
    answer, jar = first_form(client)
    page = html(answer)
    refused = post_form(client, "/petugas/kata-sandi-baru",
                        second_form_fields(page, NEW, NEW + "?"), jar)
    assert refused.status_code == 400
    again = html(refused)
    assert "tidak sama" in again and "Buat kata sandi baru" in again
    assert hidden(again, "session") == hidden(page, "session")
    assert session.SESSION not in set_cookies(refused)


def test_the_page_speaks_english_too(client):
    answer, jar = first_form(client, lang="en")
    page = html(answer)
    assert "Choose a new password" in page and "at least 12 characters" in page
    refused = post_form(client, "/petugas/kata-sandi-baru",
                        second_form_fields(page, NEW, NEW + "?"), jar)
    assert refused.status_code == 400 and "do not match" in html(refused)


def test_a_weak_password_on_the_page_states_the_policy(client):
    answer, jar = first_form(client)
    refused = post_form(client, "/petugas/kata-sandi-baru",
                        second_form_fields(html(answer), WEAK, WEAK), jar)
    assert refused.status_code == 400
    assert "huruf besar" in html(refused) and 'name="new_password"' in html(refused)


def test_a_good_new_password_signs_in_like_a_normal_login(client):
    answer, jar = first_form(client)
    done = post_form(client, "/petugas/kata-sandi-baru",
                     second_form_fields(html(answer), NEW, NEW), jar)
    assert done.status_code == 303 and done.headers["Location"] == "/petugas/laporan"
    cookie = next(c for c in done.headers["Set-Cookie"] if c.startswith(session.SESSION))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    jar.update(set_cookies(done))
    queue = get(client, "/petugas/laporan", {k: v for k, v in jar.items() if v})
    assert queue.status_code == 200
    assert "Masuk sebagai <strong>lurah.baru</strong>" in html(queue)


def test_a_tampered_session_or_username_is_refused(client):
    answer, jar = first_form(client)
    page = html(answer)
    for name, value in (("session", "sesi-orang-lain-0000"), ("username", "lurah.gambir")):
        fields = second_form_fields(page, NEW, NEW) | {name: value}
        refused = post_form(client, "/petugas/kata-sandi-baru", fields, jar)
        assert refused.status_code == 403, name
        assert session.SESSION not in set_cookies(refused)
    # without the pre-session cookie the form's token proves nothing
    refused = post_form(client, "/petugas/kata-sandi-baru", second_form_fields(page, NEW, NEW))
    assert refused.status_code == 403


def test_an_expired_cognito_session_sends_back_to_sign_in(client):
    answer, jar = first_form(client)
    bogus = "sesi-kedaluwarsa-000000"
    # A form our page could have issued (right CSRF) but whose Cognito session is dead.
    fields = second_form_fields(html(answer), NEW, NEW) | {
        "session": bogus, "csrf": session.new_password_csrf(
            settings(), jar[session.PRE_SESSION], INVITED, bogus)}
    refused = post_form(client, "/petugas/kata-sandi-baru", fields, jar)
    assert refused.status_code == 401
    page = html(refused)
    assert "email undangan" in page and 'name="password"' in page  # the first form again
    assert session.SESSION not in set_cookies(refused)
