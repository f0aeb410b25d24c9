"""Which unit must act on a new report (DESIGN section 3).

The kelurahan is resolved by rules tried in order; the one that decided is
recorded on the report's history, so an official can see why a report reached them:

1. `kode_kelurahan`: an explicit kelurahan code from the channel;
2. `titik`: the point lies in a kelurahan boundary; `titik_terdekat`: the point is
   within 500 m of one (the sea off the coast or the islands); `luar_wilayah`: the
   point is clearly outside DKI Jakarta (see `chalicelib.domain.geo`);
3. `nama_wilayah`: the address or text names one kelurahan without doubt;
4. `triase`: nothing places it; the Biro Pemerintahan assigns it by hand.

A point clearly outside Jakarta closes the report, unless the text names a Jakarta
kelurahan: the two then disagree, and a person decides (triage) rather than the
system closing a report that may well be Jakarta's.

Then the category decides the first responder: the kelurahan, or the suku dinas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from chalicelib.domain.categories import Categories
from chalicelib.domain.geo import KelurahanBoundaries, LocationKind
from chalicelib.domain.place_names import PlaceMatch, PlaceNames, PlaceOutcome
from chalicelib.domain.report import Report
from chalicelib.domain.units import BIRO_PEMERINTAHAN, UnitDirectory, sudin_code
from chalicelib.domain.wilayah import Wilayah

RULE_KELURAHAN_CODE = "kode_kelurahan"
RULE_POINT = "titik"
RULE_NEAREST = "titik_terdekat"
RULE_PLACE_NAME = "nama_wilayah"
RULE_TRIAGE = "triase"
RULE_OUTSIDE = "luar_wilayah"

OUTSIDE_REASON = "di luar wilayah DKI Jakarta"


@dataclass(frozen=True)
class RouteDecision:
    unit: str
    rule: str
    kelurahan_code: str | None
    # Why, in words an official (or the reporter) may read; no private data.
    reason: str = ""
    # Evidence recorded on the history event: distance, kecamatan hint, candidates.
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def outside_jakarta(self) -> bool:
        return self.rule == RULE_OUTSIDE


def first_responder(kelurahan_code: str, category_id: str | None, *, wilayah: Wilayah,
                    units: UnitDirectory, categories: Categories) -> str:
    """The kelurahan itself, or the OPD's suku dinas of its kota for categories configured so."""
    category = categories.get(category_id) if category_id else None
    if category is not None and category.first_responder == "sudin" and category.opd:
        kota = wilayah.ancestors(kelurahan_code)[-1]
        candidate = sudin_code(category.opd, kota.code)
        if candidate in units:
            return candidate
    return kelurahan_code


@cache
def place_names_for(wilayah: Wilayah) -> PlaceNames:
    """The name index of a registry, built once (the registry is loaded once per process)."""
    return PlaceNames(wilayah)


def decide_route(report: Report, *, wilayah: Wilayah, units: UnitDirectory,
                 categories: Categories,
                 boundaries: KelurahanBoundaries | None = None) -> RouteDecision:
    """Apply rules 1 to 4. Without `boundaries` (no layer loaded) rule 2 is skipped."""

    def to_kelurahan(code: str, rule: str, reason: str, **details: Any) -> RouteDecision:
        unit = first_responder(code, report.category, wilayah=wilayah, units=units,
                               categories=categories)
        return RouteDecision(unit, rule, code, reason, details)

    code = report.kelurahan_code
    if code and wilayah.kelurahan(code) is not None:
        return to_kelurahan(code, RULE_KELURAHAN_CODE, "kelurahan code given by the channel")

    point_outside = False
    if report.point is not None and boundaries is not None:
        location = boundaries.locate(report.point.lat, report.point.lon)
        if location.kind == LocationKind.INSIDE and location.kelurahan_code:
            return to_kelurahan(location.kelurahan_code, RULE_POINT,
                                "the point lies in the kelurahan")
        if location.kind == LocationKind.NEAREST and location.kelurahan_code:
            distance = round(location.distance_m)
            return to_kelurahan(location.kelurahan_code, RULE_NEAREST,
                                f"the point is {distance} m from the kelurahan",
                                distance_m=distance)
        point_outside = location.kind == LocationKind.OUTSIDE
        # UNCOVERED: a kelurahan missing from a partial layer may hold the point.

    places = place_names_for(wilayah).find(report.address, report.description)
    if places.outcome == PlaceOutcome.KELURAHAN and places.kelurahan_code:
        if point_outside:
            return _triage(places, "the point is outside DKI Jakarta but the text names "
                           "a kelurahan: a person decides", point_outside=True)
        return to_kelurahan(places.kelurahan_code, RULE_PLACE_NAME, places.reason,
                            names=list(places.mentions))
    if point_outside:
        return RouteDecision(BIRO_PEMERINTAHAN, RULE_OUTSIDE, None, OUTSIDE_REASON)
    return _triage(places, "nothing places the report")


def _triage(places: PlaceMatch, reason: str, **details: Any) -> RouteDecision:
    """The Biro Pemerintahan assigns it by hand; what the names suggested goes along."""
    if places.outcome == PlaceOutcome.KECAMATAN and places.kecamatan_code:
        details["kecamatan_hint"] = places.kecamatan_code
    if places.outcome == PlaceOutcome.KELURAHAN and places.kelurahan_code:
        details["kelurahan_hint"] = places.kelurahan_code
    if places.candidates:
        details["candidates"] = list(places.candidates)
    if places.outcome != PlaceOutcome.NONE:
        details["names"] = places.reason
    return RouteDecision(BIRO_PEMERINTAHAN, RULE_TRIAGE, None, reason, details)
