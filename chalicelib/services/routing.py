"""Assigning a new report to the unit that must act on it (stream-triggered)."""

from __future__ import annotations

from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.report import SYSTEM_ACTOR, apply_action
from chalicelib.domain.routing import decide_route
from chalicelib.domain.status import Action, Status
from chalicelib.services.deps import Deps

MAX_ATTEMPTS = 3


def route_report(deps: Deps, ticket: str) -> bool:
    """Assign the report's unit once. Returns False when there was nothing to do.

    Stream records arrive at least once, so a report that already has a unit (or
    has moved on) is left alone: routing twice would notify twice.
    """
    reg = deps.registry
    for _ in range(MAX_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None:
            raise LookupError(f"report {ticket} not found")
        report = loaded.report
        if report.unit is not None or report.status != Status.MENUNGGU:
            return False
        decision = decide_route(report, wilayah=reg.wilayah, units=reg.units,
                                categories=reg.categories)
        unit = reg.units.get(decision.unit)
        unit_name = unit.name if unit else decision.unit
        updated, event = apply_action(
            report, Action.TUGASKAN, actor=SYSTEM_ACTOR, now=deps.clock(), unit=decision.unit,
            note=f"Laporan diteruskan ke {unit_name}. / Report assigned to {unit_name}.",
            data={"rule": decision.rule, "kelurahan_code": decision.kelurahan_code},
        )
        try:
            deps.store.update(loaded, updated, [event])
            return True
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(
        code="konflik_pembaruan",
        message_id=f"Laporan {ticket} terus berubah saat ditugaskan.",
        message_en=f"Report {ticket} kept changing while being assigned.",
    )
