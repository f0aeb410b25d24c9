"""Duplicate candidate search cost: with many open reports across Jakarta, a new report's
search must read only its nine geohash cells (target: under 200 items).

Against moto in process. moto answers an index query by walking the whole table, so
the milliseconds here measure moto, not DynamoDB; items read is the real figure.
Last line: {"open", "items_read", "ms_p99"} (items_read is the worst search).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from in_process import moto_deps  # noqa: E402  (sets up the environment first)

from chalicelib.domain.report import GeoPoint, apply_action, open_report  # noqa: E402
from chalicelib.domain.status import Action  # noqa: E402
from chalicelib.domain.ticket import new_ticket  # noqa: E402
from chalicelib.services.duplicates import candidates_for  # noqa: E402

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
# Mainland Jakarta's bounding box
SOUTH, NORTH, WEST, EAST = -6.37, -6.08, 106.69, 106.97
SEARCHES = 200


def random_point(rnd: random.Random) -> GeoPoint:
    return GeoPoint(lat=rnd.uniform(SOUTH, NORTH), lon=rnd.uniform(WEST, EAST))


def reports(count: int, registry, rnd: random.Random):
    categories = [c.id for c in registry.categories.all()]
    for i in range(count):
        filed = NOW - timedelta(minutes=rnd.randrange(14 * 24 * 60))
        report, _ = open_report(ticket=new_ticket(rnd.randrange), channel="jaki",
                                description="bench", now=filed, policy=registry.default_sla,
                                point=random_point(rnd), category=categories[i % len(categories)])
        report, _ = apply_action(report, Action.TUGASKAN, actor="sistem", now=filed,
                                 unit="biro-pemerintahan")
        yield report


def main() -> None:
    count = int(os.environ.get("BENCH_OPEN", "100000"))
    rnd = random.Random(2026)
    with moto_deps(NOW) as deps:
        started = time.perf_counter()
        deps.store.import_reports(reports(count, deps.registry, rnd))
        print(f"loaded {count} open reports in {time.perf_counter() - started:.1f}s")
        worst_reads, timings = 0, []
        categories = [c.id for c in deps.registry.categories.all()]
        for ticket_rnd in range(SEARCHES):
            new, _ = open_report(ticket=new_ticket(rnd.randrange), channel="jaki",
                                 description="baru", now=NOW, policy=deps.registry.default_sla,
                                 point=random_point(rnd), category=categories[ticket_rnd % 19])
            before = deps.store.reads
            started = time.perf_counter()
            candidates_for(deps, new)
            timings.append((time.perf_counter() - started) * 1000)
            worst_reads = max(worst_reads, deps.store.reads - before)
        timings.sort()
        print(f"{SEARCHES} searches: worst items read {worst_reads}, "
              f"p50 {timings[len(timings) // 2]:.1f} ms (moto)")
        print(json.dumps({"open": count, "items_read": worst_reads,
                          "ms_p99": round(timings[int(len(timings) * 0.99) - 1], 1)}))


if __name__ == "__main__":
    main()
