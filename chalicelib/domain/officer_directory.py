"""The officer directory file: who may sign in, with which role, for which unit, and how
they receive their unit's alerts. Checked here, loaded by `crm officers load`.

A CSV with the header `username,role,unit,name,email,phone,alerts` (name, phone and
alerts may be empty; alerts is `email`, `sms` or `email;sms`, default: both the officer
has a contact for). Every officer needs an email address: Cognito mails the invitation
with the temporary password there.

All or nothing, like the SKM panel: any bad row refuses the file, with every problem
(up to 50) named by its row, so the operator fixes the file once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from email_validator import EmailNotValidError, validate_email

from chalicelib.domain.csv_upload import csv_rows, row_problem
from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.intake import normalise_phone
from chalicelib.domain.officers import Officer, Role, RolePolicy
from chalicelib.domain.units import UnitDirectory

COLUMNS = ("username", "role", "unit", "name", "email", "phone", "alerts")
REQUIRED_COLUMNS = {"username", "role", "unit", "email"}
ALERT_KINDS = ("email", "sms")
MAX_ROWS = 5000  # Jakarta has ~300 units; a few officers each
MAX_PROBLEMS = 50
# Cognito usernames are case-insensitive in our pool; keep them plain and readable.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def parse_directory(text: str, units: UnitDirectory,
                    role_policies: Mapping[Role, RolePolicy]) -> list[Officer]:
    """The officers of a directory CSV, or ValidationFailed naming every bad row."""
    officers: dict[str, Officer] = {}
    first_row: dict[str, int] = {}
    problems: list[FieldProblem] = []
    rows = csv_rows(text, required=REQUIRED_COLUMNS, columns=",".join(COLUMNS),
                    max_rows=MAX_ROWS, too_long_id=f"Direktori paling banyak {MAX_ROWS} baris.",
                    too_long_en=f"A directory has at most {MAX_ROWS} rows.")
    for number, row in rows:
        if not any(row.values()):
            continue  # a blank line
        officer = _officer(number, row, units, role_policies, problems)
        if officer is None:
            continue
        if officer.username in officers:
            problems.append(row_problem(
                number, "username",
                f"'{officer.username}' sudah ada di baris {first_row[officer.username]}.",
                f"'{officer.username}' is already on row {first_row[officer.username]}."))
            continue
        officers[officer.username] = officer
        first_row[officer.username] = number
    if problems:
        raise ValidationFailed.of(problems[:MAX_PROBLEMS])
    if not officers:
        raise ValidationFailed.of([FieldProblem(
            "csv", "Berkas tidak berisi petugas.", "The file lists no officers.")])
    return list(officers.values())


def _officer(number: int, row: Mapping[str, str], units: UnitDirectory,
             role_policies: Mapping[Role, RolePolicy],
             problems: list[FieldProblem]) -> Officer | None:
    before = len(problems)
    username = row.get("username", "").lower()
    if not USERNAME.match(username):
        problems.append(row_problem(
            number, "username",
            "nama pengguna 3-64 karakter: huruf kecil, angka, titik, garis bawah, tanda hubung.",
            "a username is 3-64 characters: lower-case letters, digits, dot, underscore, "
            "hyphen."))
    role_text = row.get("role", "").lower()
    role = Role(role_text) if role_text in Role.__members__.values() else None
    if role is None:
        problems.append(row_problem(
            number, "role", f"peran '{role_text}' tidak dikenal ({', '.join(Role)}).",
            f"unknown role '{role_text}' ({', '.join(Role)})."))
    unit_code = row.get("unit", "")
    unit = units.get(unit_code)
    if unit is None:
        problems.append(row_problem(number, "unit", f"unit '{unit_code}' tidak dikenal.",
                                 f"unknown unit '{unit_code}'."))
    elif role is not None and unit.kind not in role_policies[role].unit_kinds:
        problems.append(row_problem(
            number, "role", f"peran '{role}' tidak sesuai dengan unit {unit.code} ({unit.kind}).",
            f"the role '{role}' does not fit the unit {unit.code} ({unit.kind})."))
    email = None
    try:
        email = validate_email(row.get("email", ""), check_deliverability=False).normalized
    except EmailNotValidError:
        problems.append(row_problem(
            number, "email", "alamat email wajib dan harus valid (undangan dikirim ke sana).",
            "an email address is required and must be valid (the invitation goes there)."))
    phone = normalise_phone(row["phone"]) if row.get("phone") else None
    if row.get("phone") and phone is None:
        problems.append(row_problem(number, "phone", "nomor telepon tidak valid.",
                                 "the phone number is not valid."))
    alerts = _alerts(number, row.get("alerts", ""), phone, problems)
    if len(problems) > before or role is None or unit is None:
        return None
    return Officer(username=username, role=role, unit=unit.code,
                   name=row.get("name") or None, email=email, phone=phone, alerts=alerts)


def _alerts(number: int, text: str, phone: str | None,
            problems: list[FieldProblem]) -> list[str]:
    if not text:
        return ["email", "sms"] if phone else ["email"]
    kinds = [k.strip().lower() for k in re.split(r"[;,\s]+", text) if k.strip()]
    unknown = [k for k in kinds if k not in ALERT_KINDS]
    if unknown:
        problems.append(row_problem(
            number, "alerts", f"'{unknown[0]}' bukan email atau sms.",
            f"'{unknown[0]}' is neither email nor sms."))
    elif "sms" in kinds and phone is None:
        problems.append(row_problem(number, "alerts", "peringatan SMS perlu nomor telepon.",
                                 "SMS alerts need a phone number."))
    return list(dict.fromkeys(k for k in kinds if k in ALERT_KINDS))
