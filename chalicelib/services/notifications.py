"""Telling units and citizens about what happened to a report (stream-triggered)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from functools import cache
from typing import Any

from chalicelib.adapters.notify import NoSubscribers
from chalicelib.adapters.store import event_from_image
from chalicelib.domain.notifications import Links, Notice, may_notify, notices_for
from chalicelib.domain.report import Report
from chalicelib.domain.tracking import tracking_token
from chalicelib.registry import DATA_DIR
from chalicelib.services.deps import Deps
from chalicelib.services.stream import Change, processor

log = logging.getLogger("crm.notify")
PHOTO_LINK_SECONDS = 7 * 24 * 3600  # the longest a SigV4 link may live


@cache
def templates() -> dict[str, Any]:
    return json.loads((DATA_DIR / "messages.json").read_text(encoding="utf-8"))


def _tell_citizen(deps: Deps, phone: str | None, email: str | None,
                  notice: Notice) -> str | None:
    """Through the contact the citizen left; None when they left none."""
    if phone:
        return deps.notifier.sms(phone, notice.sms)
    if email:
        return deps.notifier.email(email, notice.subject, notice.email)
    return None


def deliver(deps: Deps, report: Report, notice: Notice,
            follower: dict[str, Any] | None = None) -> bool:
    """Send one notice once. Returns False when it had been sent already."""
    # Only the stream record of this notice's event sends it, one attempt at a time, so a
    # claim left unsent is a failed earlier attempt of ours: take it over (see SentLog).
    if not deps.sent_log.claim(notice.key, deps.clock(), take_over_unsent=True):
        return False
    try:
        if notice.audience == "unit":
            message_id = deps.notifier.alert_unit(notice.recipient, notice.subject,
                                                  notice.email, notice.sms)
        else:
            contact = follower or report.reporter.model_dump()
            message_id = _tell_citizen(deps, contact.get("phone"), contact.get("email"), notice)
    except NoSubscribers:
        log.warning("unit %s has no alert subscribers; %s not sent", notice.recipient,
                    notice.key)
        message_id = "no-subscribers"
    except Exception:
        deps.sent_log.release(notice.key)  # let the stream's retry send it
        raise
    deps.sent_log.mark_sent(notice.key, message_id)
    return True


@processor("event", "INSERT")
def notify_on_event(deps: Deps, change: Change) -> None:
    event = event_from_image(change.new_image or {})
    ticket = (change.new_image or {}).get("ticket", {}).get("S")
    if event is None or ticket is None or not may_notify(event):
        return
    loaded = deps.store.load(ticket)
    if loaded is None:
        raise LookupError(f"report {ticket} of a history event is missing")
    report = loaded.report
    after = [p for p in report.photos if p.kind == "after"]
    links = Links(
        public_base_url=deps.settings.public_base_url,
        tracking_token=tracking_token(deps.settings.token_secret, ticket),
        photo_url=deps.media.view_url(after[-1].key, PHOTO_LINK_SECONDS) if after else None,
    )
    reg = deps.registry
    followers = None
    for notice in notices_for(report, event, units=reg.units, categories=reg.categories,
                              templates=templates(), links=links,
                              previous_unit=event.data.get("from_unit")):
        if notice.audience == "unit":
            deliver(deps, report, notice)
            continue
        deliver(deps, report, notice)
        if followers is None:
            followers = deps.store.followers(report.ticket)
        for follower in followers:
            key = follower.get("phone") or follower.get("email")
            deliver(deps, report, replace(notice, recipient=f"follower:{key}",
                                          key=f"{notice.key}:{key}"), follower)
