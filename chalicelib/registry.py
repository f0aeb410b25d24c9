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

from chalicelib.domain.categories import Categories, Category
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


def _json(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_wilayah(path: Path = DATA_DIR / "wilayah.csv") -> Wilayah:
    with path.open(encoding="utf-8", newline="") as handle:
        return Wilayah(WilayahRow(**row) for row in csv.DictReader(handle))


@cache
def registry() -> Registry:
    wilayah = load_wilayah()
    opds = [Opd(**row) for row in _json("opd.json")]
    return Registry(
        wilayah=wilayah,
        units=UnitDirectory(wilayah, opds),
        categories=Categories([Category(**row) for row in _json("categories.json")]),
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
