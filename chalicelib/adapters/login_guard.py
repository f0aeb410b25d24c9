"""Counts failed sign-ins per username in the table (items expire by TTL)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.adapters.items import item_model
from chalicelib.domain.login_policy import FORGET_AFTER


def _model(table_name: str, region: str, host: str | None) -> type:
    return item_model(
        "LoginGuardItem", "login_guard", table_name, region, host,
        failures=NumberAttribute(default=0),
        last_failure_at=UnicodeAttribute(null=True),
        expires_at=TTLAttribute(null=True),
    )


class LoginGuard:
    def __init__(self, table_name: str, region: str, host: str | None = None) -> None:
        self._cls = _model(table_name, region, host)

    @staticmethod
    def _key(username: str) -> str:
        return f"L#{username.strip().lower()}"

    def failures(self, username: str) -> tuple[int, datetime | None]:
        try:
            item = self._cls.get(self._key(username), "L", consistent_read=True)
        except self._cls.DoesNotExist:
            return 0, None
        last = datetime.fromisoformat(item.last_failure_at) if item.last_failure_at else None
        return int(item.failures), last

    def record_failure(self, username: str, now: datetime) -> None:
        item = self._cls(self._key(username), "L")
        item.update(actions=[
            self._cls.failures.add(1),
            self._cls.type.set("login_guard"),
            self._cls.last_failure_at.set(now.isoformat()),
            self._cls.expires_at.set(now + FORGET_AFTER),
        ])

    def clear(self, username: str) -> None:
        self._cls(self._key(username), "L").delete()
