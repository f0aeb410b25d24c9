"""The channel outbox: messages to citizens and partners, one item each in the table.

Item: pk `O#<ticket>`, sk `<reply id>` (`112`, `ack`, `sync#000004`...), type "outbox".
The reply id is deterministic, so queueing the same message twice (a redelivered webhook,
a redelivered stream record) is one conditional put that finds the item and writes nothing.
Inserting the item is what sends it: the table's stream delivers the INSERT to the sender
(services/channel_outbox.py). Status: pending -> sent | failed; attempts and the last error
are kept; items expire (TTL) after KEEP_FOR, which is also how long they serve as a record
of what citizens were told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, PynamoDBException
from pynamodb.models import Model

from chalicelib.adapters.store import StoreUnavailable
from chalicelib.domain.replies import Outgoing
from chalicelib.domain.timefmt import utc_iso

KEEP_FOR = timedelta(days=180)
MAX_ERROR = 500


def outbox_key(owner: str) -> str:
    """`owner` is the ticket the message is about (or a uuid for a message about none)."""
    return f"O#{owner}"


def _model(table_name: str, region: str, host: str | None) -> type:
    meta = type("Meta", (), {"table_name": table_name, "region": region, "host": host})

    class OutboxItem(Model):
        Meta = meta
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        type = UnicodeAttribute(default="outbox")
        doc = UnicodeAttribute()  # JSON of the domain Outgoing
        channel = UnicodeAttribute()
        medium = UnicodeAttribute()
        status = UnicodeAttribute(default="pending")  # pending | sent | failed
        attempts = NumberAttribute(default=0)
        created_at = UnicodeAttribute()
        next_attempt_at = UnicodeAttribute(null=True)
        sent_at = UnicodeAttribute(null=True)
        remote_id = UnicodeAttribute(null=True)  # the platform's id of what was sent
        last_error = UnicodeAttribute(null=True)
        expires_at = TTLAttribute(null=True)

    return OutboxItem


@dataclass(frozen=True)
class OutboxEntry:
    pk: str
    sk: str
    message: Outgoing
    status: str
    attempts: int
    last_error: str | None = None
    remote_id: str | None = None


def keys_from_image(image: dict[str, Any]) -> tuple[str, str] | None:
    """(pk, sk) of an outbox item in a stream image, or None for other item types."""
    if image.get("type", {}).get("S") != "outbox":
        return None
    return image["pk"]["S"], image["sk"]["S"]


class Outbox:
    def __init__(self, table_name: str, region: str, host: str | None = None) -> None:
        self._cls = _model(table_name, region, host)

    def queue(self, owner: str, reply_id: str, message: Outgoing, now: datetime) -> bool:
        """Queue a message once. False when it was queued before (nothing is written)."""
        cls = self._cls
        item = cls(outbox_key(owner), reply_id, doc=message.model_dump_json(),
                   channel=message.channel, medium=message.medium, status="pending",
                   attempts=0, created_at=utc_iso(now), next_attempt_at=utc_iso(now),
                   expires_at=now + KEEP_FOR)
        try:
            item.save(condition=cls.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise StoreUnavailable(str(exc)) from exc
        except (PynamoDBException, BotoCoreError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return True

    def get(self, pk: str, sk: str) -> OutboxEntry | None:
        try:
            item = self._cls.get(pk, sk, consistent_read=True)
        except self._cls.DoesNotExist:
            return None
        return OutboxEntry(item.pk, item.sk, Outgoing.model_validate_json(item.doc),
                           item.status, int(item.attempts), item.last_error, item.remote_id)

    def entries(self, owner: str) -> list[OutboxEntry]:
        """Every message about one ticket (officer view, tests)."""
        return [OutboxEntry(i.pk, i.sk, Outgoing.model_validate_json(i.doc), i.status,
                            int(i.attempts), i.last_error, i.remote_id)
                for i in self._cls.query(outbox_key(owner), consistent_read=True)]

    def mark_sent(self, pk: str, sk: str, remote_id: str | None, now: datetime) -> None:
        cls = self._cls
        cls(pk, sk).update(actions=[cls.status.set("sent"), cls.sent_at.set(utc_iso(now)),
                                    cls.remote_id.set(remote_id or "-"),
                                    cls.next_attempt_at.remove()])

    def record_failure(self, pk: str, sk: str, error: str, *, now: datetime,
                       retry_at: datetime | None) -> int:
        """Count a failed attempt; `retry_at` None marks the item failed for good.

        Returns the number of attempts so far.
        """
        cls = self._cls
        item = cls(pk, sk)
        actions = [cls.attempts.add(1), cls.last_error.set(error[:MAX_ERROR])]
        if retry_at is None:
            actions += [cls.status.set("failed"), cls.next_attempt_at.remove()]
        else:
            actions.append(cls.next_attempt_at.set(utc_iso(retry_at)))
        item.update(actions=actions)
        return int(item.attempts)
