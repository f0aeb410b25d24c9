"""Retention: reporter contact is kept only as long as it is needed.

After the retention period the name, phone and email of the reporter and of every
follower are removed; the complaint itself, its history and its place stay, so
statistics and rankings do not change.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.store import Loaded
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.report import Reporter
from chalicelib.domain.timefmt import utc_iso
from chalicelib.services.deps import Deps

DEFAULT_RETENTION_DAYS = 730


def anonymise_older_than(deps: Deps, days: int = DEFAULT_RETENTION_DAYS) -> dict[str, int]:
    cutoff = utc_iso(deps.clock() - timedelta(days=days))
    reports = followers = 0
    for loaded in deps.store.reports_created_before(cutoff):
        if _anonymise(deps, loaded):
            reports += 1
        followers += deps.store.forget_followers(loaded.report.ticket)
    return {"reports": reports, "followers": followers}


def _anonymise(deps: Deps, loaded: Loaded) -> bool:
    for _ in range(3):
        if loaded.report.reporter == Reporter():
            return False
        try:
            deps.store.update(loaded, loaded.report.model_copy(update={"reporter": Reporter()}),
                              [])
            return True
        except ConcurrentUpdate:
            fresh = deps.store.load(loaded.report.ticket)
            if fresh is None:
                return False
            loaded = fresh
    return False
