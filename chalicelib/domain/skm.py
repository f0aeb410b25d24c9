"""The quarterly SKM (Survei Kepuasan Masyarakat) as a process: who is asked, when, and how.

The survey's arithmetic (IKM, grades) is in ikm.py and the draw in sampling.py; this
module holds the rules of running it:

- Population. A unit's population for a quarter is the distinct reporters whose
  reports it finished in that quarter: a report counts for the unit responsible when
  the validator accepted its follow-up (`validasi`, status Selesai), on that WIB day.
  A person is their contact key (E.164 phone, else lower-cased email); a reporter
  who left no contact cannot be asked and is not in any population. Panel members
  (the general public, uploaded as CSV per unit) are added before the launch.
- Timeline. Launched at 01:00 WIB on the first day of a quarter for the previous one
  (`periods.survey_quarter`); invitations and reminders go out only between 08:00
  and 20:00 WIB (nobody should get a government SMS at 1 a.m.); reminders 3 and 7
  days after the invitation; the survey closes 14 days after the launch.
- Tokens. Each invitation carries a personal link `/skm/<token>`. The token is an
  HMAC of (quarter, person, the draw's seed) with the server secret, so the reminder
  can carry the same link without the token ever being stored: the table keeps only
  its SHA-256. The quarter is visible in the token (`2026Q3-...`) so the store can
  find the survey without an index.
- Anonymity. An answer is stored without the person or token; the invitation only
  records that it was used.
- Opt-out. A person who opts out is never drawn again. Opt-outs are kept as an HMAC
  of the contact key, not the phone number itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from chalicelib.domain.csv_upload import csv_rows, row_problem
from chalicelib.domain.duplicates import contact_key
from chalicelib.domain.errors import DomainError, FieldProblem, NotFound, ValidationFailed
from chalicelib.domain.ikm import SKALA, UNSUR, Jawaban, parse_jawaban
from chalicelib.domain.intake import normalise_phone
from chalicelib.domain.periods import Period, PeriodKind, wib_date
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.status import Action
from chalicelib.domain.timefmt import WIB, utc_iso, wib_text
from chalicelib.domain.units import UnitDirectory

OPEN_DAYS = 14  # the survey closes 14 days after the launch
REMINDER_DAYS = (3, 7)  # after the invitation
SENDING_HOURS_WIB = (8, 20)  # invitations and reminders only from 08:00 to 20:00 WIB
# Invitations per respondent needed: 1.0 invites exactly the Krejcie & Morgan sample.
# Raise the expected non-response (e.g. 0.5) to over-invite; sampling.invitations_needed.
EXPECTED_RESPONSE_RATE = 1.0
MAX_COMMENT = 1000
# Personal data: invitations (contacts) go 30 days after the close; populations and the
# draw's audit rows are kept for two years after it, long enough for an audit.
INVITATION_KEEP_DAYS = 30
AUDIT_KEEP_DAYS = 730
MAX_PANEL_ROWS = 20_000
SOURCE_REPORTER = "pelapor"
SOURCE_PANEL = "panel"
_TOKEN = re.compile(r"^(\d{4})Q([1-4])-([A-Za-z0-9_-]{24})$")


# -- errors -----------------------------------------------------------------------------


class SurveyConflict(DomainError):
    """The token was used (answered or declined), or the survey was launched already."""

    kind = "conflict"


class SurveyClosed(DomainError):
    """The survey has closed: its links have expired (HTTP 410 Gone)."""

    kind = "gone"


def unknown_token() -> NotFound:
    return NotFound(code="token_tidak_dikenal",
                    message_id="Tautan survei tidak dikenal. Periksa kembali tautan dari SMS "
                    "atau email undangan.",
                    message_en="Unknown survey link. Please check the link in the invitation "
                    "SMS or email.")


def token_used(status: str) -> SurveyConflict:
    if status == "berhenti":
        return SurveyConflict(code="sudah_berhenti",
                              message_id="Anda sudah memilih berhenti dari survei ini.",
                              message_en="You have already opted out of this survey.")
    return SurveyConflict(code="sudah_dijawab",
                          message_id="Survei ini sudah Anda isi. Terima kasih; jawaban hanya "
                          "diterima sekali.",
                          message_en="You have already answered this survey. Thank you; "
                          "answers are accepted once.")


def survey_closed(period: Period, closed: datetime) -> SurveyClosed:
    return SurveyClosed(code="survei_ditutup",
                        message_id=f"Survei {period.label_id} sudah ditutup pada "
                        f"{wib_text(closed)}; tautan ini tidak berlaku lagi.",
                        message_en=f"The {period.label_en} survey closed on {wib_text(closed)}; "
                        "this link has expired.")


# -- population -------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """One person a unit finished a report for, on a WIB day (a population member)."""

    unit: str
    person: str
    day: date
    phone: str | None
    email: str | None

    @property
    def quarter(self) -> Period:
        return _quarter_of(self.day)


def _quarter_of(day: date) -> Period:
    return Period(PeriodKind.QUARTER, day.year, (day.month - 1) // 3 + 1)


def served_by(report: Report, events: Iterable[HistoryEvent]) -> list[Served]:
    """The population entries `events` of `report` add: one per accepted follow-up."""
    person = contact_key(report.reporter.phone, report.reporter.email)
    if person is None:
        return []
    return [Served(event.unit, person, wib_date(event.at), report.reporter.phone,
                   report.reporter.email.lower() if report.reporter.email else None)
            for event in events if event.action == Action.VALIDASI and event.unit]


# -- timeline ---------------------------------------------------------------------------


def closes_at(launched_at: datetime) -> datetime:
    return launched_at + timedelta(days=OPEN_DAYS)


def audit_expiry(period: Period) -> datetime:
    """When a quarter's populations and draw rows may be deleted (a TTL)."""
    return period.end + timedelta(days=OPEN_DAYS + AUDIT_KEEP_DAYS)


def reminder_due(invited_at: datetime, reminders_sent: int) -> datetime | None:
    """When the next reminder is due, or None when both have been sent."""
    if reminders_sent >= len(REMINDER_DAYS):
        return None
    return invited_at + timedelta(days=REMINDER_DAYS[reminders_sent])


def in_sending_hours(moment: datetime) -> bool:
    start, end = SENDING_HOURS_WIB
    return time(start) <= moment.astimezone(WIB).time() < time(end)


# -- tokens and keys --------------------------------------------------------------------


def _mac(secret: bytes, text: str) -> bytes:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()


def survey_token(secret: bytes, period: Period, person: str, seed: str) -> str:
    """The personal link token of `person` in the survey of `period` (144 random bits)."""
    digest = _mac(secret, f"skm\x1f{period.code}\x1f{seed}\x1f{person}")
    return f"{period.year}Q{period.number}-" + base64.urlsafe_b64encode(digest[:18]).decode()


def token_period(token: str) -> Period | None:
    """The quarter a token belongs to, or None when it is not a survey token at all."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    return Period(PeriodKind.QUARTER, int(match.group(1)), int(match.group(2)))


def token_hash(token: str) -> str:
    """What the store keeps of a token: enough to recognise it, useless to send."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def opt_out_key(secret: bytes, person: str) -> str:
    """A keyed hash of a contact key: a leaked opt-out list reveals no phone numbers."""
    return _mac(secret, f"skm-optout\x1f{person}").hex()


# -- messages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyMessage:
    sms: str  # one segment without the link's length: keep under 160 characters
    subject: str
    email: str


def invitation(period: Period, unit_name: str, link: str, closes: datetime,
               reminder: int = 0) -> SurveyMessage:
    """Invitation (reminder 0) or reminder 1 / 2, in Bahasa Indonesia and English."""
    until = wib_text(closes)
    if reminder:
        sms = f"Pengingat SKM Pemprov DKI: mohon isi survei layanan {period.label_id}: {link}"
        subject = f"Pengingat: Survei Kepuasan Masyarakat {period.label_id}"
    else:
        sms = f"Pemprov DKI: mohon nilai layanan pengaduan Anda (SKM {period.label_id}): {link}"
        subject = f"Survei Kepuasan Masyarakat {period.label_id} / Satisfaction survey"
    email = (
        f"Yth. Bapak/Ibu,\n\nAnda terpilih secara acak untuk menilai layanan {unit_name} "
        f"atas pengaduan Anda pada {period.label_id}. Survei berisi 9 pertanyaan singkat "
        f"dan terbuka sampai {until}:\n\n{link}\n\nJawaban Anda tidak dikaitkan dengan "
        "identitas Anda. Jika tidak ingin dihubungi lagi untuk survei ini, pilih "
        "\"berhenti\" pada halaman tersebut.\n\n"
        f"You were chosen at random to rate the service of {unit_name} on your complaint in "
        f"{period.label_en}. The survey has 9 short questions and is open until {until}:\n\n"
        f"{link}\n\nYour answers are not linked to your identity. To stop receiving survey "
        "invitations, choose \"stop\" on that page.\n"
    )
    return SurveyMessage(sms=sms, subject=subject, email=email)


# -- the questionnaire ------------------------------------------------------------------


def questionnaire(period: Period, unit_code: str, unit_name: str,
                  closes: datetime) -> dict[str, Any]:
    """The JSON of `GET /skm/{token}` (see chalicelib/handlers/skm.py for the full shape)."""
    return {
        "periode": period.code,
        "periode_label_id": period.label_id,
        "periode_label_en": period.label_en,
        "unit": {"kode": unit_code, "nama": unit_name},
        "ditutup": {"utc": utc_iso(closes), "wib": wib_text(closes)},
        "unsur": [
            {"kode": u.kode, "nama": u.nama, "name_en": u.name_en,
             "pilihan": [{"nilai": score, "label_id": label, "label_en": SKALA[score][1]}
                         for score, label in enumerate(u.pilihan, start=1)]}
            for u in UNSUR
        ],
        "skala": [{"nilai": score, "label_id": id_, "label_en": en}
                  for score, (id_, en) in SKALA.items()],
        "komentar": {"wajib": False, "maks": MAX_COMMENT},
    }


def parse_answer(payload: Any) -> tuple[Jawaban, str | None]:
    """`{"jawaban": {"U1": 4, ..., "U9": 3}, "komentar": "..."}` -> (answers, comment)."""
    if not isinstance(payload, Mapping):
        raise ValidationFailed.of([FieldProblem("body", "Isi permintaan harus objek JSON.",
                                                "The request body must be a JSON object.")])
    extra = set(payload) - {"jawaban", "komentar"}
    if extra:
        name = sorted(extra)[0]
        raise ValidationFailed.of([FieldProblem(
            name, f"Kolom '{name}' tidak dikenal; kirim 'jawaban' dan 'komentar'.",
            f"Unknown field '{name}'; send 'jawaban' and 'komentar'.")])
    jawaban = parse_jawaban(payload.get("jawaban"))
    comment = payload.get("komentar")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise ValidationFailed.of([FieldProblem(
            "komentar", f"Komentar harus teks, paling panjang {MAX_COMMENT} karakter.",
            f"The comment must be text of at most {MAX_COMMENT} characters.")])
    return jawaban, (comment.strip() or None) if comment else None


# -- the general-public panel -----------------------------------------------------------


@dataclass(frozen=True)
class PanelMember:
    unit: str
    person: str
    phone: str | None
    email: str | None


def parse_panel(text: str, units: UnitDirectory) -> list[PanelMember]:
    """A panel CSV with a header `unit,phone,email` (phone or email may be empty).

    All or nothing: any bad row refuses the upload, with every problem (up to 20) named
    by its row, so the uploader fixes the file once.
    """
    members: dict[tuple[str, str], PanelMember] = {}
    problems: list[FieldProblem] = []
    rows = csv_rows(text, required=("unit", "phone", "email"), columns="unit,phone,email",
                    max_rows=MAX_PANEL_ROWS,
                    too_long_id=f"Panel paling banyak {MAX_PANEL_ROWS} baris.",
                    too_long_en=f"A panel has at most {MAX_PANEL_ROWS} rows.")
    for number, row in rows:
        member = _panel_row(number, row, units, problems)
        if member is not None:
            members[(member.unit, member.person)] = member
    if problems:
        raise ValidationFailed.of(problems[:20])
    return list(members.values())


def _panel_row(number: int, row: Mapping[str, str], units: UnitDirectory,
               problems: list[FieldProblem]) -> PanelMember | None:
    unit = row.get("unit", "")
    if unit not in units:
        problems.append(row_problem(number, "unit", f"unit '{unit}' tidak dikenal.",
                                     f"unknown unit '{unit}'."))
        return None
    phone = normalise_phone(row["phone"]) if row.get("phone") else None
    if row.get("phone") and phone is None:
        problems.append(row_problem(number, "phone", "nomor telepon tidak valid.",
                                     "the phone number is not valid."))
        return None
    email = None
    if row.get("email"):
        try:
            email = validate_email(row["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(row_problem(number, "email", "alamat email tidak valid.",
                                         "the email address is not valid."))
            return None
    person = contact_key(phone, email)
    if person is None:
        problems.append(row_problem(number, "phone", "isi nomor telepon atau email.",
                                     "give a phone number or an email address."))
        return None
    return PanelMember(unit, person, phone, email)
