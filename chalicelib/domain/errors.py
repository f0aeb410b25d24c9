"""Domain errors carry a bilingual message a person can act on.

The HTTP layer maps `kind` to a status code; the domain never speaks HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one input field, in Bahasa Indonesia and English."""

    field: str
    message_id: str
    message_en: str


@dataclass
class DomainError(Exception):
    code: str
    message_id: str
    message_en: str
    problems: list[FieldProblem] = field(default_factory=list)
    # More fields the caller needs to act on the refusal (e.g. a sign-in challenge's
    # session), added to the answer's body. Out of repr: they may be secrets.
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    kind = "invalid"

    def __str__(self) -> str:
        return f"{self.message_id} / {self.message_en}"


class ValidationFailed(DomainError):
    """The input breaks a rule; nothing was changed."""

    kind = "invalid"

    @classmethod
    def of(cls, problems: list[FieldProblem]) -> ValidationFailed:
        first = problems[0]
        return cls(
            code="validasi_gagal",
            message_id=first.message_id,
            message_en=first.message_en,
            problems=list(problems),
        )


class IllegalTransition(DomainError):
    """The action is not allowed in the report's current status."""

    kind = "conflict"


class ConcurrentUpdate(DomainError):
    """Someone else changed the report first; reload and try again."""

    kind = "conflict"


class NotFound(DomainError):
    kind = "not_found"


class Unauthenticated(DomainError):
    """No valid sign-in: missing, expired or forged token."""

    kind = "unauthenticated"


class TooManyAttempts(DomainError):
    kind = "too_many"

    retry_after_seconds: int = 0
