"""The reporter rates the result with their tracking token."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.rating import parse_rating, rate
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.tracking import token_matches
from chalicelib.services.deps import Deps
from chalicelib.services.tracking import NOT_FOUND


def rate_report(deps: Deps, ticket_text: str, token: str | None, payload: Any) -> dict[str, Any]:
    ticket = normalise_ticket(ticket_text)
    if ticket is None or not token_matches(deps.settings.token_secret, ticket, token):
        raise NOT_FOUND
    stars, comment = parse_rating(payload)
    loaded = deps.store.load(ticket)
    if loaded is None:
        raise NOT_FOUND
    updated, _event = rate(loaded.report, stars, comment, deps.clock())
    deps.store.update(loaded, updated, [_event])
    return {"ticket": ticket, "stars": stars, "review_requested": updated.review_requested}
