"""The SLA sweep (every 5 minutes): record and announce every warning and escalation
whose time has come, each exactly once."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.officers import unit_chain
from chalicelib.domain.sla import record_steps
from chalicelib.domain.timefmt import utc_iso
from chalicelib.services.deps import Deps

MAX_ATTEMPTS = 3


@dataclass
class SweepResult:
    due: int = 0  # reports the index said were due
    steps: int = 0  # warnings and escalations recorded now
    items_read: int = 0
    requests: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_due_steps(deps: Deps, ticket: str, now: datetime) -> int:
    """Record the report's due SLA steps as history events; returns how many were new.

    Two sweeps racing on one report: the optimistic lock lets one write, the other
    reloads, finds the steps recorded and does nothing.
    """
    for _ in range(MAX_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None:
            return 0
        report = loaded.report
        updated, events = record_steps(
            report, deps.registry.sla_policy(report.category),
            unit_chain(deps.registry.units, report.unit), now)
        if not events:
            return 0
        try:
            deps.store.update(loaded, updated, events)
            return len(events)
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate(code="konflik_pembaruan",
                           message_id=f"Laporan {ticket} terus berubah saat disapu SLA.",
                           message_en=f"Report {ticket} kept changing during the SLA sweep.")


def sweep(deps: Deps, now: datetime | None = None) -> SweepResult:
    now = now or deps.clock()
    started = time.perf_counter()
    reads, requests = deps.store.reads, deps.store.requests
    result = SweepResult()
    until = utc_iso(now)
    for shard in range(deps.store.due_shards):
        for ticket in list(deps.store.due_tickets(shard, until)):
            result.due += 1
            result.steps += record_due_steps(deps, ticket, now)
    result.items_read = deps.store.reads - reads
    result.requests = deps.store.requests - requests
    result.seconds = round(time.perf_counter() - started, 4)
    return result
