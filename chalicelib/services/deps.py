"""The collaborators a use case needs, built once per Lambda container.

Tests build their own `Deps` (with a fixed clock, a moto-backed store) instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from chalicelib.adapters.store import ReportStore
from chalicelib.config import Settings, settings
from chalicelib.registry import Registry, registry


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    store: ReportStore
    registry: Registry
    settings: Settings
    clock: Callable[[], datetime] = system_clock


def build_deps(config: Settings) -> Deps:
    store = ReportStore(config.table_name, config.region, host=config.endpoint_url,
                        due_shards=config.due_shards)
    return Deps(store=store, registry=registry(), settings=config)


_override: Deps | None = None


@cache
def _from_environment() -> Deps:
    return build_deps(settings())


def default_deps() -> Deps:
    """The Deps of this process: built from the environment, unless a test installed its own."""
    return _override if _override is not None else _from_environment()


def override_deps(deps: Deps | None) -> None:
    """Install (or with None, remove) the Deps that handlers use. For tests."""
    global _override
    _override = deps
