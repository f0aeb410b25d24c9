"""Kinerja: the public ranking API and the kinerja schedules (reconciliation, weekly email).

Who may see `GET /kinerja`: everyone. The rankings are aggregate performance figures of
public bodies, hold no personal data, and Jakarta has published them before; under
UU 14/2008 (Keterbukaan Informasi Publik) they are public information, and citizens
seeing them is part of the point. Responses may be cached for 5 minutes (API Gateway /
CDN), which also bounds the read cost of a busy public endpoint.

Query: `level` (kelurahan | kecamatan | kota | opd | sudin; default kelurahan), `period`
(2026-Q3, 2026-11, 2026-W48, 2026; default the current quarter), optional `kelompok`
(one group, e.g. a kecamatan code), optional `unit` (one more unit's metrics, e.g. the
reader's own area), `format=csv` for a download. The JSON shape is in
chalicelib/services/kinerja_report.py.

`GET /kinerja/kepadatan?period=&unit=`: reports received per kelurahan in the period (the
leaders' density map), public for the same reasons; shape in
chalicelib/services/kinerja_density.py.
"""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint, Cron, Response
from chalice.app import CloudWatchEvent

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.periods import PeriodKind, period_containing
from chalicelib.handlers.http import api, json_response
from chalicelib.services.deps import default_deps
from chalicelib.services.kinerja_density import density
from chalicelib.services.kinerja_reconcile import reconcile_yesterday
from chalicelib.services.kinerja_report import ranking, ranking_csv, send_weekly_summary

log = logging.getLogger("crm.kinerja")
bp = Blueprint(__name__)
CACHE = {"Cache-Control": "public, max-age=300"}


def csv_response(text: str, filename: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body=text, status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})})


def wants_csv(params: dict[str, str]) -> bool:
    form = (params.get("format") or "json").lower()
    if form not in ("json", "csv"):
        raise ValidationFailed.of([FieldProblem("format", "Format harus json atau csv.",
                                                "The format must be json or csv.")])
    return form == "csv"


@bp.route("/kinerja", methods=["GET"])
@api
def get_kinerja() -> Response:
    params = bp.current_request.query_params or {}
    deps = default_deps()
    period = params.get("period") or period_containing(deps.clock(), PeriodKind.QUARTER).code
    as_csv = wants_csv(params)
    result = ranking(deps, params.get("level") or "kelurahan", period, params.get("kelompok"),
                     params.get("unit"))
    if as_csv:
        return csv_response(ranking_csv(result),
                            f"kinerja-{result['level']}-{result['periode']['kode']}.csv", CACHE)
    return json_response(result, headers=CACHE)


@bp.route("/kinerja/kepadatan", methods=["GET"])
@api
def get_kepadatan() -> Response:
    params = bp.current_request.query_params or {}
    return json_response(density(default_deps(), params.get("period"), params.get("unit")),
                         headers=CACHE)


# 00:30 WIB: yesterday is over, the stream has had 30 minutes to drain, and the last day
# of a quarter is reconciled (SKM population entries included) before the 01:00 launch.
@bp.schedule(Cron(30, 17, "*", "*", "?", "*"), name="kinerja_reconcile",
             description="Nightly: yesterday's kinerja counters against the reports")
def kinerja_reconcile(event: CloudWatchEvent) -> dict[str, Any]:
    result = reconcile_yesterday(default_deps())
    return result.as_dict()


# Monday 07:00 WIB (00:00 UTC): the ISO week that ended on Sunday.
@bp.schedule(Cron(0, 0, "?", "*", "MON", "*"), name="kinerja_weekly",
             description="Monday: the leaders' weekly kinerja summary")
def kinerja_weekly(event: CloudWatchEvent) -> dict[str, Any]:
    return send_weekly_summary(default_deps())
