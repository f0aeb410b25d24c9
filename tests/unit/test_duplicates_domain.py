from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.duplicates import (
    DuplicatePolicy,
    can_reopen,
    compare,
    distance_m,
    geocell,
    likely_duplicates,
    neighbourhood,
    text_similarity,
)
from chalicelib.domain.report import GeoPoint, apply_action, open_report
from chalicelib.domain.status import Action, Status

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
MONAS = GeoPoint(lat=-6.1754, lon=106.8272)
POLICY = DuplicatePolicy()


def report(ticket="K7Q4-M9XD", point=MONAS, category="lampu-jalan", at=T0, text="Lampu mati",
           kelurahan="31.71.01.1001"):
    made, _ = open_report(ticket=ticket, channel="jaki", description=text, now=at,
                          policy=SlaPolicy(), point=point, category=category,
                          kelurahan_code=kelurahan)
    return made


def offset(point, north_m=0.0, east_m=0.0):
    return GeoPoint(lat=point.lat + north_m / 111_320,
                    lon=point.lon + east_m / (111_320 * 0.9942))


def test_distance_rule_at_the_50_metre_edge():
    near = report("AAAA-AAAA", offset(MONAS, 45))
    far = report("BBBB-BBBB", offset(MONAS, 60))
    new = report()
    assert compare(new, near, POLICY).reason == "jarak"
    assert compare(new, far, POLICY) is None
    assert 44 < compare(new, near, POLICY).distance_m < 46


def test_other_category_old_closed_or_merged_reports_are_not_candidates():
    new = report()
    assert compare(new, report("A", category="sampah"), POLICY) is None
    assert compare(new, report("B", at=T0 - timedelta(days=15)), POLICY) is None
    closed, _ = apply_action(report("C"), Action.TOLAK, actor="x", now=T0, note="bukan")
    assert compare(new, closed, POLICY) is None
    merged = report("D").model_copy(update={"parent_ticket": "K7Q4-M9XD"})
    assert compare(new, merged, POLICY) is None


def test_text_rule_without_a_location_in_the_same_kelurahan():
    new = report(point=None, text="Lampu jalan mati di depan Monas sejak kemarin")
    same = report("A", point=None, text="sejak kemarin lampu jalan di depan monas mati")
    other_place = report("B", point=None, text=same.description, kelurahan="31.71.06.1001")
    different = report("C", point=None, text="Pohon tumbang menutup jalan")
    assert compare(new, same, POLICY).reason == "teks"
    assert compare(new, other_place, POLICY) is None
    assert compare(new, different, POLICY) is None
    assert text_similarity("Lampu mati", "lampu MATI!") == 100


def test_candidates_are_ranked_nearest_first_and_capped():
    others = [report(f"T{i:03d}-0000", offset(MONAS, i * 5)) for i in range(1, 9)]
    found = likely_duplicates(report(), others, POLICY)
    assert [c.ticket for c in found] == [o.ticket for o in others[:5]]


@settings(max_examples=300, deadline=None)
@given(st.floats(-6.4, -5.2), st.floats(106.3, 107.0), st.floats(0, 50), st.floats(0, 6.283))
def test_every_point_within_50_m_is_in_the_nine_cells(lat, lon, meters, angle):
    origin = GeoPoint(lat=lat, lon=lon)
    other = offset(origin, meters * math.sin(angle), meters * math.cos(angle))
    assert distance_m(origin, other) < 51
    assert geocell(other) in neighbourhood(geocell(origin))


def test_reopen_only_within_14_days_of_selesai():
    done = report().model_copy(update={"status": Status.SELESAI, "closed_at": T0})
    assert can_reopen(done, T0 + timedelta(days=14), POLICY)
    assert not can_reopen(done, T0 + timedelta(days=15), POLICY)
    assert not can_reopen(report(), T0, POLICY)
