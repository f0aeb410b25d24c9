"""Nightly reconciliation: yesterday's counters (WIB) against the reports' histories.

How it finds the day's reports without a scan: every history event also sits in the
day index (gsi3, partition EV#<WIB day>, written in the event's own transaction), so
one Query lists the day's events; each of their reports is then read with its full
history (two small reads per report). Cost follows the day's activity, not the table.

For each report the history is replayed (`replay_deltas`) and the deltas dated that
day are summed per unit: what the day's items should hold. Then:

1. Missed events. An event whose marker is absent was never applied (a stream record
   lost after its retries, or still queued). It is applied now through the stream's
   own once-only path with the event's own source, so if the stream delivers it later
   it is skipped there: never counted twice.
2. Drift. Units whose stored day counters still differ from the recomputed ones are
   reported, and (with `fix`) corrected by a delta with the source
   `fix#<day>#<unit>#<digest of the stored state>`: a re-run on the same state adds
   nothing, and the correction goes to the month and quarter items too.

Anything found is logged and mailed to the Biro Pemerintahan (once per day).

Then the periods that ended yesterday (week, month, quarter) are frozen into snapshots
(kinerja_store): yesterday has just been checked and nothing dated in it can change any
more. A correction of a day whose periods have snapshots refreshes them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from chalicelib.domain.kinerja import (
    CounterDrift,
    KinerjaDelta,
    counter_drift,
    counters_by_unit,
    replay_deltas,
)
from chalicelib.domain.kinerja_messages import drift_message
from chalicelib.domain.periods import PeriodKind, period_of_day, wib_date
from chalicelib.services.deps import Deps
from chalicelib.services.kinerja_deps import kinerja_deps
from chalicelib.services.kinerja_report import notify_leaders
from chalicelib.services.kinerja_stream import apply_deltas, record_served

log = logging.getLogger("crm.kinerja.reconcile")


@dataclass
class ReconcileResult:
    day: str
    events: int = 0
    reports: int = 0
    units: int = 0  # units with counters that day (stored or recomputed)
    missed_events: list[str] = field(default_factory=list)  # sources applied now
    drift: list[dict[str, Any]] = field(default_factory=list)  # before any correction
    corrected: int = 0
    snapshots: list[str] = field(default_factory=list)  # periods frozen or refreshed
    items_read: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not self.missed_events and not self.drift

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _describe(drift: CounterDrift) -> dict[str, Any]:
    return {"unit": drift.unit, "expected": dict(drift.expected.counts),
            "stored": dict(drift.stored.counts), "correction": drift.correction}


def _correction_source(drift: CounterDrift, day: date) -> str:
    """Names the correction after the state it corrects: a re-run on it adds nothing."""
    stored = json.dumps(drift.stored.to_item(), sort_keys=True).encode()
    return f"fix#{day.isoformat()}#{drift.unit}#{hashlib.sha256(stored).hexdigest()[:16]}"


def _replayed(deps: Deps, ticket: str, day: date, fix: bool,
              result: ReconcileResult) -> list[KinerjaDelta]:
    """The deltas of the report's whole history dated `day` (none if it vanished)."""
    loaded = deps.store.load(ticket)
    if loaded is None:
        return []
    history = deps.store.history(ticket)
    result.requests += 2
    result.items_read += 1 + len(history)
    report = loaded.report
    if fix:  # population entries are idempotent puts: re-adding the day's is harmless
        record_served(deps, report, [e for e in history if wib_date(e.at) == day])
    deltas = replay_deltas(report, history, deps.registry.sla_policy(report.category))
    return [d for d in deltas if d.day == day]


def reconcile_day(deps: Deps, day: date, *, fix: bool = True) -> ReconcileResult:
    """Check (and with `fix` repair) one WIB day's counters; see the module doc."""
    started = time.perf_counter()
    counters = kinerja_deps(deps).counters
    reads, requests = counters.reads, counters.requests
    result = ReconcileResult(day=day.isoformat())

    events = counters.events_on(day)
    tickets = sorted({ticket for ticket, _ in events})
    result.events, result.reports = len(events), len(tickets)
    deltas = [d for ticket in tickets for d in _replayed(deps, ticket, day, fix, result)]

    by_source: dict[str, list[KinerjaDelta]] = defaultdict(list)
    for delta in deltas:
        by_source[delta.source].append(delta)
    result.missed_events = sorted(set(by_source) - counters.applied(by_source))
    if fix and result.missed_events:
        apply_deltas(deps, [d for s in result.missed_events for d in by_source[s]],
                     deps.clock())

    # With `fix`, missed events were just applied: what differs now is unexplained drift.
    expected = counters_by_unit(deltas, day)
    stored = counters.day(day)
    result.units = len(set(stored) | set(expected))
    drifts = counter_drift(expected, stored)
    result.drift = [_describe(d) for d in drifts]
    if fix:
        for drift in drifts:
            result.corrected += counters.apply_correction(
                _correction_source(drift, day), drift.unit, day, drift.correction, deps.clock())
        if drifts or result.missed_events:
            result.snapshots += freeze_periods(deps, day, ended_only=False)

    result.items_read += counters.reads - reads
    result.requests += counters.requests - requests
    result.seconds = round(time.perf_counter() - started, 4)
    return result


def alert_drift(deps: Deps, result: ReconcileResult, *, fixed: bool) -> bool:
    """Mail the Biro Pemerintahan's alert topic once per day; False if sent before."""
    message = drift_message(result.day, result.missed_events, result.drift, fixed=fixed)
    return notify_leaders(deps, f"kinerja-rekonsiliasi:{result.day}", message)


def freeze_periods(deps: Deps, day: date, *, ended_only: bool = True) -> list[str]:
    """Snapshot the week, month and quarter holding `day`: those that ended with it, or
    (`ended_only=False`, after a correction of that day) those already snapshotted."""
    counters = kinerja_deps(deps).counters
    frozen = []
    for kind in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER):
        period = period_of_day(day, kind)
        wanted = (period.last_day == day if ended_only
                  else counters.snapshot(period) is not None)
        if wanted:
            counters.put_snapshot(period, counters.period(period), deps.clock())
            frozen.append(period.code)
    return frozen


def reconcile_yesterday(deps: Deps, *, fix: bool = True) -> ReconcileResult:
    """The nightly job: yesterday on the WIB calendar; logs and alerts on any finding;
    then freezes the periods that ended yesterday (checked, so final)."""
    now = deps.clock()
    yesterday = wib_date(now) - timedelta(days=1)
    result = reconcile_day(deps, yesterday, fix=fix)
    if fix or result.clean:
        result.snapshots += freeze_periods(deps, yesterday)
    if result.clean:
        log.info("kinerja reconciliation %s: clean (%d events, %d reports)", result.day,
                 result.events, result.reports)
    else:
        log.warning("kinerja reconciliation %s: %d missed events, %d units drifted: %s",
                    result.day, len(result.missed_events), len(result.drift),
                    json.dumps(result.drift)[:4000])
        alert_drift(deps, result, fixed=fix)
    return result
