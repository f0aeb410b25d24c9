"""Running the quarterly SKM: launch and draw, invitations and reminders, answers, results.

Timeline of one survey (all WIB; rules in chalicelib/domain/skm.py):

- During the quarter the stream adds each finished report's reporter to the unit's
  population (kinerja_stream.record_served); admins may add a general-public panel.
- 01:00 on the first day of the next quarter, `launch` (schedule `skm_launch`) draws
  the respondents (Krejcie & Morgan per unit, seeded, opted-out excluded, nobody twice)
  and writes the invitations. Phases, so a re-run after a crash finishes the job:
  no survey item -> draw, write unit rows, survey `diundi`; `diundi` -> write the
  invitations (nothing has been sent yet, so rewriting is safe), survey `dibuka`.
- `dispatch` (schedule `skm_dispatch`, every 5 minutes during sending hours) sends what
  is due: invitations, then reminders 3 and 7 days after each invitation. It reads only
  due invitations (the overloaded due index), stops after a time budget and continues
  on the next run; every message is claimed in the sent log first, so none goes twice.
- 14 days after the launch the links expire (410); the next dispatch closes the survey
  (status first, so no answer slips past) and freezes its results in one item.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.skm_store import (
    Invitation,
    InvitationUsed,
    PopulationRow,
    SurveyNotOpen,
    SurveyRecord,
    UnitRecord,
)
from chalicelib.domain.errors import FieldProblem, NotFound, ValidationFailed
from chalicelib.domain.ikm import (
    PREDIKAT,
    UNSUR,
    DataSkmUnit,
    HasilSkm,
    RekapSkm,
    hasil_jakarta,
    hasil_skm,
)
from chalicelib.domain.officers import Forbidden, Officer, Role
from chalicelib.domain.periods import Period, PeriodKind, parse_period, survey_quarter
from chalicelib.domain.sampling import (
    ALGORITHM,
    DrawAudit,
    draw_survey,
    invitations_needed,
    krejcie_morgan,
    verify_draw,
)
from chalicelib.domain.skm import (
    EXPECTED_RESPONSE_RATE,
    INVITATION_KEEP_DAYS,
    SOURCE_PANEL,
    audit_expiry,
    closes_at,
    in_sending_hours,
    invitation,
    opt_out_key,
    parse_answer,
    parse_panel,
    questionnaire,
    reminder_due,
    survey_closed,
    survey_token,
    token_hash,
    token_period,
    token_used,
    unknown_token,
)
from chalicelib.domain.skm import SurveyConflict as Conflict
from chalicelib.domain.timefmt import utc_iso, wib_text
from chalicelib.services.deps import Deps
from chalicelib.services.kinerja_deps import kinerja_deps

log = logging.getLogger("crm.skm")
DISPATCH_BUDGET_SECONDS = 240.0  # the dispatch Lambda runs every 5 minutes (timeout 300 s)
PANEL_ROLES = (Role.ADMIN, Role.VALIDATOR)
DRAWN, OPEN, CLOSED = "diundi", "dibuka", "ditutup"


def _quarter(text: object, field: str = "period") -> Period:
    period = parse_period(text)
    if period.kind != PeriodKind.QUARTER:
        raise ValidationFailed.of([FieldProblem(
            field, "SKM dilaksanakan per triwulan: gunakan periode seperti 2026-Q3.",
            "The SKM is quarterly: use a period such as 2026-Q3.")])
    return period


def _unit_name(deps: Deps, code: str) -> str:
    unit = deps.registry.units.get(code)
    return unit.name if unit else code


# -- launch -------------------------------------------------------------------------------


def launch(deps: Deps, now: datetime | None = None) -> dict[str, Any]:
    """Launch the survey of the quarter before `now` (idempotent; see the module doc)."""
    now = now or deps.clock()
    period = survey_quarter(now)
    skm = kinerja_deps(deps).skm
    survey = skm.survey(period.code)
    contacts = None
    if survey is None:
        survey, contacts = _draw(deps, period, now)
    if survey.status == DRAWN:
        written = _write_invitations(deps, period, survey, now, contacts)
        skm.set_status(period.code, OPEN, DRAWN)
        log.info("SKM %s launched: %d invitations", period.code, written)
    return {"periode": period.code, "status": OPEN if survey.status == DRAWN else survey.status,
            "populasi": survey.populasi, "diundang": survey.diundang}


def _draw(deps: Deps, period: Period, now: datetime
          ) -> tuple[SurveyRecord, dict[str, PopulationRow]]:
    skm = kinerja_deps(deps).skm
    rows = skm.population(period.code)
    populations: dict[str, set[str]] = {}
    contacts: dict[str, PopulationRow] = {}
    for row in rows:
        populations.setdefault(row.unit, set()).add(row.person)
        contacts.setdefault(row.person, row)
    blocked = skm.opted_out()
    secret = deps.settings.token_secret
    opted = {p for p in contacts if opt_out_key(secret, p) in blocked}
    sizes = {unit: invitations_needed(krejcie_morgan(len(pool)), EXPECTED_RESPONSE_RATE,
                                      len(pool)) for unit, pool in populations.items()}
    audit = draw_survey(populations, opted, secrets.token_hex(16), sizes)
    skm.put_units(period.code, [
        UnitRecord(unit=row.unit, populasi=row.population_size,
                   sampel_minimal=krejcie_morgan(row.population_size), draw=row,
                   opted_out=sorted(populations[row.unit] & opted), rekap=RekapSkm())
        for row in audit.units], audit_expiry(period))
    survey = SurveyRecord(
        period=period.code, status=DRAWN, seed=audit.seed, algorithm=audit.algorithm,
        opted_out_hash=audit.opted_out_hash, launched_at=now, closes_at=closes_at(now),
        populasi=len(contacts), diundang=sum(len(row.drawn) for row in audit.units))
    skm.put_survey(survey)
    return survey, contacts


def _write_invitations(deps: Deps, period: Period, survey: SurveyRecord, now: datetime,
                       contacts: Mapping[str, PopulationRow] | None) -> int:
    skm = kinerja_deps(deps).skm
    if contacts is None:
        contacts = {row.person: row for row in skm.population(period.code)}
    secret = deps.settings.token_secret
    invitations = [
        Invitation(hash=token_hash(survey_token(secret, period, person, survey.seed)),
                   unit=unit.unit, person=person, phone=contacts[person].phone,
                   email=contacts[person].email, status="menunggu", invited_at=None,
                   reminders=0)
        for unit in skm.units(period.code) for person in unit.draw.drawn if person in contacts]
    return skm.put_invitations(period.code, invitations, now,
                               survey.closes_at + timedelta(days=INVITATION_KEEP_DAYS))


# -- the general-public panel ------------------------------------------------------------


def upload_panel(deps: Deps, officer: Officer, period_text: object,
                 body: bytes) -> dict[str, Any]:
    """Add panel members (CSV `unit,phone,email`) to a quarter's populations, before launch."""
    if officer.role not in PANEL_ROLES:
        raise Forbidden(code="peran_tidak_berwenang",
                        message_id="Hanya admin atau validator yang dapat mengunggah panel SKM.",
                        message_en="Only an admin or a validator may upload an SKM panel.")
    period = _quarter(period_text)
    skm = kinerja_deps(deps).skm
    if skm.survey(period.code) is not None:
        raise Conflict(code="survei_sudah_diluncurkan",
                       message_id=f"Survei {period.label_id} sudah diluncurkan; panel harus "
                       "diunggah sebelumnya.",
                       message_en=f"The {period.label_en} survey has been launched; a panel "
                       "must be uploaded before.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed.of([FieldProblem("csv", "Berkas CSV harus UTF-8.",
                                                "The CSV file must be UTF-8.")]) from None
    members = parse_panel(text, deps.registry.units)
    skm.add_population(period.code, [
        PopulationRow(m.unit, m.person, m.phone, m.email, SOURCE_PANEL) for m in members],
        audit_expiry(period))
    return {"periode": period.code, "diterima": len(members),
            "unit": len({m.unit for m in members})}


# -- dispatch: invitations, reminders, closing --------------------------------------------


def dispatch(deps: Deps, now: datetime | None = None,
             budget_seconds: float = DISPATCH_BUDGET_SECONDS) -> dict[str, Any]:
    """Close what is due to close, then send due invitations and reminders (time-boxed)."""
    now = now or deps.clock()
    deadline = time.monotonic() + budget_seconds
    skm = kinerja_deps(deps).skm
    done: dict[str, Any] = {"ditutup": [], "undangan": 0, "pengingat": 0, "gagal": 0,
                            "selesai": True}
    for survey in skm.surveys():
        if survey.status == OPEN and now >= survey.closes_at:
            close_survey(deps, survey, now)
            done["ditutup"].append(survey.period)
        elif survey.status == CLOSED and survey.results_at is None:
            close_survey(deps, survey, now)  # a close that stopped before freezing results
        elif survey.status == OPEN and in_sending_hours(now):
            done["selesai"] &= _send_due(deps, survey, now, deadline, done)
    return done


def _send_due(deps: Deps, survey: SurveyRecord, now: datetime, deadline: float,
              done: dict[str, Any]) -> bool:
    """Send the survey's due messages; False if the time budget ran out first."""
    skm = kinerja_deps(deps).skm
    for inv in list(skm.due_invitations(survey.period, now)):
        if time.monotonic() > deadline:
            return False
        try:
            kind = _send_one(deps, survey, inv, now)
        except Exception:  # one bad contact must not hold up the rest: retried next run
            log.exception("SKM %s: sending to invitation %s failed", survey.period, inv.hash)
            done["gagal"] += 1
            continue
        if kind:
            done[kind] += 1
    return True


def _next(due: datetime | None, survey: SurveyRecord) -> datetime | None:
    return due if due is not None and due < survey.closes_at else None


def _send_one(deps: Deps, survey: SurveyRecord, inv: Invitation, now: datetime) -> str | None:
    skm = kinerja_deps(deps).skm
    period = parse_period(survey.period)
    if inv.status not in ("menunggu", "diundang") or not (inv.phone or inv.email):
        skm.drop_from_due(survey.period, inv.hash)
        return None
    number = 0 if inv.status == "menunggu" else inv.reminders + 1
    token = survey_token(deps.settings.token_secret, period, inv.person, survey.seed)
    message = invitation(period, _unit_name(deps, inv.unit),
                         f"{deps.settings.public_base_url}/skm/{token}", survey.closes_at, number)
    key = f"skm:{survey.period}:{inv.hash}:{number}"
    if deps.sent_log.claim(key, now):
        try:
            if inv.phone:
                message_id = deps.notifier.sms(inv.phone, message.sms)
            else:
                message_id = deps.notifier.email(inv.email or "", message.subject, message.email)
        except Exception:
            deps.sent_log.release(key)
            raise
        deps.sent_log.mark_sent(key, message_id)
    if number == 0:
        skm.mark_invited(survey.period, inv.hash, now, _next(reminder_due(now, 0), survey))
        return "undangan"
    invited = inv.invited_at or now
    skm.mark_reminded(survey.period, inv.hash, number,
                      _next(reminder_due(invited, number), survey))
    return "pengingat"


def close_survey(deps: Deps, survey: SurveyRecord, now: datetime) -> list[HasilSkm]:
    """Stop answers (status first), then freeze the results from the final tallies."""
    skm = kinerja_deps(deps).skm
    if survey.status == OPEN:
        skm.set_status(survey.period, CLOSED, OPEN)
    results = _compute(deps, survey)
    skm.put_results(survey.period, results, now)
    skm.mark_results(survey.period, now)
    log.info("SKM %s closed: %d units", survey.period, len(results) - 1)
    return results


def _compute(deps: Deps, survey: SurveyRecord) -> list[HasilSkm]:
    """Every unit's result and all of Jakarta's (last), from the tallies as they are."""
    data = [DataSkmUnit(unit=u.unit, rekap=u.rekap, populasi=u.populasi, diundang=u.diundang,
                        sampel_minimal=u.sampel_minimal)
            for u in kinerja_deps(deps).skm.units(survey.period)]
    return [*(hasil_skm(d, survey.period) for d in data),
            hasil_jakarta(data, survey.period, populasi=survey.populasi)]


# -- the respondent's side ----------------------------------------------------------------


def _open_invitation(deps: Deps, token: str) -> tuple[Period, SurveyRecord, Invitation]:
    """The survey and invitation of a token; 404 unknown, 409 used, 410 expired."""
    period = token_period(token)
    skm = kinerja_deps(deps).skm
    survey = skm.survey(period.code) if period else None
    inv = skm.invitation(period.code, token_hash(token)) if period and survey else None
    if period is None or survey is None or inv is None or survey.status == DRAWN:
        raise unknown_token()
    if inv.status in ("dijawab", "berhenti"):
        raise token_used(inv.status)
    if survey.status == CLOSED or deps.clock() >= survey.closes_at:
        raise survey_closed(period, survey.closes_at)
    return period, survey, inv


def get_questionnaire(deps: Deps, token: str) -> dict[str, Any]:
    period, survey, inv = _open_invitation(deps, token)
    return {**questionnaire(period, inv.unit, _unit_name(deps, inv.unit), survey.closes_at),
            "kirim": f"/skm/{token}", "berhenti": f"/skm/opt-out/{token}"}


def submit_answer(deps: Deps, token: str, payload: Any) -> dict[str, Any]:
    """Record the answers once; the same refusals as the questionnaire, then 400 if invalid."""
    period, survey, inv = _open_invitation(deps, token)
    jawaban, comment = parse_answer(payload)
    try:
        kinerja_deps(deps).skm.record_answer(period.code, inv.hash, inv.unit, jawaban,
                                             comment, deps.clock())
    except InvitationUsed as exc:
        raise token_used(exc.status) from None
    except SurveyNotOpen:
        raise survey_closed(period, survey.closes_at) from None
    return {"diterima": True, "periode": period.code,
            "pesan_id": "Terima kasih. Jawaban Anda sudah kami terima.",
            "pesan_en": "Thank you. Your answers have been received."}


def opt_out(deps: Deps, token: str) -> dict[str, Any]:
    """Never invite this person again (allowed even after the survey closed)."""
    period = token_period(token)
    skm = kinerja_deps(deps).skm
    inv = skm.invitation(period.code, token_hash(token)) if period else None
    if period is None or inv is None:
        raise unknown_token()
    now = deps.clock()
    skm.opt_out(opt_out_key(deps.settings.token_secret, inv.person), now)
    skm.decline(period.code, inv.hash, now)
    return {"berhenti": True,
            "pesan_id": "Anda tidak akan diundang lagi ke survei kepuasan masyarakat.",
            "pesan_en": "You will not be invited to satisfaction surveys again."}


# -- results ------------------------------------------------------------------------------


def survey_results(deps: Deps, period_text: object) -> dict[str, Any]:
    """`GET /skm/results` (shape in chalicelib/handlers/skm.py): frozen once closed."""
    period = _quarter(period_text)
    skm = kinerja_deps(deps).skm
    survey = skm.survey(period.code)
    if survey is None:
        raise NotFound(code="survei_tidak_ada",
                       message_id=f"Belum ada SKM untuk {period.label_id}.",
                       message_en=f"There is no SKM for {period.label_en} yet.")
    frozen = skm.results([period.code]).get(period.code) if survey.results_at else None
    results = frozen if frozen is not None else _compute(deps, survey)
    *units, jakarta = results

    def named(result: HasilSkm) -> dict[str, Any]:
        return {**result.model_dump(), "nama": _unit_name(deps, result.unit)}

    return {
        "periode": period.code, "periode_label_id": period.label_id,
        "periode_label_en": period.label_en, "status": survey.status,
        "final": frozen is not None,
        "dibuka": {"utc": utc_iso(survey.launched_at), "wib": wib_text(survey.launched_at)},
        "ditutup": {"utc": utc_iso(survey.closes_at), "wib": wib_text(survey.closes_at)},
        "jakarta": {**jakarta.model_dump(), "nama": "Provinsi DKI Jakarta"},
        "unit": [named(r) for r in sorted(units, key=lambda r: r.unit)],
        "unsur": [{"kode": u.kode, "nama": u.nama, "name_en": u.name_en} for u in UNSUR],
        "predikat": [{"mutu": p.mutu, "kinerja": p.kinerja, "kinerja_en": p.kinerja_en,
                      "batas_bawah": float(p.batas_bawah)} for p in PREDIKAT],
        "metode": {"sampel": "Krejcie & Morgan (X2 = 3,841; P = 0,5; d = 0,05)",
                   "pengundian": survey.algorithm},
    }


RESULT_COLUMNS = ("periode", "unit", "nama", "populasi", "sampel_minimal", "diundang",
                  "responden", "sampel_terpenuhi", "tingkat_respons",
                  *(u.kode for u in UNSUR), "ikm", "ikm_konversi", "mutu", "kinerja",
                  "unsur_terlemah")


def results_csv(result: Mapping[str, Any]) -> str:
    """Jakarta first, then every unit: one row each, NRR per unsur in columns U1..U9."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RESULT_COLUMNS, extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for row in [result["jakarta"], *result["unit"]]:
        writer.writerow({**row, **(row["nrr"] or {}),
                         "unsur_terlemah": " ".join(row["unsur_terlemah"])})
    return out.getvalue()


# -- audit --------------------------------------------------------------------------------


def audit(deps: Deps, officer: Officer, period_text: object) -> dict[str, Any]:
    """Re-run the recorded draw against the stored populations (admin and validator)."""
    if officer.role not in PANEL_ROLES:
        raise Forbidden(code="peran_tidak_berwenang",
                        message_id="Hanya admin atau validator yang dapat mengaudit undian SKM.",
                        message_en="Only an admin or a validator may audit the SKM draw.")
    period = _quarter(period_text)
    skm = kinerja_deps(deps).skm
    survey = skm.survey(period.code)
    if survey is None:
        raise NotFound(code="survei_tidak_ada",
                       message_id=f"Belum ada SKM untuk {period.label_id}.",
                       message_en=f"There is no SKM for {period.label_en} yet.")
    units = skm.units(period.code)
    record = DrawAudit(algorithm=survey.algorithm, seed=survey.seed,
                       opted_out_hash=survey.opted_out_hash, units=[u.draw for u in units])
    populations: dict[str, set[str]] = {u.unit: set() for u in units}
    for row in skm.population(period.code):
        populations.setdefault(row.unit, set()).add(row.person)
    opted = {p for u in units for p in u.opted_out}
    problems = verify_draw(record, populations, opted)
    return {"periode": period.code, "algoritma": survey.algorithm or ALGORITHM,
            "seed": survey.seed, "unit": len(units), "diundang": survey.diundang,
            "sesuai": not problems, "masalah": problems}
