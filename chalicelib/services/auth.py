"""Officer sign-in and who a bearer token belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.adapters import identity as cognito
from chalicelib.adapters.identity import InvalidToken, LoginFailed
from chalicelib.domain import password_policy
from chalicelib.domain.errors import (
    DomainError,
    FieldProblem,
    TooManyAttempts,
    Unauthenticated,
    ValidationFailed,
)
from chalicelib.domain.login_policy import retry_after
from chalicelib.domain.officers import Forbidden, Officer, Role
from chalicelib.services.deps import Deps


class SignInUnavailable(DomainError):
    kind = "unavailable"


class NewPasswordRequired(DomainError):
    """The temporary password from the invitation was right: now choose a new one.

    Answered 409, not 401: the credentials were right, so a client must not show
    "wrong password" (which is what it does with a 401 from /auth/login), and the
    login guard counts no failure. The request is fine too (not 400); what stands in
    the way is the account's state (FORCE_CHANGE_PASSWORD), which the client resolves
    with POST /auth/new-password and the `session` of this answer: a conflict with the
    current state of the resource, with the means to resolve it in the body.
    """

    kind = "conflict"


# Cognito's limits: usernames up to 128 characters (256 accepted here; passwords too),
# challenge sessions up to 2048.
MAX_USERNAME = 256
MAX_SESSION = 2048


def _identity(deps: Deps):
    if deps.identity is None:
        raise SignInUnavailable(
            code="login_tidak_tersedia",
            message_id="Layanan masuk petugas belum dikonfigurasi (CRM_USER_POOL_ID).",
            message_en="Officer sign-in is not configured (CRM_USER_POOL_ID).")
    return deps.identity


def login(deps: Deps, payload: Any) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        payload = {}
    problems = _text_problems(payload, {"username": MAX_USERNAME, "password": MAX_USERNAME})
    if problems:
        raise ValidationFailed.of(problems)
    username, password = payload["username"], payload["password"]
    identity = _identity(deps)
    now = deps.clock()
    failures, last = deps.login_guard.failures(username)
    wait = retry_after(failures, last, now)
    if wait:
        error = TooManyAttempts(
            code="terlalu_banyak_percobaan",
            message_id=f"Terlalu banyak percobaan masuk. Coba lagi dalam {wait} detik.",
            message_en=f"Too many sign-in attempts. Try again in {wait} seconds.")
        error.retry_after_seconds = wait
        raise error
    try:
        tokens = identity.login(username, password)
    except LoginFailed:
        deps.login_guard.record_failure(username, now)
        raise Unauthenticated(
            code="login_gagal",
            message_id="Nama pengguna atau kata sandi salah.",
            message_en="Wrong username or password.") from None
    except cognito.NewPasswordRequired as challenge:
        # The temporary password was right: no failure, and like any right password
        # it clears the count. The session travels in `details`, kept out of repr.
        if failures:
            deps.login_guard.clear(username)
        raise NewPasswordRequired(
            code="kata_sandi_baru_diperlukan",
            message_id="Masuk pertama: buat kata sandi baru.",
            message_en="First sign-in: choose a new password.",
            details={"session": challenge.session, "username": challenge.username}) from None
    if failures:
        deps.login_guard.clear(username)
    return _signed_in(deps, identity, tokens)


def _signed_in(deps: Deps, identity: cognito.CognitoIdentity,
               tokens: dict[str, Any]) -> dict[str, Any]:
    officer = officer_from_claims(deps, identity.verify(tokens["id_token"]))
    return {**tokens, "officer": officer.model_dump()}


def _text_problems(payload: Mapping[str, Any], limits: dict[str, int]) -> list[FieldProblem]:
    problems = []
    for name, limit in limits.items():
        value = payload.get(name)
        if not isinstance(value, str) or not value:
            problems.append(FieldProblem(name, f"Kolom '{name}' wajib diisi.",
                                         f"Field '{name}' is required."))
        elif len(value) > limit:
            problems.append(FieldProblem(
                name, f"Kolom '{name}' paling banyak {limit} karakter.",
                f"Field '{name}' takes at most {limit} characters."))
    return problems


def set_new_password(deps: Deps, payload: Any) -> dict[str, Any]:
    """First sign-in: replace the temporary password (the `session` of the 409 from
    `login`) with the officer's own, then sign in as `login` does.

    `new_password_repeat` is optional; when given it must equal `new_password`. The
    password policy itself is Cognito's to judge (the pool's numbers, not a copy here
    that could drift); its refusal names the policy on the field `new_password`.
    """
    if not isinstance(payload, Mapping):
        payload = {}
    problems = _text_problems(payload, {"username": MAX_USERNAME, "session": MAX_SESSION,
                                        "new_password": password_policy.MAX_LENGTH})
    repeat = payload.get("new_password_repeat")
    if repeat is not None and repeat != payload.get("new_password"):
        problems.append(FieldProblem(
            "new_password_repeat",
            "Kata sandi baru dan ulangannya tidak sama. Ketik keduanya lagi.",
            "The new password and its repeat do not match. Type both again."))
    if problems:
        raise ValidationFailed.of(problems)
    identity = _identity(deps)
    try:
        tokens = identity.set_new_password(payload["username"], payload["session"],
                                           payload["new_password"])
    except cognito.PasswordRejected:
        raise ValidationFailed.of([FieldProblem(
            "new_password", password_policy.POLICY_ID, password_policy.POLICY_EN)]) from None
    except cognito.ChallengeExpired:
        raise Unauthenticated(
            code="sesi_kata_sandi_baru_tidak_sah",
            message_id="Waktu untuk membuat kata sandi baru sudah habis atau sesinya tidak "
                       "sah. Masuk lagi dengan kata sandi sementara dari email undangan.",
            message_en="The time to choose a new password has run out, or its session is "
                       "invalid. Sign in again with the temporary password from the "
                       "invitation email.") from None
    except cognito.UnsupportedChallenge:
        raise SignInUnavailable(
            code="langkah_masuk_tidak_didukung",
            message_id="Akun ini meminta langkah masuk yang belum didukung aplikasi. "
                       "Hubungi administrator.",
            message_en="This account asks for a sign-in step the app does not support yet. "
                       "Contact the administrator.") from None
    return _signed_in(deps, identity, tokens)


def officer_from_claims(deps: Deps, claims: Mapping[str, Any]) -> Officer:
    groups = claims.get("cognito:groups") or []
    role_name = claims.get("custom:role") or next(
        (g for g in groups if g in Role.__members__.values()), None)
    unit_code = claims.get("custom:unit")
    unit = deps.registry.units.get(unit_code) if unit_code else None
    if role_name not in Role.__members__.values() or unit is None:
        raise Forbidden(code="akun_tidak_lengkap",
                        message_id="Akun Anda belum memiliki peran dan unit yang sah.",
                        message_en="Your account has no valid role and unit.")
    role = Role(role_name)
    if unit.kind not in deps.registry.role_policies[role].unit_kinds:
        raise Forbidden(code="akun_tidak_konsisten",
                        message_id=f"Peran '{role}' tidak sesuai dengan unit {unit.code}.",
                        message_en=f"The role '{role}' does not fit the unit {unit.code}.")
    return Officer(
        username=claims.get("cognito:username") or claims["sub"],
        role=role, unit=unit.code, name=claims.get("name"), email=claims.get("email"),
        phone=claims.get("phone_number"))


def authenticate(deps: Deps, authorization: str | None) -> Officer:
    identity = _identity(deps)
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            code="perlu_login",
            message_id="Silakan masuk: header 'Authorization: Bearer <id token>' diperlukan.",
            message_en="Please sign in: an 'Authorization: Bearer <id token>' header is required.")
    try:
        claims = identity.verify(token.strip())
    except InvalidToken:
        raise Unauthenticated(
            code="token_tidak_sah",
            message_id="Sesi tidak sah atau sudah kedaluwarsa; silakan masuk lagi.",
            message_en="The session is invalid or has expired; please sign in again.") from None
    return officer_from_claims(deps, claims)
