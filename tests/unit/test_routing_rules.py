"""Routing rules 1 -> 2 -> 3 -> 4, the rule recorded, and the outside-Jakarta decision."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.geo import KelurahanBoundaries, LocationKind
from chalicelib.domain.report import Report
from chalicelib.domain.routing import (
    OUTSIDE_REASON,
    RULE_KELURAHAN_CODE,
    RULE_NEAREST,
    RULE_OUTSIDE,
    RULE_PLACE_NAME,
    RULE_POINT,
    RULE_TRIAGE,
    RouteDecision,
    decide_route,
)
from chalicelib.domain.units import BIRO_PEMERINTAHAN
from chalicelib.registry import registry
from tests.unit.test_geo import ALL_CODES, CELL, COLUMNS, cell_origin, east_of, grid_layer

REG = registry()
GRID = grid_layer()
# The grid without kota 31.74's first five kelurahan: a partial layer with a hole.
HOLE = ALL_CODES[ALL_CODES.index(next(c for c in ALL_CODES if c.startswith("31.74"))):][:5]
PARTIAL = grid_layer([c for c in ALL_CODES if c not in HOLE])

BANDUNG = {"lat": -6.9175, "lon": 107.6191}


def report(**fields: Any) -> Report:
    base = {"ticket": "K7Q4-M9XD", "channel": "jaki", "description": "Jalan berlubang",
            "created_at": "2026-11-28T03:00:00Z", "updated_at": "2026-11-28T03:00:00Z"}
    return Report.model_validate({**base, **fields})


def route(boundaries: KelurahanBoundaries | None = GRID, **fields: Any) -> RouteDecision:
    return decide_route(report(**fields), wilayah=REG.wilayah, units=REG.units,
                        categories=REG.categories, boundaries=boundaries)


def centre(index: int) -> dict[str, float]:
    lon, lat = cell_origin(index)
    return {"lat": lat + CELL / 2, "lon": lon + CELL / 2}


# -- each rule, and the one recorded ---------------------------------------------


def test_rule_1_an_explicit_code_beats_the_point_and_the_names():
    decision = route(kelurahan_code="31.71.06.1001", point=centre(200),
                     address="Kel. Menteng Dalam")
    assert (decision.unit, decision.rule, decision.kelurahan_code) == (
        "31.71.06.1001", RULE_KELURAHAN_CODE, "31.71.06.1001")


def test_rule_1_an_explicit_code_wins_even_with_a_point_outside_jakarta():
    assert route(kelurahan_code="31.71.06.1001", point=BANDUNG).rule == RULE_KELURAHAN_CODE


def test_rule_2_the_point_beats_the_names_and_an_unknown_code():
    decision = route(kelurahan_code="31.71.01.9999", point=centre(200),
                     address="Kel. Menteng Dalam")
    assert (decision.rule, decision.kelurahan_code) == (RULE_POINT, ALL_CODES[200])


def test_rule_2_nearest_within_500_m_records_the_distance():
    lon, lat = cell_origin(16)
    lat, lon = east_of(lat + CELL / 2, lon + CELL, 300)
    decision = route(point={"lat": lat, "lon": lon})
    assert (decision.rule, decision.kelurahan_code) == (RULE_NEAREST, ALL_CODES[16])
    assert decision.details["distance_m"] == pytest.approx(300, abs=2)


def test_rule_2_outside_jakarta_closes_with_the_reason():
    decision = route(point=BANDUNG, address="Jl. Asia Afrika, Bandung")
    assert decision.rule == RULE_OUTSIDE and decision.outside_jakarta
    assert decision.reason == OUTSIDE_REASON == "di luar wilayah DKI Jakarta"
    assert decision.kelurahan_code is None
    assert decision.unit == BIRO_PEMERINTAHAN


def test_a_point_outside_that_contradicts_a_named_kelurahan_goes_to_a_person():
    decision = route(point=BANDUNG, address="Kel. Menteng Dalam, Kec. Tebet")
    assert decision.rule == RULE_TRIAGE and not decision.outside_jakarta
    assert decision.details["kelurahan_hint"] == "31.74.01.1003"
    assert decision.details["point_outside"] is True


def test_a_kecamatan_hint_alone_does_not_save_a_point_outside():
    assert route(point=BANDUNG, address="Kec. Tebet").rule == RULE_OUTSIDE


def test_rule_3_names_decide_when_the_point_falls_in_a_hole_of_a_partial_layer():
    hole = centre(ALL_CODES.index(HOLE[2]))
    assert PARTIAL.locate(hole["lat"], hole["lon"]).kind == LocationKind.UNCOVERED
    decision = route(PARTIAL, point=hole, address="Jl. Tebet Raya 5, Kel. Menteng Dalam")
    assert (decision.rule, decision.kelurahan_code) == (RULE_PLACE_NAME, "31.74.01.1003")
    assert decision.unit == "31.74.01.1003"


def test_a_hole_of_a_partial_layer_without_names_goes_to_triage_not_outside():
    decision = route(PARTIAL, point=centre(ALL_CODES.index(HOLE[2])))
    assert (decision.rule, decision.unit) == (RULE_TRIAGE, BIRO_PEMERINTAHAN)


def test_rule_3_without_a_layer_a_point_is_ignored_and_never_outside():
    assert route(None, point=BANDUNG, address="Kel. Kwitang").rule == RULE_PLACE_NAME
    assert route(None, point=BANDUNG).rule == RULE_TRIAGE


def test_rule_3_reads_the_description_too():
    decision = route(None, description="Sampah menumpuk di Kelurahan Kebon Kacang")
    assert (decision.rule, decision.kelurahan_code) == (RULE_PLACE_NAME, "31.71.07.1006")


def test_rule_4_a_kecamatan_only_is_triage_with_a_hint():
    decision = route(None, address="Menteng")
    assert decision.rule == RULE_TRIAGE
    assert decision.details["kecamatan_hint"] == "31.71.06"


def test_rule_4_ambiguous_names_are_triage_with_the_candidates():
    decision = route(None, address="Jatinegara")
    assert decision.rule == RULE_TRIAGE
    assert decision.details["candidates"] == ["31.75.03", "31.75.06.1001"]


def test_rule_4_nothing_at_all():
    decision = route(None)
    assert (decision.unit, decision.rule, decision.kelurahan_code) == (
        BIRO_PEMERINTAHAN, RULE_TRIAGE, None)


def test_the_category_still_picks_the_first_responder_after_rules_2_and_3():
    # Illegal parking goes to the Dinas Perhubungan's suku dinas of the kota.
    by_point = route(point=centre(ALL_CODES.index("31.74.01.1001")), category="parkir-liar")
    assert (by_point.rule, by_point.unit) == (RULE_POINT, "sudin:perhubungan:31.74")
    by_name = route(None, address="Kel. Kwitang", category="parkir-liar")
    assert (by_name.rule, by_name.unit) == (RULE_PLACE_NAME, "sudin:perhubungan:31.71")


# -- properties ------------------------------------------------------------------

inside_fraction = st.floats(min_value=0.02, max_value=0.98)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(ALL_CODES) - 1), fx=inside_fraction,
       fy=inside_fraction)
def test_any_point_inside_a_square_routes_to_its_kelurahan(index, fx, fy):
    lon, lat = cell_origin(index)
    decision = route(point={"lat": lat + fy * CELL, "lon": lon + fx * CELL},
                     address="Kel. Menteng Dalam")  # names never override a point inside
    assert (decision.rule, decision.kelurahan_code) == (RULE_POINT, ALL_CODES[index])


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(min_value=-7.5, max_value=-5.0),
       lon=st.floats(min_value=106.0, max_value=108.0),
       code=st.sampled_from([None, "31.71.01.9999", *ALL_CODES[:5]]),
       address=st.sampled_from([None, "Kel. Kwitang", "Menteng", "Jatinegara"]),
       layer=st.sampled_from([GRID, PARTIAL, None]))
def test_rule_order_holds_for_any_report(lat, lon, code, address, layer):
    decision = route(layer, point={"lat": lat, "lon": lon}, kelurahan_code=code,
                     address=address)
    if code in ALL_CODES:
        assert decision.rule == RULE_KELURAHAN_CODE
        return
    location = layer.locate(lat, lon) if layer else None
    if location and location.kind in (LocationKind.INSIDE, LocationKind.NEAREST):
        assert decision.rule in (RULE_POINT, RULE_NEAREST)
        assert decision.kelurahan_code == location.kelurahan_code
        return
    # Only a point clearly outside (never a hole, never a missing layer) closes a report.
    assert (decision.rule == RULE_OUTSIDE) == (
        location is not None and location.kind == LocationKind.OUTSIDE
        and address != "Kel. Kwitang")
    if decision.rule != RULE_OUTSIDE:
        expected = RULE_PLACE_NAME if address == "Kel. Kwitang" and (
            location is None or location.kind != LocationKind.OUTSIDE) else RULE_TRIAGE
        assert decision.rule == expected
    assert decision == route(layer, point={"lat": lat, "lon": lon}, kelurahan_code=code,
                             address=address)  # deterministic


def test_the_grid_fixture_is_what_the_properties_assume():
    assert len(ALL_CODES) == 267 and COLUMNS * 16 >= 267
    assert PARTIAL.summary.missing == tuple(HOLE)
