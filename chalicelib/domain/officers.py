"""Officers, their roles, and which reports they may see and act on.

An officer belongs to one unit. They may act on a report when their unit is the
report's responsible unit or one of its ancestors (kelurahan < kecamatan < kota <
Biro Pemerintahan; suku dinas < dinas < Biro Pemerintahan), and their role allows
the action. "Visibility follows responsibility": a report coordinated to a dinas
leaves the kelurahan's queue, though the kelurahan can still open it, since it is
located there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from chalicelib.domain.errors import DomainError
from chalicelib.domain.report import Report
from chalicelib.domain.status import Action
from chalicelib.domain.units import UnitDirectory


class Role(StrEnum):
    PETUGAS = "petugas"
    LURAH = "lurah"
    CAMAT = "camat"
    WALIKOTA = "walikota"
    SUDIN = "sudin"
    DINAS = "dinas"
    VALIDATOR = "validator"
    ADMIN = "admin"


class Forbidden(DomainError):
    kind = "forbidden"


class Officer(BaseModel):
    username: str
    role: Role
    unit: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    # How the officer wants unit alerts; email-only spares the cost of SMS.
    alerts: list[str] = ["email", "sms"]


@dataclass(frozen=True)
class RolePolicy:
    unit_kinds: frozenset[str]
    actions: frozenset[Action]


def unit_chain(units: UnitDirectory, code: str | None) -> list[str]:
    """The unit and its ancestors, nearest first: kelurahan, kecamatan, kota, biro."""
    chain: list[str] = []
    unit = units.get(code) if code else None
    while unit is not None and unit.code not in chain:
        chain.append(unit.code)
        unit = units.get(unit.parent_code) if unit.parent_code else None
    return chain


def unit_depth(units: UnitDirectory, code: str) -> int:
    """0 for the Biro Pemerintahan, 1 for kota/dinas, 2 for kecamatan/suku dinas, 3 kelurahan."""
    return len(unit_chain(units, code)) - 1


def responsible_in_scope(officer: Officer, report: Report, units: UnitDirectory) -> bool:
    return officer.role == Role.ADMIN or officer.unit in unit_chain(units, report.unit)


def can_view(officer: Officer, report: Report, units: UnitDirectory) -> bool:
    return responsible_in_scope(officer, report, units) or officer.unit in unit_chain(
        units, report.kelurahan_code)


def check_can_view(officer: Officer, report: Report, units: UnitDirectory) -> None:
    if not can_view(officer, report, units):
        raise Forbidden(
            code="bukan_wilayah_anda",
            message_id=f"Laporan {report.ticket} bukan wewenang unit Anda ({officer.unit}).",
            message_en=f"Report {report.ticket} is outside your unit's remit ({officer.unit}).",
        )


def check_can_act(officer: Officer, report: Report, action: Action, units: UnitDirectory,
                  policies: dict[Role, RolePolicy]) -> None:
    if action == Action.FOTO and report.entered_by == officer.username:
        return  # the officer who typed in a walk-in complaint attaches the citizen's photos
    check_can_view(officer, report, units)
    if action not in policies[officer.role].actions:
        raise Forbidden(
            code="peran_tidak_berwenang",
            message_id=f"Peran '{officer.role}' tidak berwenang melakukan aksi '{action}'.",
            message_en=f"The role '{officer.role}' may not take the action '{action}'.",
        )
    if not responsible_in_scope(officer, report, units):
        raise Forbidden(
            code="bukan_penanggung_jawab",
            message_id=f"Laporan {report.ticket} sedang ditangani {report.unit}; "
            "unit Anda hanya dapat melihatnya.",
            message_en=f"Report {report.ticket} is being handled by {report.unit}; "
            "your unit may only view it.",
        )
