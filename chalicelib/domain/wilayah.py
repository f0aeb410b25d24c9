"""Jakarta's administrative regions: 6 kota/kabupaten, 44 kecamatan, 267 kelurahan.

Codes follow Kemendagri: `31.71` kota, `31.71.01` kecamatan, `31.71.01.1001` kelurahan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # "kota" | "kecamatan" | "kelurahan"
    parent_code: str | None


@dataclass(frozen=True)
class WilayahRow:
    kelurahan_code: str
    kelurahan: str
    kecamatan_code: str
    kecamatan: str
    kota_code: str
    kota: str


class Wilayah:
    """Lookup of regions by code, with their parents."""

    def __init__(self, rows: Iterable[WilayahRow]) -> None:
        self._regions: dict[str, Region] = {}
        for row in rows:
            self._add(Region(row.kota_code, row.kota, "kota", None))
            self._add(Region(row.kecamatan_code, row.kecamatan, "kecamatan", row.kota_code))
            self._add(Region(row.kelurahan_code, row.kelurahan, "kelurahan", row.kecamatan_code))

    def _add(self, region: Region) -> None:
        existing = self._regions.get(region.code)
        if existing is not None and existing != region:
            raise ValueError(f"conflicting rows for region {region.code}: {existing} vs {region}")
        self._regions[region.code] = region

    def get(self, code: str) -> Region | None:
        return self._regions.get(code)

    def kelurahan(self, code: str) -> Region | None:
        region = self._regions.get(code)
        return region if region is not None and region.level == "kelurahan" else None

    def of_level(self, level: str) -> list[Region]:
        return sorted((r for r in self._regions.values() if r.level == level), key=lambda r: r.code)

    def ancestors(self, code: str) -> list[Region]:
        """The region itself, then its kecamatan and kota, nearest first."""
        chain: list[Region] = []
        region = self._regions.get(code)
        while region is not None:
            chain.append(region)
            region = self._regions.get(region.parent_code) if region.parent_code else None
        return chain
