"""The kinerja counter store and the SKM store that go with a `Deps`.

Built once per `Deps` (once per Lambda container; once per test, whose fixture builds a
fresh `Deps` inside moto), like channel_deps, so `Deps` itself stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.kinerja_store import KinerjaStore
from chalicelib.adapters.skm_store import SkmStore
from chalicelib.services.deps import Deps


@dataclass(frozen=True)
class KinerjaDeps:
    counters: KinerjaStore
    skm: SkmStore


_built: tuple[Deps, KinerjaDeps] | None = None


def kinerja_deps(deps: Deps) -> KinerjaDeps:
    """The stores that go with `deps` (rebuilt when `deps` is another object)."""
    global _built
    if _built is None or _built[0] is not deps:
        s = deps.settings
        _built = (deps, KinerjaDeps(
            counters=KinerjaStore(s.table_name, s.region, host=s.endpoint_url),
            skm=SkmStore(s.table_name, s.region, host=s.endpoint_url)))
    return _built[1]
