"""Officer sign-in with Amazon Cognito and verification of its ID tokens (PyJWT).

Tokens are checked for signature (the pool's JWKS, RS256), expiry, issuer,
audience (the app client) and `token_use` = id. The issuer is always the AWS URL of
the pool, also under moto; the JWKS is fetched from the configured endpoint.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import jwt
import requests

JWKS_REFRESH_SECONDS = 60  # an unknown key id refetches the keys at most this often


NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
SESSION_LENGTHS = (20, 2048)  # a challenge session's shortest and longest (Cognito API)


class LoginFailed(Exception):
    """Wrong username or password: deliberately the same for an unknown user."""


class NewPasswordRequired(Exception):
    """The password was right but temporary (an invited account, FORCE_CHANGE_PASSWORD).

    `session` is Cognito's challenge session: for a few minutes it lets whoever holds it
    set the account's password, so it is kept out of the message (and of any log line
    or traceback that prints the exception). `username` is the one the answer must
    name (Cognito's USER_ID_FOR_SRP: the account's username even if an alias signed in).
    """

    def __init__(self, session: str, username: str) -> None:
        super().__init__(NEW_PASSWORD_REQUIRED)
        self.session, self.username = session, username


class PasswordRejected(Exception):
    """The new password breaks the pool's password policy."""


class ChallengeExpired(Exception):
    """The challenge session is unknown, already used, expired, or not this user's."""


class UnsupportedChallenge(Exception):
    """Cognito asks for a step this app does not implement (e.g. MFA setup)."""


class InvalidToken(Exception):
    pass


def _tokens(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result.get("RefreshToken"),
        "expires_in": result["ExpiresIn"],
        "token_type": result.get("TokenType", "Bearer"),
    }


class CognitoIdentity:
    def __init__(self, region: str, pool_id: str, client_id: str,
                 endpoint_url: str | None = None,
                 http_get: Callable[..., Any] = requests.get) -> None:
        self._pool_id, self._client_id = pool_id, client_id
        self._client = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        self._jwks_url = f"{(endpoint_url or self.issuer).rstrip('/')}" + (
            f"/{pool_id}/.well-known/jwks.json" if endpoint_url else "/.well-known/jwks.json")
        self._http_get = http_get
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def login(self, username: str, password: str) -> dict[str, Any]:
        try:
            answer = self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password})
        except (self._client.exceptions.NotAuthorizedException,
                self._client.exceptions.UserNotFoundException) as exc:
            raise LoginFailed() from exc
        result = answer.get("AuthenticationResult")
        if result:
            return _tokens(result)
        if answer.get("ChallengeName") == NEW_PASSWORD_REQUIRED and answer.get("Session"):
            asked = answer.get("ChallengeParameters") or {}
            raise NewPasswordRequired(answer["Session"], asked.get("USER_ID_FOR_SRP")
                                      or asked.get("USERNAME") or username)
        # Any other challenge (MFA...) is not supported: the pool enables none.
        raise LoginFailed()

    def set_new_password(self, username: str, session: str,
                         new_password: str) -> dict[str, Any]:
        """Answer NEW_PASSWORD_REQUIRED: the account gets `new_password` and signs in."""
        if not SESSION_LENGTHS[0] <= len(session) <= SESSION_LENGTHS[1]:
            raise ChallengeExpired()  # cannot be Cognito's (botocore would refuse to send it)
        errors = self._client.exceptions
        try:
            answer = self._client.respond_to_auth_challenge(
                ClientId=self._client_id, ChallengeName=NEW_PASSWORD_REQUIRED, Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password})
        except errors.InvalidPasswordException:
            raise PasswordRejected() from None
        # AWS refuses an expired, used or foreign session with NotAuthorizedException
        # ("Invalid session for the user"); moto with ResourceNotFoundException (no such
        # session; in AWS that one means an unknown app client, which InitiateAuth would
        # have refused first) or UserNotFoundException for a username it does not know.
        # `from None`: moto's message is the session itself, never to reach a log.
        except (errors.NotAuthorizedException, errors.ExpiredCodeException,
                errors.CodeMismatchException, errors.UserNotFoundException,
                errors.ResourceNotFoundException):
            raise ChallengeExpired() from None
        result = answer.get("AuthenticationResult")
        if not result:
            raise UnsupportedChallenge(answer.get("ChallengeName") or "?")
        return _tokens(result)

    def _signing_key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at > (
                    JWKS_REFRESH_SECONDS if self._keys else 0):
                response = self._http_get(self._jwks_url, timeout=5)
                response.raise_for_status()
                jwk_set = jwt.PyJWKSet.from_dict(response.json())
                self._keys = {key.key_id: key for key in jwk_set.keys}
                self._fetched_at = time.monotonic()
            key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(f"unknown signing key {kid!r}")
        return key

    def verify(self, id_token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
            key = self._signing_key(header.get("kid", ""))
            claims = jwt.decode(
                id_token, key=key, algorithms=["RS256"], audience=self._client_id,
                issuer=self.issuer, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except (jwt.PyJWTError, requests.RequestException, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
        if claims.get("token_use") != "id":
            raise InvalidToken("not an ID token")
        return claims
