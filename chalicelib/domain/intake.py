"""Validation of what a citizen submits, whatever the channel.

`parse_intake` turns a channel's fields into an `IntakeCommand` or raises
`ValidationFailed` listing every problem, each naming its field in Bahasa
Indonesia and English. Channel adapters map their platform's payload to these
field names first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel

from chalicelib.domain.categories import Categories
from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.report import GeoPoint, Reporter
from chalicelib.domain.wilayah import Wilayah

MAX_DESCRIPTION = 4000
MAX_ADDRESS = 500
MAX_NAME = 200


class IntakeCommand(BaseModel):
    channel: str
    description: str
    category: str | None = None
    point: GeoPoint | None = None
    address: str | None = None
    kelurahan_code: str | None = None
    reporter: Reporter = Reporter()
    external_id: str | None = None
    entered_by: str | None = None


def _problem(field: str, id_: str, en: str) -> FieldProblem:
    return FieldProblem(field, id_, en)


def _text(payload: Mapping[str, Any], field: str, limit: int, problems: list[FieldProblem],
          *, required: bool = False) -> str | None:
    value = payload.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(_problem(
                field, f"Kolom '{field}' wajib diisi.", f"Field '{field}' is required."))
        return None
    if not isinstance(value, str):
        problems.append(_problem(
            field, f"Kolom '{field}' harus berupa teks.", f"Field '{field}' must be text."))
        return None
    value = value.strip()
    if "\x00" in value:
        problems.append(_problem(
            field, f"Kolom '{field}' berisi karakter yang tidak sah.",
            f"Field '{field}' contains an invalid character."))
        return None
    if len(value) > limit:
        problems.append(_problem(
            field, f"Kolom '{field}' paling panjang {limit} karakter (sekarang {len(value)}).",
            f"Field '{field}' must be at most {limit} characters (it has {len(value)})."))
        return None
    return value


def _coordinate(payload: Mapping[str, Any], field: str, bound: float,
                problems: list[FieldProblem]) -> float | None:
    value = payload.get(field)
    if isinstance(value, str):  # form posts send numbers as text
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            value = "invalid"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(_problem(
            field, f"Kolom '{field}' harus berupa angka.", f"Field '{field}' must be a number."))
        return None
    if not -bound <= value <= bound:
        problems.append(_problem(
            field, f"Kolom '{field}' harus di antara -{bound:g} dan {bound:g}.",
            f"Field '{field}' must be between -{bound:g} and {bound:g}."))
        return None
    return float(value)


def parse_point(payload: Mapping[str, Any], problems: list[FieldProblem]) -> GeoPoint | None:
    """A lat/lon pair from text or numbers, or None; problems are appended, not raised."""
    has_lat = payload.get("lat") not in (None, "")
    has_lon = payload.get("lon") not in (None, "")
    if not has_lat and not has_lon:
        return None
    if has_lat != has_lon:
        missing = "lon" if has_lat else "lat"
        problems.append(_problem(
            missing, "Lokasi harus berisi 'lat' dan 'lon' sekaligus.",
            "A location needs both 'lat' and 'lon'."))
        return None
    lat = _coordinate(payload, "lat", 90, problems)
    lon = _coordinate(payload, "lon", 180, problems)
    if lat is None or lon is None:
        return None
    return GeoPoint(lat=lat, lon=lon)


def normalise_phone(raw: str) -> str | None:
    """E.164 form of an Indonesian or international number, or None if it is not one."""
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _reporter(payload: Mapping[str, Any], problems: list[FieldProblem]) -> Reporter:
    name = _text(payload, "name", MAX_NAME, problems)
    phone = _text(payload, "phone", 40, problems)
    email = _text(payload, "email", 254, problems)
    if phone is not None:
        normalised = normalise_phone(phone)
        if normalised is None:
            problems.append(_problem(
                "phone", "Nomor telepon tidak valid (contoh: 0812 3456 7890).",
                "The phone number is not valid (example: 0812 3456 7890)."))
        phone = normalised
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append(_problem(
                "email", "Alamat email tidak valid.", "The email address is not valid."))
            email = None
    return Reporter(name=name, phone=phone, email=email)


def parse_intake(
    payload: Any,
    *,
    channel: str,
    wilayah: Wilayah,
    categories: Categories,
    external_id: str | None = None,
    entered_by: str | None = None,
) -> IntakeCommand:
    if not isinstance(payload, Mapping):
        raise ValidationFailed.of([_problem(
            "body", "Isi permintaan harus berupa objek JSON.",
            "The request body must be a JSON object.")])
    problems: list[FieldProblem] = []
    description = _text(payload, "description", MAX_DESCRIPTION, problems, required=True)
    category = _text(payload, "category", 64, problems)
    if category is not None and categories.get(category) is None:
        problems.append(_problem(
            "category", f"Kategori '{category}' tidak dikenal; lihat daftar kategori.",
            f"Unknown category '{category}'; see the list of categories."))
    point = parse_point(payload, problems)
    address = _text(payload, "address", MAX_ADDRESS, problems)
    kelurahan_code = _text(payload, "kelurahan_code", 20, problems)
    if kelurahan_code is not None and wilayah.kelurahan(kelurahan_code) is None:
        problems.append(_problem(
            "kelurahan_code",
            f"Kode kelurahan '{kelurahan_code}' tidak dikenal (contoh: 31.71.01.1001).",
            f"Unknown kelurahan code '{kelurahan_code}' (example: 31.71.01.1001)."))
    reporter = _reporter(payload, problems)
    if problems:
        raise ValidationFailed.of(problems)
    assert description is not None
    return IntakeCommand(
        channel=channel,
        description=description,
        category=category,
        point=point,
        address=address,
        kelurahan_code=kelurahan_code,
        reporter=reporter,
        external_id=external_id,
        entered_by=entered_by,
    )
