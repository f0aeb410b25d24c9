"""Loads the registries that vary by data (regions, units, categories, channels).

Loaded once per Lambda container (cached); the files live in chalicelib/data so
they ship with the deployment package.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chalicelib.domain.categories import Categories, Category, SlaPolicy
from chalicelib.domain.channels import Channel
from chalicelib.domain.officers import Officer, Role, RolePolicy
from chalicelib.domain.status import Action
from chalicelib.domain.units import Opd, UnitDirectory
from chalicelib.domain.wilayah import Wilayah, WilayahRow

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Registry:
    wilayah: Wilayah
    units: UnitDirectory
    categories: Categories
    channels: dict[str, Channel]
    role_policies: dict[Role, RolePolicy]
    default_sla: SlaPolicy

    def sla_policy(self, category_id: str | None) -> SlaPolicy:
        category = self.categories.get(category_id) if category_id else None
        return category.sla if category else self.default_sla


def _json(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_wilayah(path: Path = DATA_DIR / "wilayah.csv") -> Wilayah:
    with path.open(encoding="utf-8", newline="") as handle:
        return Wilayah(WilayahRow(**row) for row in csv.DictReader(handle))


def _holidays() -> list[str]:
    return [day for key, days in _json("holidays.json").items() if key.isdigit() for day in days]


def _category(row: dict[str, Any], holidays: list[str]) -> Category:
    category = Category(**row)
    if category.sla.calendar == "working":  # working-hours policies skip the holidays
        category = category.model_copy(update={"sla": SlaPolicy(
            **{**category.sla.model_dump(), "holidays": holidays})})
    return category


@cache
def registry() -> Registry:
    wilayah = load_wilayah()
    opds = [Opd(**row) for row in _json("opd.json")]
    holidays = _holidays()
    return Registry(
        wilayah=wilayah,
        units=UnitDirectory(wilayah, opds),
        categories=Categories([_category(row, holidays) for row in _json("categories.json")]),
        default_sla=SlaPolicy(),
        channels={c.id: c for c in (Channel(**row) for row in _json("channels.json"))},
        role_policies={
            Role(name): RolePolicy(frozenset(row["unit_kinds"]),
                                   frozenset(Action(a) for a in row["actions"]))
            for name, row in _json("roles.json")["roles"].items()
        },
    )


def demo_officers() -> list[Officer]:
    """The demo accounts of the local stack and the tests (listed in the README)."""
    return [Officer(**row) for row in _json("demo_officers.json")]
