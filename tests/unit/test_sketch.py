"""The mergeable duration sketch: bucket layout, error bound, merging, storage form."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.sketch import (
    MAX_INDEX,
    MAX_SECONDS,
    MIN_SECONDS,
    RELATIVE_ACCURACY,
    DurationSketch,
    bucket_of,
    bucket_value,
)

# Float noise at a bucket edge may put a value one bucket over; the bound still holds
# up to rounding in the last bits.
BOUND = RELATIVE_ACCURACY * (1 + 1e-9)
in_range = st.floats(min_value=MIN_SECONDS * 1.0000001, max_value=MAX_SECONDS,
                     allow_nan=False, allow_infinity=False)
quantiles = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0])


def exact(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.floor(q * (len(ordered) - 1))]


def test_layout_covers_one_minute_to_ninety_days_in_about_590_buckets():
    assert MAX_INDEX == 589
    assert bucket_of(MIN_SECONDS) == 0
    assert bucket_of(30) == 0 and bucket_of(0) == 0 and bucket_of(-5) == 0
    assert bucket_of(float("nan")) == 0
    assert bucket_of(MAX_SECONDS) == MAX_INDEX
    assert bucket_of(MAX_SECONDS * 10) == MAX_INDEX
    assert bucket_value(0) == MIN_SECONDS


@given(in_range)
def test_every_bucket_value_is_within_the_bound_of_its_members(seconds):
    estimate = bucket_value(bucket_of(seconds))
    assert abs(estimate - seconds) <= BOUND * seconds


@settings(max_examples=200)
@given(st.lists(in_range, min_size=1, max_size=200), quantiles)
def test_quantile_within_one_percent_of_exact(values, q):
    sketch = DurationSketch.of(values)
    truth = exact(values, q)
    assert abs(sketch.quantile(q) - truth) <= BOUND * truth


@settings(max_examples=100)
@given(st.lists(st.lists(in_range, max_size=40), min_size=1, max_size=8), quantiles)
def test_merging_days_equals_sketching_the_whole_period(days, q):
    merged = DurationSketch()
    for day in days:
        merged = merged + DurationSketch.of(day)
    everything = [v for day in days for v in day]
    assert merged == DurationSketch.of(everything)
    assert merged.count == len(everything)
    if everything:
        truth = exact(everything, q)
        assert abs(merged.quantile(q) - truth) <= BOUND * truth


def test_out_of_range_durations_are_clamped_as_documented():
    sketch = DurationSketch.of([5, 10, 20])  # seconds: all "1 minute or less"
    assert sketch.median == MIN_SECONDS
    long = DurationSketch.of([200 * 86400.0])  # 200 days: "90 days or more"
    assert abs(long.median - MAX_SECONDS) <= 2 * RELATIVE_ACCURACY * MAX_SECONDS


def test_median_and_p90_use_the_lower_rank():
    hours = [h * 3600.0 for h in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    sketch = DurationSketch.of(hours)
    # rank floor(0.5 * 9) = 4 -> 5 h; rank floor(0.9 * 9) = 8 -> 9 h
    assert abs(sketch.median - 5 * 3600) <= BOUND * 5 * 3600
    assert abs(sketch.p90 - 9 * 3600) <= BOUND * 9 * 3600


def test_empty_sketch_has_no_quantiles_and_bad_q_is_refused():
    assert DurationSketch().median is None
    assert DurationSketch().count == 0
    with pytest.raises(ValueError):
        DurationSketch.of([100]).quantile(1.5)


def test_add_is_immutable_and_equals_of():
    empty = DurationSketch()
    one = empty.add(3600).add(7200, times=2)
    assert empty.count == 0
    assert one == DurationSketch.of([3600, 7200, 7200])


def test_storage_round_trip_with_flat_attributes():
    sketch = DurationSketch.of([30, 3600, 3600, 86400])
    item = {"pk": "KINERJA#31.71", "received": 3, **sketch.to_item("fa")}
    assert item["fa_0"] == 1
    assert all(isinstance(v, int) for k, v in item.items() if k.startswith("fa_"))
    assert DurationSketch.from_item(item, "fa") == sketch
    assert DurationSketch.from_item(item, "fin") == DurationSketch()


def test_corrupt_stored_buckets_are_refused():
    with pytest.raises(ValueError):
        DurationSketch({MAX_INDEX + 1: 1})
    with pytest.raises(ValueError):
        DurationSketch({3: -1})
