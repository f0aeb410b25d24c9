"""The record of notifications sent, keyed by idempotency key (ticket#event#recipient).

A key is claimed before sending and marked sent after. A redelivered stream record
finds it claimed and sends nothing. If a send failed, the claim is released so the
retry sends; if a Lambda died between claim and send, a claim older than
`STALE_CLAIM` is taken over (a rare duplicate is better than a lost alert).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from chalicelib.adapters.items import item_model

STALE_CLAIM = timedelta(minutes=2)
KEEP_FOR = timedelta(days=30)


def _model(table_name: str, region: str, host: str | None) -> type:
    return item_model(
        "SentItem", "sent", table_name, region, host,
        status=UnicodeAttribute(),  # claimed | sent
        claimed_at=UnicodeAttribute(),
        message_id=UnicodeAttribute(null=True),
        expires_at=TTLAttribute(null=True),
    )


class SentLog:
    def __init__(self, table_name: str, region: str, host: str | None = None) -> None:
        self._cls = _model(table_name, region, host)

    def claim(self, key: str, now: datetime) -> bool:
        """True if the caller should send now; False if it was sent (or is being sent)."""
        cls = self._cls
        item = cls(f"N#{key}", "N", status="claimed", claimed_at=now.isoformat(),
                   expires_at=now + KEEP_FOR)
        stale = (now - STALE_CLAIM).isoformat()
        try:
            item.save(condition=cls.pk.does_not_exist()
                      | ((cls.status == "claimed") & (cls.claimed_at < stale)))
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_sent(self, key: str, message_id: str | None) -> None:
        self._cls(f"N#{key}", "N").update(actions=[
            self._cls.status.set("sent"), self._cls.message_id.set(message_id or "-")])

    def release(self, key: str) -> None:
        self._cls(f"N#{key}", "N").delete()

    def status(self, key: str) -> str | None:
        try:
            return self._cls.get(f"N#{key}", "N", consistent_read=True).status
        except self._cls.DoesNotExist:
            return None
