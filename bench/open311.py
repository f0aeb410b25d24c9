"""Open311 `GET requests` cost: a year of reports (open and closed), paged newest first
through the created index. What a page reads must follow the page's depth in the
window and its filters, never the size of the table (target: page 1 under 200 items).

Against moto in process: milliseconds measure moto; items read (index items the
Queries evaluated, before filters) is the figure that prices DynamoDB.
Last line: {"reports", "items_read_page1", "items_read_page20", "items_read_filtered",
"ms_p99"}.
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

from chalicelib.domain.report import open_report  # noqa: E402
from chalicelib.domain.status import Status  # noqa: E402
from chalicelib.domain.ticket import new_ticket  # noqa: E402
from chalicelib.services.open311 import list_requests  # noqa: E402

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
STATUSES = (Status.MENUNGGU, Status.PROSES, Status.SELESAI, Status.SELESAI, Status.DITOLAK)
REPEATS = 20


def reports(count: int, registry, rnd: random.Random):
    categories = [c.id for c in registry.categories.all()]
    for i in range(count):
        filed = NOW - timedelta(minutes=rnd.randrange(365 * 24 * 60))
        report, _ = open_report(ticket=new_ticket(rnd.randrange), channel="jaki",
                                description="bench", now=filed, policy=registry.default_sla,
                                category=categories[i % len(categories)],
                                kelurahan_code="31.71.01.1001")
        yield report.model_copy(update={"status": rnd.choice(STATUSES)})


def measure(deps, params: dict[str, str]) -> tuple[int, list[float], int]:
    reads, timings, listed = 0, [], 0
    for _ in range(REPEATS):
        before = deps.store.reads
        started = time.perf_counter()
        listed = len(list_requests(deps, params).requests)
        timings.append((time.perf_counter() - started) * 1000)
        reads = deps.store.reads - before
    return reads, timings, listed


def main() -> None:
    count = int(os.environ.get("BENCH_REPORTS", "100000"))
    rnd = random.Random(2026)
    with moto_deps(NOW) as deps:
        started = time.perf_counter()
        deps.store.import_reports(reports(count, deps.registry, rnd))
        print(f"loaded {count} reports filed over a year in {time.perf_counter() - started:.1f}s")
        figures, timings = {}, []
        cases = {"page1": {}, "page20": {"page": "20"},
                 "filtered": {"service_code": "sampah", "status": "closed", "page": "2"}}
        for name, params in cases.items():
            reads, times, listed = measure(deps, {"page_size": "50", **params})
            figures[f"items_read_{name}"] = reads
            timings += times
            print(f"{name}: {listed} requests listed, {reads} index items read, "
                  f"p50 {sorted(times)[len(times) // 2]:.1f} ms (moto)")
        timings.sort()
        print(json.dumps({"reports": count, **figures,
                          "ms_p99": round(timings[int(len(timings) * 0.99) - 1], 1)}))


if __name__ == "__main__":
    main()
