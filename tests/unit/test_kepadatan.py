"""Kepadatan laporan: reports received per kelurahan of an area in a period."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.kepadatan import Kepadatan, kelurahan_of, kepadatan
from chalicelib.domain.kinerja import DailyCounters, KinerjaCounters
from chalicelib.domain.periods import parse_period
from tests.unit.test_kinerja import KEC, KEL, KEL2, KEL3, KEL_B, KOTA, UNITS

EVERY = sorted([KEL, KEL2, KEL3, KEL_B])


def row(unit: str, day: date, received: int, **others: int) -> DailyCounters:
    return DailyCounters(unit, day, KinerjaCounters({"received": received, **others}))


@pytest.mark.parametrize("area, shown, kelurahan", [
    (KEC, KEC, [KEL, KEL2]),  # a kecamatan: its own kelurahan
    (KOTA, KOTA, [KEL, KEL2, KEL3]),
    (KEL2, KEL2, [KEL2]),  # a kelurahan: itself
    ("biro-pemerintahan", "biro-pemerintahan", EVERY),  # above every kelurahan
    ("opd:bina-marga", None, EVERY),  # no kelurahan under it: all of Jakarta
    ("sudin:bina-marga:31.71", None, EVERY),
    (None, None, EVERY),
])
def test_the_area_is_the_kelurahan_under_the_readers_unit(area, shown, kelurahan):
    assert kelurahan_of(area, UNITS) == (shown, kelurahan)


def test_counts_received_per_kelurahan_of_the_area_inside_the_period_only():
    week = parse_period("2026-W32")  # Monday 3 to Sunday 9 August 2026
    rows = [
        row(KEL, date(2026, 8, 3), 4, finished_in_sla=9),  # other counters do not count
        row(KEL, date(2026, 8, 9), 2),
        row(KEL, date(2026, 8, 10), 50),  # the next week
        row(KEL, date(2026, 8, 2), 50),  # the week before
        row(KEL3, date(2026, 8, 5), 7),  # Kemayoran: outside Kecamatan Gambir
        row(KEC, date(2026, 8, 5), 30),  # the kecamatan's own reports: not a kelurahan
        row("sudin:bina-marga:31.71", date(2026, 8, 5), 30),
    ]
    found = kepadatan(rows, week, KEC, UNITS)
    assert found == Kepadatan(KEC, {KEL: 6, KEL2: 0})
    assert found.jumlah == 6
    assert kepadatan(rows, week, None, UNITS).per_kelurahan == {
        KEL: 6, KEL2: 0, KEL3: 7, KEL_B: 0}
    # Nothing in a quiet period: every kelurahan listed at 0.
    assert kepadatan(rows, parse_period("2026-W40"), KEC, UNITS).per_kelurahan == {
        KEL: 0, KEL2: 0}


def test_the_busiest_kelurahan_first_ties_by_code_and_none_without_reports():
    found = Kepadatan(None, {"a": 3, "b": 0, "c": 5, "d": 3, "e": 1})
    assert found.terpadat(10) == [("c", 5), ("a", 3), ("d", 3), ("e", 1)]
    assert found.terpadat(2) == [("c", 5), ("a", 3)]


@pytest.mark.parametrize("counts, scale", [
    ({}, (0,)),
    ({"a": 0}, (0,)),
    ({"a": 1}, (0, 1)),
    ({"a": 2, "b": 0}, (0, 1)),  # 1..2 in four bands: only "1 or more" differs
    ({"a": 5}, (0, 1, 2, 3, 4)),
    ({"a": 20, "b": 3}, (0, 1, 5, 10, 15)),
    ({"a": 401}, (0, 1, 101, 201, 301)),
])
def test_colour_classes_follow_the_busiest_kelurahan(counts, scale):
    assert Kepadatan(None, counts).skala == scale
