"""SLA sweep cost against the number of open reports: it must stay flat.

For 1k, 10k and 100k open reports of which 50 are overdue, one sweep's items read,
requests made and time, against moto in process with the local stack's patches
(infra/local/moto_patches.py: O(1) transactions; infra/local/moto_query.py: a Query
reads only its partition and, on an index, only the sort key range it asks for, as
DynamoDB does). Items read and requests are what DynamoDB bills; with the patches the
seconds stay flat too (plain moto sorts every item of the table on each Query).
Prints one JSON line per size; the last line is the JSON for the largest.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from in_process import moto_deps  # noqa: E402  (sets up the environment first)

from chalicelib.domain.report import apply_action, open_report  # noqa: E402
from chalicelib.domain.status import Action  # noqa: E402
from chalicelib.domain.ticket import new_ticket  # noqa: E402
from chalicelib.services.sla_sweep import sweep  # noqa: E402

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
OVERDUE = 50


def reports(count: int, registry):
    """`count` open, assigned reports; the first OVERDUE were filed 7 hours ago."""
    kelurahan = [r.code for r in registry.wilayah.of_level("kelurahan")]
    policy = registry.default_sla
    for i in range(count):
        filed = NOW - timedelta(hours=7) if i < OVERDUE else NOW - timedelta(minutes=i % 200)
        report, _ = open_report(ticket=new_ticket(), channel="jaki", description="bench",
                                now=filed, policy=policy, kelurahan_code=kelurahan[i % 267])
        report, _ = apply_action(report, Action.TUGASKAN, actor="sistem", now=filed,
                                 unit=report.kelurahan_code)
        yield report


def measure(count: int) -> dict:
    with moto_deps(NOW) as deps:
        loaded = time.perf_counter()
        deps.store.import_reports(reports(count, deps.registry))
        print(f"  loaded {count} open reports in {time.perf_counter() - loaded:.1f}s",
              file=sys.stderr)
        result = sweep(deps)
        # The overdue reports were due for the warning and the breach; a second sweep at the
        # same time finds nothing: what was done left the due window.
        assert result.steps == 2 * OVERDUE, result
        assert sweep(deps).due == 0
        return {"open": count, "overdue": OVERDUE, "items_read": result.items_read,
                "requests": result.requests, "seconds": result.seconds}


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    for size in sizes:
        print(json.dumps(measure(size)), flush=True)


if __name__ == "__main__":
    main()
