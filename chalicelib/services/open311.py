"""Open311 GeoReport v2 use cases: services, requests (read and create), tokens.

Creating needs an API key from CRM_OPEN311_API_KEYS (comma-separated; in AWS the SSM
parameter /crm-<stage>/CRM_OPEN311_API_KEYS, see channel_config.settings_environment).
Stages `local` and `test` accept the documented key `crm-local-open311-key` when none is
set; any other stage without keys refuses every POST (fails closed). Reports created here
come in on the `open311` channel; the Open311 token of a request is its dedupe key on that
channel, so `tokens/{token}` finds the ticket with one read.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.store import WindowTooBroad
from chalicelib.channel_config import settings_environment
from chalicelib.domain import open311 as o311
from chalicelib.domain.errors import DomainError
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.units import opd_code
from chalicelib.services.deps import Deps
from chalicelib.services.intake import file_report

CHANNEL = "open311"
LOCAL_API_KEY = "crm-local-open311-key"
LOCAL_STAGES = ("local", "test")


def api_keys(stage: str, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    env = os.environ if env is None else env
    keys = tuple(k.strip() for k in (env.get("CRM_OPEN311_API_KEYS") or "").split(",")
                 if k.strip())
    if not keys and stage in LOCAL_STAGES:
        return (LOCAL_API_KEY,)
    return keys


def key_accepted(presented: str | None, keys: tuple[str, ...]) -> bool:
    # Compare against every key, always: the time taken says nothing about which matched.
    found = False
    for key in keys:
        found |= hmac.compare_digest(key.encode(), (presented or "").encode())
    return found


def services(deps: Deps) -> list[dict[str, Any]]:
    reg = deps.registry
    groups = {u.code: u.name for u in reg.units.of_kind("opd")}
    return [o311.service(c, groups.get(opd_code(c.opd)) if c.opd else None)
            for c in reg.categories.all()]


def service_definition(deps: Deps, code: str) -> dict[str, Any]:
    category = deps.registry.categories.get(code)
    if category is None:
        raise o311.Open311Error(404, f"service_code {code!r} not found")
    return o311.service_definition(category)


def _view(deps: Deps, report: Any, extensions: bool) -> dict[str, Any]:
    reg = deps.registry
    return o311.request_view(report, categories=reg.categories, units=reg.units,
                             wilayah=reg.wilayah, extensions=extensions)


def get_request(deps: Deps, request_id: str, extensions: bool) -> list[dict[str, Any]]:
    ticket = normalise_ticket(request_id)
    loaded = deps.store.load(ticket) if ticket else None
    if loaded is None:
        raise o311.Open311Error(404, f"service_request_id {request_id!r} not found")
    return [_view(deps, loaded.report, extensions)]


@dataclass(frozen=True)
class RequestList:
    requests: list[dict[str, Any]]
    next_page: int | None  # the `page` that continues this list; None at its end
    # The window this list was read from, so the next page reads the same one even when
    # the client gave no dates ("the last 90 days" moves while it pages).
    window: dict[str, str] | None = None


def list_requests(deps: Deps, params: Mapping[str, str]) -> RequestList:
    query = o311.parse_request_query(params, deps.registry.categories, deps.clock())
    if query.ids:  # the spec: other filters are ignored when ids are given
        found = []
        for request_id in query.ids[:o311.MAX_PAGE_SIZE]:
            ticket = normalise_ticket(request_id)
            loaded = deps.store.load(ticket) if ticket else None
            if loaded is not None:
                found.append(_view(deps, loaded.report, query.extensions))
        return RequestList(found, None)
    try:
        page = deps.store.created_between(
            query.start, query.end, skip=(query.page - 1) * query.page_size,
            take=query.page_size, category=query.service_code,
            statuses=o311.crm_statuses(query))
    except WindowTooBroad:
        raise o311.Open311Error(400, "these filters match too sparsely in this window to page "
                                     "through; narrow start_date/end_date") from None
    return RequestList([_view(deps, r, query.extensions) for r in page.reports],
                       query.page + 1 if page.more else None,
                       {"start_date": query.start.isoformat(), "end_date": query.end.isoformat()})


def create_request(deps: Deps, form: Mapping[str, str]) -> list[dict[str, Any]]:
    s = deps.settings
    keys = api_keys(s.stage, settings_environment(s.region, s.endpoint_url))
    if not key_accepted(form.get("api_key"), keys):
        raise o311.Open311Error(403, "api_key is missing or not valid")
    payload = o311.intake_payload(form)
    token = secrets.token_urlsafe(12)
    try:
        filed = file_report(deps, payload, channel=CHANNEL, external_id=token)
    except DomainError as exc:
        if exc.kind != "invalid":
            raise
        problems = exc.problems or []
        text = "; ".join(f"{p.field}: {p.message_en}" for p in problems) or exc.message_en
        raise o311.Open311Error(400, text) from None
    link = f"{deps.settings.public_base_url}/lacak/{filed.ticket}?token={filed.tracking_token}"
    return [{"service_request_id": filed.ticket, "token": token,
             "service_notice": f"Lacak / track: {link}", "account_id": None}]


def token_lookup(deps: Deps, token: str) -> list[dict[str, Any]]:
    ticket = deps.store.ticket_for(CHANNEL, token)
    if ticket is None:
        raise o311.Open311Error(404, f"token {token!r} not found")
    return [{"service_request_id": ticket, "token": token}]
