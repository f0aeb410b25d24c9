"""The units that receive, handle and answer for reports.

Unit codes are stable strings used in queues, routing and rankings:
- kelurahan, kecamatan and kota use their Kemendagri codes (`31.71.01.1001`, `31.71.01`, `31.71`);
- an OPD (dinas) is `opd:<id>`, e.g. `opd:bina-marga`;
- a suku dinas is `sudin:<opd id>:<kota code>`, e.g. `sudin:bina-marga:31.71`;
- the Biro Pemerintahan (triage, validation, last escalation step) is `biro-pemerintahan`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.wilayah import Wilayah

BIRO_PEMERINTAHAN = "biro-pemerintahan"


@dataclass(frozen=True)
class Opd:
    id: str
    name: str
    short_name: str
    has_sudin: bool = True


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # kelurahan | kecamatan | kota | opd | sudin | biro
    parent_code: str | None


def opd_code(opd_id: str) -> str:
    return f"opd:{opd_id}"


def sudin_code(opd_id: str, kota_code: str) -> str:
    return f"sudin:{opd_id}:{kota_code}"


class UnitDirectory:
    """Every unit of Pemprov DKI Jakarta the system can assign a report to."""

    def __init__(self, wilayah: Wilayah, opds: list[Opd]) -> None:
        self._units: dict[str, Unit] = {}
        self._add(Unit(BIRO_PEMERINTAHAN, "Biro Pemerintahan Setda Provinsi DKI Jakarta", "biro",
                       None))
        for kota in wilayah.of_level("kota"):
            self._add(Unit(kota.code, kota.name, "kota", BIRO_PEMERINTAHAN))
        for kec in wilayah.of_level("kecamatan"):
            self._add(Unit(kec.code, f"Kecamatan {kec.name}", "kecamatan", kec.parent_code))
        for kel in wilayah.of_level("kelurahan"):
            self._add(Unit(kel.code, f"Kelurahan {kel.name}", "kelurahan", kel.parent_code))
        for opd in opds:
            self._add(Unit(opd_code(opd.id), opd.name, "opd", BIRO_PEMERINTAHAN))
            if opd.has_sudin:
                for kota in wilayah.of_level("kota"):
                    short = kota.name.replace("Kota Administrasi ", "").replace(
                        "Kabupaten Administrasi ", "")
                    self._add(Unit(sudin_code(opd.id, kota.code),
                                   f"Suku Dinas {opd.short_name} {short}", "sudin",
                                   opd_code(opd.id)))

    def _add(self, unit: Unit) -> None:
        if unit.code in self._units:
            raise ValueError(f"duplicate unit code {unit.code}")
        self._units[unit.code] = unit

    def get(self, code: str) -> Unit | None:
        return self._units.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __len__(self) -> int:
        return len(self._units)

    def of_kind(self, kind: str) -> list[Unit]:
        return sorted((u for u in self._units.values() if u.kind == kind), key=lambda u: u.code)
