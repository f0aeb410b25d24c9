"""Sending what the outbox holds, and queueing status updates for partner systems.

Both run on the table's stream (services/stream.py), so both are idempotent:
- `send_outbox_item` (outbox INSERT) sends one message. It reads the item first: a
  redelivered record finds it sent (or failed) and does nothing.
- `queue_partner_sync` (event INSERT) queues, for a report that came from a partner
  (JAKI, LAPOR!), one status update per history event, keyed by the event's seq.

Failures. A permanent one (refused, unconfigured) marks the item failed at once. A
temporary one counts an attempt and raises: the stream handler reports the record in
`batchItemFailures` and Lambda retries from it. That retry blocks the records behind it in
the same shard (routing of new reports among them), so it is bounded: at the
`CRM_OUTBOX_MAX_ATTEMPTS`-th failure (3 by default) the item is marked failed, logged at
ERROR, and the batch moves on. A failed item stays in the table (status, attempts,
last_error, next_attempt_at) for a later retry sweep or an officer to see; it is never
silently dropped. The send timeout (3 s connect, 10 s read) keeps a hanging platform
from eating the batch's time limit.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from chalicelib.adapters.outbox import keys_from_image
from chalicelib.adapters.senders.base import NotConfiguredError, PermanentSendError
from chalicelib.adapters.store import event_from_image
from chalicelib.domain.channel_payloads.partner import NOT_SYNCED, status_update
from chalicelib.domain.replies import Outgoing
from chalicelib.services.channel_deps import channel_deps
from chalicelib.services.channel_intake import INTAKE_MEDIA
from chalicelib.services.deps import Deps
from chalicelib.services.stream import Change, processor

log = logging.getLogger("crm.outbox")
FIRST_BACKOFF = timedelta(seconds=30)


def deliver(deps: Deps, pk: str, sk: str) -> str:
    """Send one outbox item if it is still pending; returns its status afterwards."""
    cd = channel_deps(deps)
    entry = cd.outbox.get(pk, sk)
    if entry is None:
        return "missing"  # expired by TTL before a very late redelivery
    if entry.status != "pending":
        return entry.status
    message = entry.message
    now = deps.clock()
    try:
        remote_id = cd.senders.send(message)
    except PermanentSendError as exc:
        cd.outbox.record_failure(pk, sk, str(exc), now=now, retry_at=None)
        # The local stack has no platform tokens on purpose: expected there, a fault in AWS.
        quiet = isinstance(exc, NotConfiguredError) and cd.config.local
        log.log(logging.WARNING if quiet else logging.ERROR, "outbox %s %s (%s via %s) failed: %s",
                pk, sk, message.channel, message.medium, exc)
        return "failed"
    except Exception as exc:
        attempt = entry.attempts + 1
        error = f"{type(exc).__name__}: {exc}"
        if attempt >= cd.config.outbox_max_attempts:
            cd.outbox.record_failure(pk, sk, error, now=now, retry_at=None)
            log.error("outbox %s %s (%s via %s) failed after %d attempts: %s", pk, sk,
                      message.channel, message.medium, attempt, error)
            return "failed"
        retry_at = now + FIRST_BACKOFF * 2 ** (attempt - 1)
        cd.outbox.record_failure(pk, sk, error, now=now, retry_at=retry_at)
        log.warning("outbox %s %s attempt %d failed, will retry: %s", pk, sk, attempt, error)
        raise
    cd.outbox.mark_sent(pk, sk, remote_id, now)
    return "sent"


@processor("outbox", "INSERT")
def send_outbox_item(deps: Deps, change: Change) -> None:
    keys = keys_from_image(change.new_image or {})
    if keys is not None:
        deliver(deps, *keys)


@processor("event", "INSERT")
def queue_partner_sync(deps: Deps, change: Change) -> None:
    image = change.new_image or {}
    event = event_from_image(image)
    ticket = image.get("ticket", {}).get("S")
    if event is None or ticket is None or event.action in NOT_SYNCED \
            or event.data.get("source") == INTAKE_MEDIA:
        return
    loaded = deps.store.load(ticket)
    if loaded is None:
        raise LookupError(f"report {ticket} of a history event is missing")
    report = loaded.report
    channel = deps.registry.channels.get(report.channel)
    if channel is None or channel.reply != "partner-sync" or not report.external_id:
        return
    unit = deps.registry.units.get(event.unit) if event.unit else None
    update = Outgoing(kind="partner-sync", channel=channel.id, medium="partner",
                      body=status_update(report, event, unit.name if unit else None))
    channel_deps(deps).outbox.queue(ticket, f"sync#{event.seq:06d}", update, deps.clock())
