"""SKM routes and schedules.

Public (the respondent has only the personal link; no sign-in):

- `GET /skm/{token}` the questionnaire::

      {"periode": "2026-Q3", "periode_label_id": "Triwulan III 2026",
       "periode_label_en": "Q3 2026", "unit": {"kode": "31.71.01.1001",
       "nama": "Kelurahan Gambir"}, "ditutup": {"utc": "...Z", "wib": "15 Okt 2026 01:00 WIB"},
       "unsur": [{"kode": "U1", "nama": "Persyaratan", "name_en": "Requirements",
                  "pilihan": [{"nilai": 1, "label_id": "Tidak sesuai", "label_en": "Poor"},
                              ... 4]}, ... 9],
       "skala": [{"nilai": 1, "label_id": "Tidak baik", "label_en": "Poor"}, ... 4],
       "komentar": {"wajib": false, "maks": 1000},
       "kirim": "/skm/<token>", "berhenti": "/skm/opt-out/<token>"}

- `POST /skm/{token}` with `{"jawaban": {"U1": 4, ..., "U9": 3}, "komentar": "..."}`
  -> 201 `{"diterima": true, "periode", "pesan_id", "pesan_en"}`; 400 with one problem
  per missing or bad unsur.
- `POST /skm/opt-out/{token}` -> 200 `{"berhenti": true, "pesan_id", "pesan_en"}`.
- Refusals (bilingual `{"error", "message_id", "message_en", "message"}`): unknown
  token 404 `token_tidak_dikenal`; used 409 `sudah_dijawab` or `sudah_berhenti`;
  expired (survey closed) 410 `survei_ditutup`.
- `GET /skm/results?period=2026-Q3[&format=csv]`: public, as PermenPANRB 14/2017 asks
  results to be published::

      {"periode", "periode_label_id", "periode_label_en",
       "status": "dibuka" | "ditutup", "final": true once closed (frozen),
       "dibuka": {"utc", "wib"}, "ditutup": {"utc", "wib"},
       "jakarta": {HasilSkm + "nama"},
       "unit": [{"unit", "nama", "periode", "populasi", "sampel_minimal", "diundang",
                 "responden", "sampel_terpenuhi", "tingkat_respons", "nrr": {"U1": 3.25..},
                 "ikm", "ikm_konversi", "mutu", "kinerja", "kinerja_en",
                 "unsur_terlemah": ["U3", ...]}, ...],
       "unsur": [{"kode", "nama", "name_en"}], "predikat": [{"mutu", "kinerja",
       "kinerja_en", "batas_bawah"}], "metode": {"sampel", "pengundian"}}

Officers (admin or validator): `POST /skm/panel?period=2026-Q3` (text/csv
`unit,phone,email`) adds a general-public panel before the launch; `GET
/skm/audit?period=` re-runs the recorded draw.
"""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint, Cron, Response
from chalice.app import CloudWatchEvent

from chalicelib.domain.officers import Officer
from chalicelib.handlers.auth import officer_route
from chalicelib.handlers.http import MAX_BODY_BYTES, HttpProblem, api, json_response, read_body
from chalicelib.handlers.kinerja import csv_response, wants_csv
from chalicelib.services import skm
from chalicelib.services.deps import default_deps

log = logging.getLogger("crm.skm")
bp = Blueprint(__name__)
signed_in = officer_route(bp)
PRIVATE = {"Cache-Control": "no-store"}


@bp.route("/skm/results", methods=["GET"])
@api
def results() -> Response:
    params = bp.current_request.query_params or {}
    as_csv = wants_csv(params)
    result = skm.survey_results(default_deps(), params.get("period"))
    headers = {"Cache-Control": "public, max-age=300"}
    if as_csv:
        return csv_response(skm.results_csv(result), f"skm-{result['periode']}.csv", headers)
    return json_response(result, headers=headers)


@bp.route("/skm/panel", methods=["POST"], content_types=["text/csv", "text/plain"])
@signed_in
def panel(officer: Officer) -> Response:
    request = bp.current_request
    body = request.raw_body or b""
    if len(body) > MAX_BODY_BYTES:
        raise HttpProblem(413, "terlalu_besar", "Berkas panel melebihi 1 MB.",
                          "The panel file exceeds 1 MB.")
    period = (request.query_params or {}).get("period")
    return json_response(skm.upload_panel(default_deps(), officer, period, body), 201)


@bp.route("/skm/audit", methods=["GET"])
@signed_in
def audit(officer: Officer) -> Response:
    period = (bp.current_request.query_params or {}).get("period")
    return json_response(skm.audit(default_deps(), officer, period), headers=PRIVATE)


@bp.route("/skm/{token}", methods=["GET"])
@api
def questionnaire(token: str) -> Response:
    # The invitation's link is /skm/<token>: a browser opening it is sent to the page
    # (/survei/<token>), whose script reads this same URL as JSON.
    accept = (bp.current_request.headers.get("accept") or "").lower()
    if "text/html" in accept:
        return Response(body="", status_code=302,
                        headers={"Location": f"/survei/{token}", **PRIVATE})
    return json_response(skm.get_questionnaire(default_deps(), token), headers=PRIVATE)


@bp.route("/skm/{token}", methods=["POST"], content_types=["application/json"])
@api
def answer(token: str) -> Response:
    body = read_body(bp.current_request)
    return json_response(skm.submit_answer(default_deps(), token, body), 201, PRIVATE)


@bp.route("/skm/opt-out/{token}", methods=["POST"])
@api
def opt_out(token: str) -> Response:
    return json_response(skm.opt_out(default_deps(), token), headers=PRIVATE)


# 01:00 WIB on the first day of a quarter is 18:00 UTC on the last day of March, June,
# September and December: cron(0 18 L 3,6,9,12 ? *). The service surveys
# periods.survey_quarter(now), the quarter that has just ended.
@bp.schedule(Cron(0, 18, "L", "3,6,9,12", "?", "*"), name="skm_launch",
             description="Quarterly SKM: draw respondents and write invitations")
def skm_launch(event: CloudWatchEvent) -> dict[str, Any]:
    return skm.launch(default_deps())


# Every 5 minutes from 08:00 to 19:55 WIB (01:00-12:55 UTC): invitations, reminders, closing.
@bp.schedule(Cron("0/5", "1-12", "*", "*", "?", "*"), name="skm_dispatch",
             description="SKM invitations, reminders after 3 and 7 days, closing after 14")
def skm_dispatch(event: CloudWatchEvent) -> dict[str, Any]:
    return skm.dispatch(default_deps())
