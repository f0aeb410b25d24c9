"""The distribution of finish times of one area (a unit and every unit under it) in a period.

For the leaders' page, which renders it on the server so that it reads without
JavaScript; the page's script then takes the same numbers from `GET /kinerja?unit=`.
Reads the period's counter partition(s) exactly as the rankings do (kinerja_report.py),
never the reports: a quarter is two Queries of small items, or its snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.finish_times import sebaran_selesai
from chalicelib.domain.kinerja import DailyCounters, aggregate, ancestors, rollup
from chalicelib.domain.periods import Period
from chalicelib.domain.sketch import DurationSketch
from chalicelib.services.deps import Deps
from chalicelib.services.kinerja_deps import kinerja_deps


def area_finish_times(deps: Deps, area: str, period: Period,
                      rows: Sequence[DailyCounters] | None = None) -> dict[str, int]:
    """Follow-ups per range of time to finish (finish_times.RENTANG_SELESAI) of `area`
    rolled up, as `GET /kinerja` gives for it in `unit[area].sebaran_selesai`. `rows`:
    the period's counter rows when the caller has read them already."""
    units = deps.registry.units
    if rows is None:
        rows = kinerja_deps(deps).counters.period(period, deps.clock())
    # Only the rows that roll up into the area: rolling every unit's sketch up the
    # hierarchy, as the rankings must, would be wasted work here.
    under = [row for row in rows if row.unit == area or area in ancestors(row.unit, units)]
    counters = rollup(aggregate(under, period), units).get(area)
    return sebaran_selesai(counters.finish if counters else DurationSketch())
