"""The Cognito adapter's first-sign-in challenge, against AWS's own answers (botocore
Stubber), where moto differs from AWS or cannot produce them (see
tests/integration/test_first_sign_in.py for the flow against moto)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from chalicelib.adapters.identity import (
    ChallengeExpired,
    CognitoIdentity,
    LoginFailed,
    NewPasswordRequired,
    PasswordRejected,
    UnsupportedChallenge,
)

SESSION = "AYABeC-rahasia-sesi-cognito-" + "x" * 40
AUTHENTICATED = {"AuthenticationResult": {"IdToken": "id", "AccessToken": "access",
                                          "RefreshToken": "refresh", "ExpiresIn": 3600,
                                          "TokenType": "Bearer"}}


@pytest.fixture
def stubbed() -> Iterator[tuple[CognitoIdentity, Stubber]]:
    identity = CognitoIdentity("ap-southeast-3", "ap-southeast-3_pool", "client")
    with Stubber(identity._client) as stubber:
        yield identity, stubber
        stubber.assert_no_pending_responses()


def expect_answer(stubber: Stubber) -> None:
    stubber.add_response("respond_to_auth_challenge", AUTHENTICATED, {
        "ClientId": "client", "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": SESSION,
        "ChallengeResponses": {"USERNAME": "lurah.baru", "NEW_PASSWORD": "Kata-Sandi-Baru-2026"}})


def test_the_challenge_carries_the_session_and_the_account_username(stubbed):
    identity, stubber = stubbed
    stubber.add_response("initiate_auth", {
        "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": SESSION,
        "ChallengeParameters": {"USER_ID_FOR_SRP": "lurah.baru", "requiredAttributes": "[]",
                                "userAttributes": "{}"}})
    with pytest.raises(NewPasswordRequired) as caught:
        identity.login("Lurah.Baru", "Sementara-2026")
    assert caught.value.session == SESSION and caught.value.username == "lurah.baru"
    # never in what a log line or a traceback would print
    assert SESSION not in str(caught.value) and SESSION not in repr(caught.value)


def test_another_challenge_is_still_a_failed_login(stubbed):
    identity, stubber = stubbed
    stubber.add_response("initiate_auth", {"ChallengeName": "SOFTWARE_TOKEN_MFA",
                                           "Session": SESSION, "ChallengeParameters": {}})
    with pytest.raises(LoginFailed):
        identity.login("lurah.gambir", "Demo-Password-2026")


def test_the_new_password_returns_the_login_tokens(stubbed):
    identity, stubber = stubbed
    expect_answer(stubber)
    tokens = identity.set_new_password("lurah.baru", SESSION, "Kata-Sandi-Baru-2026")
    assert tokens == {"id_token": "id", "access_token": "access", "refresh_token": "refresh",
                      "expires_in": 3600, "token_type": "Bearer"}


@pytest.mark.parametrize("code, expected", [
    ("InvalidPasswordException", PasswordRejected),
    # what AWS answers for an expired, used or foreign session
    ("NotAuthorizedException", ChallengeExpired),
    ("ExpiredCodeException", ChallengeExpired),
    ("ResourceNotFoundException", ChallengeExpired),  # moto's answer to an unknown session
])
def test_cognito_refusals_are_mapped(stubbed, code, expected):
    identity, stubber = stubbed
    stubber.add_client_error("respond_to_auth_challenge", code,
                             f"Invalid session for the user {SESSION}")
    with pytest.raises(expected) as caught:
        identity.set_new_password("lurah.baru", SESSION, "Kata-Sandi-Baru-2026")
    # not chained to Cognito's error, whose message may quote the session
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_further_challenge_is_unsupported(stubbed):
    identity, stubber = stubbed
    stubber.add_response("respond_to_auth_challenge", {
        "ChallengeName": "MFA_SETUP", "Session": SESSION, "ChallengeParameters": {}})
    with pytest.raises(UnsupportedChallenge):
        identity.set_new_password("lurah.baru", SESSION, "Kata-Sandi-Baru-2026")


@pytest.mark.parametrize("session", ["kurang-dari-20", "x" * 2049])
def test_a_session_cognito_could_not_have_issued_is_expired_without_asking(stubbed, session):
    identity, _stubber = stubbed  # no response queued: calling Cognito would fail the test
    with pytest.raises(ChallengeExpired):
        identity.set_new_password("lurah.baru", session, "Kata-Sandi-Baru-2026")
