"""Leaders' page: kinerja rankings with charts, SKM results, and report density.

The page is a frame for signed-in officers; its script reads the JSON APIs:
- `GET /kinerja?level=<kelurahan|kecamatan|kota|opd|sudin>&period=<2026-Q3>` (public;
  shape in services/kinerja_report.py): ranking tables and per-unit metrics;
- `GET /skm/results?period=<2026-Q3>` (public; shape in handlers/skm.py);
- `GET /officer/reports` with the session cookie: open reports in the officer's
  scope, counted per kelurahan for the density map;
- `GET /peta/kelurahan.geojson`: the boundaries.
A period without data (404, or nothing received) shows "belum ada data".

The distribution of finish times of the reader's own area (their unit, rolled up) is
also rendered here as a table, so it reads without JavaScript (the form then submits
`?period=`); the script draws its chart from `GET /kinerja?unit=<area>` and refills the
table when the period changes.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.finish_times import RENTANG_SELESAI
from chalicelib.domain.ikm import UNSUR
from chalicelib.domain.periods import PeriodKind, parse_period, period_containing
from chalicelib.handlers.pages_officer import officer_page
from chalicelib.handlers.web import Page
from chalicelib.services.kinerja_finish_times import area_finish_times

bp = Blueprint(__name__)

LEVELS = ("kelurahan", "kecamatan", "kota", "opd", "sudin")
TREND_PERIODS = 6  # the trend chart reads this many periods, oldest first


def _periods(page: Page, kind: PeriodKind, count: int) -> list[dict[str, str]]:
    """The current period and those before it, newest first."""
    period = period_containing(page.deps.clock(), kind)
    found = []
    for _ in range(count):
        found.append({"code": period.code, "label": period.label_en if page.lang == "en"
                      else period.label_id})
        period = period.previous()
    return found


@bp.route("/pimpinan", methods=["GET"])
@officer_page
def leaders(page: Page) -> Response:
    quarters = _periods(page, PeriodKind.QUARTER, 8)
    months = _periods(page, PeriodKind.MONTH, 12)
    config = {
        "levels": [{"id": level, "label": page.t(f"pimpinan.level.{level}")}
                   for level in LEVELS],
        "periods": quarters + months,
        "trend_periods": TREND_PERIODS,
        "lang": page.lang,
        "text": page.t.subset("js"),
        # The SKM elements' names for the chart (the results list them by code).
        "unsur": {u.kode: u.name_en if page.lang == "en" else u.nama for u in UNSUR},
        # Names for units the APIs list by code only.
        "units": {"jakarta": "DKI Jakarta", **{
            u.code: u.name for level in (*LEVELS, "biro")
            for u in page.deps.registry.units.of_kind(level)}},
    }
    periods = config["periods"]
    period = _chosen(page.query.get("period"), [p["code"] for p in periods])
    level = _chosen(page.query.get("level"), list(LEVELS))
    area = {"unit": page.officer.unit, "nama": config["units"].get(page.officer.unit,
                                                                   page.officer.unit)}
    config["wilayah"] = area
    counts = area_finish_times(page.deps, area["unit"], parse_period(period))
    sebaran = [{"label": r.label_en if page.lang == "en" else r.label_id,
                "jumlah": counts[r.kode]} for r in RENTANG_SELESAI]
    return page.render("pimpinan.html", config=config, levels=config["levels"],
                       periods=periods, period=period, level=level, wilayah=area,
                       period_label=next(p["label"] for p in periods if p["code"] == period),
                       sebaran=sebaran, sebaran_total=sum(counts.values()))


def _chosen(asked: str | None, offered: list[str]) -> str:
    """The option asked for in the query (the form without JavaScript), else the first."""
    return asked if asked in offered else offered[0]
