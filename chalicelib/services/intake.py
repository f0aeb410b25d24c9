"""Filing a report, from whatever channel it came."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.store import DuplicateDelivery, TicketTaken
from chalicelib.domain.intake import parse_intake
from chalicelib.domain.report import open_report
from chalicelib.domain.status import Status
from chalicelib.domain.ticket import new_ticket
from chalicelib.domain.tracking import tracking_token
from chalicelib.services.deps import Deps

# 35 random bits per ticket: a collision is rare, five in a row means something is broken.
MAX_TICKET_DRAWS = 5


@dataclass(frozen=True)
class Filed:
    ticket: str
    tracking_token: str
    status: str
    created: bool  # False when the channel redelivered a message filed before


def _existing(deps: Deps, ticket: str) -> Filed:
    loaded = deps.store.load(ticket)
    status = str(loaded.report.status) if loaded else str(Status.MENUNGGU)
    return Filed(ticket, tracking_token(deps.settings.token_secret, ticket), status, False)


def file_report(deps: Deps, payload: Any, *, channel: str, external_id: str | None = None,
                entered_by: str | None = None, draw_ticket=new_ticket) -> Filed:
    reg = deps.registry
    command = parse_intake(payload, channel=channel, wilayah=reg.wilayah,
                           categories=reg.categories, external_id=external_id,
                           entered_by=entered_by)
    if external_id:
        known = deps.store.ticket_for(channel, external_id)
        if known:
            return _existing(deps, known)
    policy = reg.sla_policy(command.category)
    for _ in range(MAX_TICKET_DRAWS):
        report, first_event = open_report(
            ticket=draw_ticket(),
            channel=channel,
            description=command.description,
            now=deps.clock(),
            policy=policy,
            category=command.category,
            point=command.point,
            address=command.address,
            kelurahan_code=command.kelurahan_code,
            reporter=command.reporter,
            external_id=command.external_id,
            entered_by=command.entered_by,
        )
        try:
            deps.store.create(report, first_event)
        except TicketTaken:
            continue
        except DuplicateDelivery as duplicate:
            return _existing(deps, duplicate.ticket)
        token = tracking_token(deps.settings.token_secret, report.ticket)
        return Filed(report.ticket, token, str(report.status), True)
    raise RuntimeError(f"no free ticket number after {MAX_TICKET_DRAWS} draws")
