"""Leaders' page: kinerja rankings with charts, SKM results, and report density.

The page is a frame for signed-in officers; its script reads the JSON APIs:
- `GET /kinerja?level=<kelurahan|kecamatan|kota|opd|sudin>&period=<2026-Q3>` (public;
  shape in services/kinerja_report.py): ranking tables and per-unit metrics;
- `GET /skm/results?period=<2026-Q3>` (public; shape in handlers/skm.py);
- `GET /kinerja/kepadatan?period=&unit=<area>` (public; shape in
  services/kinerja_density.py): reports received per kelurahan of the reader's area in
  the period, for the density map (why not the open reports: domain/kepadatan.py);
- `GET /peta/kelurahan.geojson`: the boundaries.
A period without data (404, or nothing received) shows "belum ada data".

The distribution of finish times of the reader's own area (their unit, rolled up) and
the area's busiest kelurahan are also rendered here as tables, so they read without
JavaScript (the form then submits `?period=`); the script draws the chart and the map
from the APIs and refills the tables when the period changes.

Periods offered: recent quarters, months and ISO weeks (the weekly summary email links
here with `?period=<2026-W32>`; emails sent before carry `?periode=`, still understood).
A link to an older week, month or quarter than those listed adds it to the choice, so
an old email still opens its week; a future period or a year falls back to the default.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.finish_times import RENTANG_SELESAI
from chalicelib.domain.ikm import UNSUR
from chalicelib.domain.periods import Period, PeriodKind, parse_period, period_containing
from chalicelib.handlers.pages_officer import officer_page
from chalicelib.handlers.web import Page
from chalicelib.services.kinerja_density import area_figures

bp = Blueprint(__name__)

LEVELS = ("kelurahan", "kecamatan", "kota", "opd", "sudin")
TREND_PERIODS = 6  # the trend chart reads this many periods, oldest first
# The choice of periods, newest first within each kind: (kind, how many).
OFFERED = ((PeriodKind.QUARTER, 8), (PeriodKind.MONTH, 12), (PeriodKind.WEEK, 8))
BUSIEST = 10  # kelurahan listed in the density table without JavaScript


def _option(page: Page, period: Period) -> dict[str, str]:
    return {"code": period.code, "kind": str(period.kind),
            "label": period.label_en if page.lang == "en" else period.label_id}


def _periods(page: Page, kind: PeriodKind, count: int) -> list[dict[str, str]]:
    """The current period and those before it, newest first."""
    period = period_containing(page.deps.clock(), kind)
    found = []
    for _ in range(count):
        found.append(_option(page, period))
        period = period.previous()
    return found


def _asked_period(page: Page) -> Period | None:
    """The period in the query (`period`, or `periode` from older emails) if the page
    can show it: a week, month or quarter that has begun."""
    asked = page.query.get("period") or page.query.get("periode")
    try:
        period = parse_period(asked)
    except ValidationFailed:
        return None
    if period.kind == PeriodKind.YEAR or period.start > page.deps.clock():
        return None
    return period


@bp.route("/pimpinan", methods=["GET"])
@officer_page
def leaders(page: Page) -> Response:
    groups = {kind: _periods(page, kind, count) for kind, count in OFFERED}
    asked = _asked_period(page)
    if asked is not None and all(p["code"] != asked.code for p in groups[asked.kind]):
        groups[asked.kind].append(_option(page, asked))  # e.g. the week of an old email
    periods = [option for options in groups.values() for option in options]
    config = {
        "levels": [{"id": level, "label": page.t(f"pimpinan.level.{level}")}
                   for level in LEVELS],
        "periods": periods,
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
    chosen = asked or parse_period(periods[0]["code"])
    period = chosen.code
    level = _chosen(page.query.get("level"), list(LEVELS))
    area = {"unit": page.officer.unit, "nama": config["units"].get(page.officer.unit,
                                                                   page.officer.unit)}
    config["wilayah"] = area
    figures = area_figures(page.deps, area["unit"], chosen)
    counts = figures.sebaran_selesai
    sebaran = [{"label": r.label_en if page.lang == "en" else r.label_id,
                "jumlah": counts[r.kode]} for r in RENTANG_SELESAI]
    density = figures.kepadatan
    kepadatan = {
        "wilayah": config["units"].get(density.wilayah, density.wilayah) if density.wilayah
        else "DKI Jakarta",
        "seluruh_jakarta": density.wilayah is None,
        "terpadat": [{"nama": config["units"].get(code, code), "jumlah": n}
                     for code, n in density.terpadat(BUSIEST)],
        "jumlah": density.jumlah, "kelurahan": len(density.per_kelurahan)}
    return page.render("pimpinan.html", config=config, levels=config["levels"],
                       period_groups=[{"label": page.t(f"pimpinan.jenis.{kind}"),
                                       "options": options} for kind, options in groups.items()],
                       period=period, level=level, wilayah=area,
                       period_label=next(p["label"] for p in periods if p["code"] == period),
                       sebaran=sebaran, sebaran_total=sum(counts.values()),
                       kepadatan=kepadatan)


def _chosen(asked: str | None, offered: list[str]) -> str:
    """The option asked for in the query (the form without JavaScript), else the first."""
    return asked if asked in offered else offered[0]
