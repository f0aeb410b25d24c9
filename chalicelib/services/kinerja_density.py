"""Kepadatan laporan per kelurahan in a period, for the leaders' map (what is counted, and
why that and not the open reports: domain/kepadatan.py).

Reads the period's kinerja counter partition(s) exactly as the rankings do, never the
reports: a quarter or a month is one partition (or a closed period's snapshot), a week
seven day partitions. The leaders' page reads them once for both of its area figures
(`area_figures`: the distribution of finish times and the density).

`GET /kinerja/kepadatan?period=<2026-Q3>&unit=<area>` (public, like GET /kinerja)::

    {"periode": {"kode", "jenis", "label_id", "label_en", "mulai", "sampai", "lengkap"},
     "wilayah": "31.71.01",             # the area listed; null: all of Jakarta
     "kelurahan": {"31.71.01.1001": 12, ...},   # every kelurahan of it, 0 included
     "jumlah": 40,
     "skala": [0, 1, 4, 7, 10],          # lower bounds of the map's colour classes
     "dibaca": {"items": 403, "requests": 2}}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.kepadatan import Kepadatan, kepadatan
from chalicelib.domain.kinerja import DailyCounters
from chalicelib.domain.periods import Period, PeriodKind, parse_period, period_containing
from chalicelib.services.deps import Deps
from chalicelib.services.kinerja_deps import kinerja_deps
from chalicelib.services.kinerja_finish_times import area_finish_times
from chalicelib.services.kinerja_report import parse_unit, period_json


def kelurahan_density(deps: Deps, area: str | None, period: Period,
                      rows: Sequence[DailyCounters] | None = None) -> Kepadatan:
    """Reports received per kelurahan of `area` (all Jakarta if None or if it has no
    kelurahan under it) in `period`. `rows`: the period's counter rows if read already."""
    if rows is None:
        rows = kinerja_deps(deps).counters.period(period, deps.clock())
    return kepadatan(rows, period, area, deps.registry.units)


def density(deps: Deps, period_text: str | None, unit: str | None) -> dict[str, Any]:
    """`GET /kinerja/kepadatan` (shape in the module doc); default: the current quarter."""
    unit = parse_unit(unit, deps)
    period = (parse_period(period_text) if period_text
              else period_containing(deps.clock(), PeriodKind.QUARTER))
    counters = kinerja_deps(deps).counters
    reads, requests = counters.reads, counters.requests
    found = kelurahan_density(deps, unit, period)
    return {"periode": period_json(period, deps.clock()), "wilayah": found.wilayah,
            "kelurahan": found.per_kelurahan, "jumlah": found.jumlah,
            "skala": list(found.skala),
            "dibaca": {"items": counters.reads - reads,
                       "requests": counters.requests - requests}}


@dataclass(frozen=True)
class AreaFigures:
    """What the leaders' page renders on the server for its reader's area."""

    sebaran_selesai: dict[str, int]  # follow-ups per range of time to finish
    kepadatan: Kepadatan


def area_figures(deps: Deps, area: str, period: Period) -> AreaFigures:
    """The area's distribution of finish times and its density, from one read."""
    rows = kinerja_deps(deps).counters.period(period, deps.clock())
    return AreaFigures(area_finish_times(deps, area, period, rows),
                       kelurahan_density(deps, area, period, rows))
