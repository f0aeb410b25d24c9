"""A citizen following their report with the ticket and tracking token."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.public_view import public_report
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.tracking import token_matches
from chalicelib.services.deps import Deps

NOT_FOUND = NotFound(
    code="laporan_tidak_ditemukan",
    message_id="Laporan tidak ditemukan. Periksa nomor tiket dan tautan pelacakan Anda.",
    message_en="Report not found. Check your ticket number and tracking link.",
)


def track_report(deps: Deps, ticket_text: str, token: str | None) -> dict[str, Any]:
    """The public view of a report; an unknown ticket and a wrong token look the same."""
    ticket = normalise_ticket(ticket_text)
    if ticket is None or not token_matches(deps.settings.token_secret, ticket, token):
        raise NOT_FOUND
    found = deps.store.load_with_history(ticket)
    if found is None:
        raise NOT_FOUND
    loaded, history = found
    reg = deps.registry
    view = public_report(loaded.report, history, units=reg.units, categories=reg.categories,
                         now=deps.clock())
    view["photos"] = [{"kind": p.kind, "url": deps.media.view_url(p.key)}
                      for p in loaded.report.photos]
    return view
