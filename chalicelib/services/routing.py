"""Assigning a new report to the unit that must act on it (stream-triggered)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.adapters.boundaries import load_boundaries
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.geo import KelurahanBoundaries
from chalicelib.domain.report import SYSTEM_ACTOR, HistoryEvent, Report, apply_action
from chalicelib.domain.routing import RouteDecision, decide_route
from chalicelib.domain.status import Action, Status
from chalicelib.services.deps import Deps

MAX_ATTEMPTS = 3
OUTSIDE_NOTE = ("Laporan berada di luar wilayah DKI Jakarta. / "
                "The report is outside DKI Jakarta.")

BoundaryLoader = Callable[[], KelurahanBoundaries | None]


def route_report(deps: Deps, ticket: str, *,
                 boundaries: BoundaryLoader | None = None) -> bool:
    """Assign the report's unit (or close it as outside Jakarta) once.

    Returns False when there was nothing to do. Stream records arrive at least
    once, so a report that already has a unit (or has moved on) is left alone:
    routing twice would notify twice. `boundaries` replaces the process's layer
    loader (tests).
    """
    reg = deps.registry
    loader = boundaries or (lambda: load_boundaries(deps.settings, reg.wilayah))
    for _ in range(MAX_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None:
            raise LookupError(f"report {ticket} not found")
        report = loaded.report
        if report.unit is not None or report.status != Status.MENUNGGU:
            return False
        # Only a point needs the layer: a failing S3 read must not hold up the rest.
        layer = loader() if report.point is not None else None
        decision = decide_route(report, wilayah=reg.wilayah, units=reg.units,
                                categories=reg.categories, boundaries=layer)
        updated, event = _apply(deps, report, decision)
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


def _apply(deps: Deps, report: Report, decision: RouteDecision) -> tuple[Report, HistoryEvent]:
    data: dict[str, Any] = {"rule": decision.rule, "kelurahan_code": decision.kelurahan_code,
                            "reason": decision.reason, **decision.details}
    if decision.outside_jakarta:
        # Closed with the reason the reporter reads on tracking and in the notice.
        return apply_action(report, Action.LUAR_WILAYAH, actor=SYSTEM_ACTOR, now=deps.clock(),
                            unit=decision.unit, note=OUTSIDE_NOTE, data=data)
    unit = deps.registry.units.get(decision.unit)
    unit_name = unit.name if unit else decision.unit
    return apply_action(
        report, Action.TUGASKAN, actor=SYSTEM_ACTOR, now=deps.clock(), unit=decision.unit,
        note=f"Laporan diteruskan ke {unit_name}. / Report assigned to {unit_name}.",
        data=data,
    )
