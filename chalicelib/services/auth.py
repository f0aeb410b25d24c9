"""Officer sign-in and who a bearer token belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.adapters.identity import InvalidToken, LoginFailed
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
    problems = [
        FieldProblem(name, f"Kolom '{name}' wajib diisi.", f"Field '{name}' is required.")
        for name in ("username", "password")
        if not isinstance(payload.get(name), str) or not payload[name]
        or len(payload[name]) > 256
    ]
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
    if failures:
        deps.login_guard.clear(username)
    officer = officer_from_claims(deps, identity.verify(tokens["id_token"]))
    return {**tokens, "officer": officer.model_dump()}


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
