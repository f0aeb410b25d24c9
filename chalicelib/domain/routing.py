"""Which unit must act on a new report (DESIGN section 3).

Rules are tried in order and the one that decided is recorded on the report's
history, so an official can see why a report reached them.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.categories import Categories
from chalicelib.domain.report import Report
from chalicelib.domain.units import BIRO_PEMERINTAHAN, UnitDirectory, sudin_code
from chalicelib.domain.wilayah import Wilayah

RULE_KELURAHAN_CODE = "kode_kelurahan"
RULE_TRIAGE = "triase"


@dataclass(frozen=True)
class RouteDecision:
    unit: str
    rule: str
    kelurahan_code: str | None


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


def decide_route(report: Report, *, wilayah: Wilayah, units: UnitDirectory,
                 categories: Categories) -> RouteDecision:
    code = report.kelurahan_code
    if code and wilayah.kelurahan(code) is not None:
        unit = first_responder(code, report.category, wilayah=wilayah, units=units,
                               categories=categories)
        return RouteDecision(unit, RULE_KELURAHAN_CODE, code)
    # Nothing places the report: the Biro Pemerintahan assigns it by hand.
    return RouteDecision(BIRO_PEMERINTAHAN, RULE_TRIAGE, None)
