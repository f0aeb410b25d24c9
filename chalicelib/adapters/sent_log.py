"""The record of notifications sent, keyed by idempotency key (ticket#event#recipient).

A key is claimed before sending and marked sent after. A redelivered stream record
finds it sent and sends nothing. If a send failed, the claim is released so the retry
sends. If the release failed too, or a Lambda died between claim and send, the claim
stays behind unsent: the stream's retry of the same record takes it over at once
(`take_over_unsent`: one stream record is never processed twice at the same time, so
an unsent claim is always a failed earlier attempt); callers that may overlap (the
schedules) take over only a claim older than `STALE_CLAIM`. A rare duplicate (the
send went out but marking it failed) is better than a lost alert.
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

    def claim(self, key: str, now: datetime, take_over_unsent: bool = False) -> bool:
        """True if the caller should send now; False if it was sent (or is being sent)."""
        cls = self._cls
        item = cls(f"N#{key}", "N", status="claimed", claimed_at=now.isoformat(),
                   expires_at=now + KEEP_FOR)
        unsent = cls.status == "claimed"
        if not take_over_unsent:
            unsent &= cls.claimed_at < (now - STALE_CLAIM).isoformat()
        try:
            item.save(condition=cls.pk.does_not_exist() | unsent)
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
