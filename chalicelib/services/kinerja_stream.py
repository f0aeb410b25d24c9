"""Keeps the kinerja counters and the SKM populations up to date from the table's stream.

Which record drives it: the report item's INSERT / MODIFY. Each such record is one
stored change (ReportStore writes the report and its new events in one transaction,
under an optimistic lock), and it carries both images: the old image is exactly the
`before` state `kinerja_deltas` needs, the new image the `after`. The events the change
appended are those with `old.event_count < seq <= new.event_count`; they were written in
the same transaction, so a consistent read of the report's history finds them.

Driving it from the history event's INSERT instead would need the report as it was
before that event, which the event record does not carry (loading the report gives
its current state, possibly several changes later).

Once only: every event's deltas go to the store under the event's source
(`<ticket>#<seq>`) with a conditional marker in the same transaction, so redelivered
or reordered records never count twice. Population entries are idempotent puts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from chalicelib.adapters.skm_store import PopulationRow
from chalicelib.adapters.store import report_from_image
from chalicelib.domain.kinerja import KinerjaDelta, kinerja_deltas
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.skm import SOURCE_REPORTER, audit_expiry, served_by
from chalicelib.services.deps import Deps
from chalicelib.services.kinerja_deps import kinerja_deps
from chalicelib.services.stream import Change, processor

log = logging.getLogger("crm.kinerja")


def new_events(deps: Deps, before: Report | None, after: Report) -> list[HistoryEvent]:
    """The history events one stored change appended (none for a change without events)."""
    start = before.event_count if before is not None else 0
    if after.event_count <= start:
        return []
    return [e for e in deps.store.history(after.ticket) if start < e.seq <= after.event_count]


def apply_deltas(deps: Deps, deltas: Iterable[KinerjaDelta], now: datetime) -> int:
    """Apply deltas grouped by source, each source once; returns the sources new now."""
    by_source: dict[str, list[KinerjaDelta]] = {}
    for delta in deltas:
        by_source.setdefault(delta.source, []).append(delta)
    counters = kinerja_deps(deps).counters
    return sum(counters.apply(source, group, now) > 0 for source, group in by_source.items())


def record_served(deps: Deps, report: Report, events: Sequence[HistoryEvent]) -> int:
    """Add the reporter to the SKM population of the unit that finished the report."""
    by_quarter: dict[str, list[PopulationRow]] = {}
    expiry = {}
    for served in served_by(report, events):
        quarter = served.quarter
        expiry[quarter.code] = audit_expiry(quarter)
        by_quarter.setdefault(quarter.code, []).append(PopulationRow(
            served.unit, served.person, served.phone, served.email, SOURCE_REPORTER))
    skm = kinerja_deps(deps).skm
    return sum(skm.add_population(code, rows, expiry[code]) for code, rows in by_quarter.items())


@processor("report", "INSERT")
@processor("report", "MODIFY")
def count_report_change(deps: Deps, change: Change) -> None:
    after = report_from_image(change.new_image or {})
    if after is None:
        return
    before = report_from_image(change.old_image) if change.old_image else None
    events = new_events(deps, before, after)
    if not events:
        return
    applied = apply_deltas(deps, kinerja_deltas(before, after, events), deps.clock())
    record_served(deps, after, events)
    log.debug("kinerja: %s events %s, %d sources new", after.ticket,
              [e.seq for e in events], applied)
