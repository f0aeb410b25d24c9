"""The distribution of finish times: ranges, their borders, and agreement with the sketch."""

from __future__ import annotations

import pytest

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.finish_times import RENTANG_SELESAI, sebaran_selesai
from chalicelib.domain.kinerja import KinerjaConfig, KinerjaCounters, evaluate
from chalicelib.domain.periods import parse_period
from chalicelib.domain.sketch import GAMMA, DurationSketch

HOUR, DAY = 3600, 86400
CODES = [r.kode for r in RENTANG_SELESAI]


def ranges_of(*seconds: float) -> dict[str, int]:
    return sebaran_selesai(DurationSketch.of(seconds))


def test_an_empty_period_has_every_range_at_zero_in_order():
    assert sebaran_selesai(DurationSketch()) == dict.fromkeys(CODES, 0)
    assert list(sebaran_selesai(DurationSketch())) == CODES


@pytest.mark.parametrize("seconds, expected", [
    (0, "sd_6_jam"), (-5, "sd_6_jam"), (59, "sd_6_jam"),  # clock skew, under a minute
    (6 * HOUR, "sd_6_jam"),  # on a border: the range that ends there
    (6 * HOUR * GAMMA * 1.01, "6_24_jam"),  # past the border's sketch bucket
    (24 * HOUR, "6_24_jam"), (24 * HOUR * GAMMA * 1.01, "1_3_hari"),
    (3 * DAY, "1_3_hari"), (3 * DAY * GAMMA * 1.01, "3_7_hari"),
    (7 * DAY, "3_7_hari"), (7 * DAY * GAMMA * 1.01, "lebih_7_hari"),
    (200 * DAY, "lebih_7_hari"),  # beyond the sketch's 90-day top bucket
])
def test_edge_values_on_the_borders(seconds, expected):
    assert ranges_of(seconds) == {**dict.fromkeys(CODES, 0), expected: 1}


@pytest.mark.parametrize("border_hours", [6, 24, 72, 168])
def test_within_a_border_never_counts_as_past_it(border_hours):
    # The sketch resolves a border to its ~2 % bucket: at or under the border always
    # counts in the range ending there; past it by more than a bucket, never.
    border = border_hours * HOUR
    for seconds in (border * 0.9, border * 0.99, border - 1, border):
        assert ranges_of(seconds)[_range_ending_at(border_hours)] == 1, seconds
    assert ranges_of(border * GAMMA * 1.001)[_range_ending_at(border_hours)] == 0


def _range_ending_at(hours: float) -> str:
    return next(r.kode for r in RENTANG_SELESAI if r.sampai_jam == hours)


def test_counts_add_up_to_the_sketch_that_gives_the_median_and_p90():
    durations = [30 * 60] * 4 + [12 * HOUR] * 3 + [2 * DAY] * 2 + [5 * DAY, 9 * DAY, 30 * DAY]
    sketch = DurationSketch.of(durations)
    assert ranges_of(*durations) == {"sd_6_jam": 4, "6_24_jam": 3, "1_3_hari": 2,
                                     "3_7_hari": 1, "lebih_7_hari": 2}
    # Merged sketches (days into a quarter, kelurahan into a kecamatan) add up too.
    halves = DurationSketch.of(durations[:5]).merge(DurationSketch.of(durations[5:]))
    assert sebaran_selesai(halves) == sebaran_selesai(sketch)
    metrics = evaluate("31.71.01.1001", KinerjaCounters(finish=sketch),
                       parse_period("2026-Q3"), KinerjaConfig())
    assert metrics.sebaran_selesai == sebaran_selesai(sketch)
    assert sum(metrics.sebaran_selesai.values()) == sketch.count


def test_ranges_follow_the_default_sla_and_cover_every_duration():
    policy = SlaPolicy()
    borders = [r.sampai_jam for r in RENTANG_SELESAI]
    assert borders[0] == policy.first_action_hours and borders[-2] == policy.finish_hours
    assert borders[-1] is None and borders[:-1] == sorted(borders[:-1])
    assert len(set(CODES)) == len(CODES)
    for r in RENTANG_SELESAI:
        assert r.label_id and r.label_en
