"""Sebaran waktu penyelesaian: how many follow-ups took how long, in a few ranges.

Leaders asked for the distribution of finish times, not only its median and p90: a
unit whose median is fine may still leave a tail of reports for weeks. The counts come
from the same finish-time sketch the median and p90 are read from (`KinerjaCounters.
finish`, kept per unit and day by the stream; see kinerja.py and sketch.py), so the
histogram costs no extra reads and always agrees with them. What is counted is the
same, too: each follow-up a unit submitted (`selesai`), timed from intake (or from the
TL Ditolak / reopening that restarted the finish clock) to the submission; the
validator's time is not the unit's.

The ranges are data, here and nowhere else (the API and the page list them from
`RENTANG_SELESAI`). Their borders follow the default SLA policy (categories.SlaPolicy):
finished within the 6 hours allowed for the first action, within a day, within 3 days
(the time allowed to redo a rejected follow-up), within the 7-day finish limit, and past
it. Categories may have other limits, so the last range says "past 7 days", not "late":
lateness is the `finished_late` counter's job.

Resolution: the sketch keeps durations in log-spaced buckets about 2 % wide, so a
range border is resolved to the sketch bucket holding it. A duration equal to a border
(or below it) is always counted in the range that ends there; a duration above it by
less than one bucket (under 2 %: 7 minutes at 6 hours, 3.4 hours at 7 days) may be
counted there too. That is the sketch's documented accuracy, and the alternative, more
counters per unit and day, would need a migration of every stored item.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.sketch import DurationSketch, bucket_of

HOUR = 3600


@dataclass(frozen=True)
class RentangSelesai:
    """One range of time to finish: up to `sampai_jam` hours (inclusive), None: no limit."""

    kode: str
    sampai_jam: float | None
    label_id: str
    label_en: str

    @property
    def sampai_s(self) -> int | None:
        return round(self.sampai_jam * HOUR) if self.sampai_jam is not None else None

    def as_dict(self) -> dict[str, object]:
        return {"kode": self.kode, "sampai_s": self.sampai_s, "label_id": self.label_id,
                "label_en": self.label_en}


# Shortest first; each range starts where the one before it ends. The last has no limit.
RENTANG_SELESAI: tuple[RentangSelesai, ...] = (
    RentangSelesai("sd_6_jam", 6, "≤ 6 jam", "≤ 6 hours"),
    RentangSelesai("6_24_jam", 24, "6–24 jam", "6–24 hours"),
    RentangSelesai("1_3_hari", 3 * 24, "1–3 hari", "1–3 days"),
    RentangSelesai("3_7_hari", 7 * 24, "3–7 hari", "3–7 days"),
    RentangSelesai("lebih_7_hari", None, "> 7 hari", "> 7 days"),
)


def _range_of_bucket(index: int) -> str:
    """The range a sketch bucket is counted in: the first whose border's bucket is not
    below it (a border's own bucket belongs to the range that ends at the border)."""
    for rentang in RENTANG_SELESAI:
        if rentang.sampai_s is None or index <= bucket_of(rentang.sampai_s):
            return rentang.kode
    raise AssertionError("unreachable: the last range has no limit")  # pragma: no cover


def sebaran_selesai(finish: DurationSketch) -> dict[str, int]:
    """Follow-ups per range of time to finish, every range present (0 when none), in
    `RENTANG_SELESAI` order; the counts add up to `finish.count`."""
    counts = {rentang.kode: 0 for rentang in RENTANG_SELESAI}
    for index, count in finish.counts.items():
        counts[_range_of_bucket(index)] += count
    return counts
