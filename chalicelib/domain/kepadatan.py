"""Kepadatan laporan: how many reports each kelurahan received in a period (leaders' map).

What is counted, and why (issue 8). The map used to count the *open* reports of the
reader's queue in the browser (`GET /officer/reports`, at most 20 pages), which has no
period: the queue indexes hold open reports sorted by deadline, so "reports filed in
November" cannot be read from them without reading the whole open backlog, and closed
reports are not in them at all. The created index (gsi8) has every report by filing
time, but projects only status and category, not the kelurahan: counting per kelurahan
would mean fetching every report of the period. So the map now counts the kinerja
counter `received` of each kelurahan (kinerja.py), kept per unit and WIB day by the
stream and read a period at a time: the same partition(s) the rankings and the page's
finish-time table already read (a quarter: one Query of ~400 small items or its
snapshot; a week: seven day partitions). No new counter, no index, no Scan.

What that number is: reports a kelurahan became responsible for in the period, open or
closed, by the WIB day of routing (seconds after filing; a report placed by hand from
triage, on the day it was placed). Reports routed straight to a suku dinas (categories
with `first_responder: sudin`, e.g. parkir liar) are not in any kelurahan's count, and a
report handed back to a kelurahan counts again. The page says so in its text.

The area: the kelurahan under the reader's unit (or the unit itself); a unit with no
kelurahan under it (an OPD or suku dinas) sees all of Jakarta. Kinerja figures are
public (GET /kinerja), so any reader may see any kelurahan's count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain.kinerja import DailyCounters, ancestors
from chalicelib.domain.periods import Period
from chalicelib.domain.units import UnitDirectory

COUNTER = "received"
CLASSES = 4  # colour classes above zero on the map


@dataclass(frozen=True)
class Kepadatan:
    """Reports received per kelurahan of an area in a period.

    `wilayah` is the area whose kelurahan are listed, None for all of Jakarta;
    `per_kelurahan` has every kelurahan of it, in code order, 0 included.
    """

    wilayah: str | None
    per_kelurahan: dict[str, int]

    @property
    def jumlah(self) -> int:
        return sum(self.per_kelurahan.values())

    def terpadat(self, count: int) -> list[tuple[str, int]]:
        """The `count` kelurahan with the most reports (ties by code), none with 0."""
        ranked = sorted(((code, n) for code, n in self.per_kelurahan.items() if n > 0),
                        key=lambda item: (-item[1], item[0]))
        return ranked[:count]

    @property
    def skala(self) -> tuple[int, ...]:
        """The lower bounds of the map's colour classes: 0, then 1 up to the busiest
        kelurahan cut into `CLASSES` bands of equal width (fewer when the maximum is
        small), so the map shows differences in a busy quarter and a quiet week alike.
        E.g. a maximum of 20 gives (0, 1, 5, 10, 15)."""
        top = max(self.per_kelurahan.values(), default=0)
        bounds = [0]
        for k in range(CLASSES):
            bound = 1 + k * (top - 1) // CLASSES
            if top >= 1 and bound > bounds[-1]:
                bounds.append(bound)
        return tuple(bounds)


def kelurahan_of(area: str | None, units: UnitDirectory) -> tuple[str | None, list[str]]:
    """(the area shown, its kelurahan codes): the kelurahan under `area` (or `area`
    itself); all of Jakarta (None) when `area` is None or has no kelurahan under it."""
    every = [u.code for u in units.of_kind("kelurahan")]
    if area is None:
        return None, every
    under = [code for code in every if code == area or area in ancestors(code, units)]
    return (area, under) if under else (None, every)


def kepadatan(rows: Iterable[DailyCounters], period: Period, area: str | None,
              units: UnitDirectory) -> Kepadatan:
    """Reports received per kelurahan of the area in `period`, from counter rows (as
    KinerjaStore.period gives them; rows dated outside the period are skipped)."""
    wilayah, codes = kelurahan_of(area, units)
    counts = dict.fromkeys(codes, 0)
    for row in rows:
        if row.unit in counts and period.contains_day(row.day):
            counts[row.unit] += row.counters[COUNTER]
    return Kepadatan(wilayah, counts)

