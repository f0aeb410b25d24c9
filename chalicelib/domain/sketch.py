"""A small mergeable sketch of durations, for medians and p90s without keeping every report.

Kinerja shows the median and p90 of the time to first action and to finish per
unit and period. The stream cannot keep every duration per unit and day, and a
quarter's ranking must not read every report, so each daily counter item keeps a
histogram over fixed, log-spaced buckets (the DDSketch idea):

- bucket 0 holds every duration up to `MIN_SECONDS` (1 minute);
- bucket i >= 1 holds durations in (MIN * gamma^(i-1), MIN * gamma^i], with
  gamma = (1 + a) / (1 - a) and a = `RELATIVE_ACCURACY` (1 %);
- the last bucket, `MAX_INDEX`, also takes everything above `MAX_SECONDS` (90 days).

That is 590 possible buckets; an item stores only the non-empty ones, as counts, so
a unit's day is a few numbers and two sketches merge by adding counts (days into a
quarter, kelurahan into a kecamatan). The buckets never change, which is what makes
stored sketches from different days and units mergeable: change them only with a
migration.

Quantiles use the lower rank: the q-quantile of n durations is the one at 0-based
rank floor(q * (n - 1)) in sorted order (the lower median for an even n).

Error bound: the estimate is the bucket's representative 2 * MIN * gamma^i / (gamma + 1),
which is within a relative `RELATIVE_ACCURACY` (1 %) of every duration in the bucket,
so for durations between 1 minute and 90 days the estimated quantile is within 1 % of
the exact one. Durations of 1 minute or less are reported as 1 minute (absolute error
under 1 minute), and durations beyond 90 days as about 90 days ("90 days or more").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

RELATIVE_ACCURACY = 0.01
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
MIN_SECONDS = 60.0
MAX_SECONDS = 90 * 24 * 3600.0
MAX_INDEX = math.ceil(math.log(MAX_SECONDS / MIN_SECONDS) / _LOG_GAMMA)


def bucket_of(seconds: float) -> int:
    """The bucket a duration falls in (negative or zero durations fall in bucket 0)."""
    if not seconds > MIN_SECONDS:  # also catches NaN: never raise inside the stream
        return 0
    index = math.ceil(math.log(seconds / MIN_SECONDS) / _LOG_GAMMA)
    return min(max(index, 1), MAX_INDEX)


def bucket_value(index: int) -> float:
    """The duration (seconds) a bucket stands for in quantile estimates."""
    if index <= 0:
        return MIN_SECONDS
    return MIN_SECONDS * 2 * GAMMA**index / (GAMMA + 1)


@dataclass(frozen=True)
class DurationSketch:
    """Counts per bucket (sparse). Immutable: every operation returns a new sketch."""

    counts: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Stored items come back through from_item; a bad count would corrupt every merge.
        for index, count in self.counts.items():
            if not 0 <= index <= MAX_INDEX or count < 0:
                raise ValueError(f"bad sketch bucket {index}: {count}")
        object.__setattr__(self, "counts", {i: c for i, c in sorted(self.counts.items()) if c})

    @classmethod
    def of(cls, durations: Iterable[float]) -> DurationSketch:
        counts: dict[int, int] = {}
        for seconds in durations:
            index = bucket_of(seconds)
            counts[index] = counts.get(index, 0) + 1
        return cls(counts)

    def add(self, seconds: float, times: int = 1) -> DurationSketch:
        counts = dict(self.counts)
        index = bucket_of(seconds)
        counts[index] = counts.get(index, 0) + times
        return DurationSketch(counts)

    def merge(self, other: DurationSketch) -> DurationSketch:
        counts = dict(self.counts)
        for index, count in other.counts.items():
            counts[index] = counts.get(index, 0) + count
        return DurationSketch(counts)

    __add__ = merge

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def quantile(self, q: float) -> float | None:
        """The estimated lower-rank q-quantile in seconds; None when the sketch is empty."""
        if not 0 <= q <= 1:
            raise ValueError(f"quantile {q} is not between 0 and 1")
        total = self.count
        if total == 0:
            return None
        rank = math.floor(q * (total - 1))
        seen = 0
        for index, count in self.counts.items():  # sorted by bucket, i.e. by duration
            seen += count
            if seen > rank:
                return bucket_value(index)
        raise AssertionError("unreachable: rank < total")  # pragma: no cover

    @property
    def median(self) -> float | None:
        return self.quantile(0.5)

    @property
    def p90(self) -> float | None:
        return self.quantile(0.9)

    # -- storage form ------------------------------------------------------------------
    def to_item(self, prefix: str) -> dict[str, int]:
        """Flat attributes `<prefix>_<bucket>: count`, so the store can `ADD` each one."""
        return {f"{prefix}_{index}": count for index, count in self.counts.items()}

    @classmethod
    def from_item(cls, item: Mapping[str, object], prefix: str) -> DurationSketch:
        """The sketch in a stored item's `<prefix>_<bucket>` attributes (others ignored)."""
        head = f"{prefix}_"
        counts: dict[int, int] = {}
        for name, value in item.items():
            if name.startswith(head) and name[len(head):].isdigit():
                counts[int(name[len(head):])] = int(value)  # type: ignore[call-overload]
        return cls(counts)
