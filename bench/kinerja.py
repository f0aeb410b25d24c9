"""The quarterly kelurahan ranking from the counters: items read and time.

50,000 reports across all units in 2026-Q3 go through the real domain (open, route, first
action, follow-up, validation, sometimes koordinasi to a suku dinas, TL Ditolak, rating)
and `kinerja_deltas`; their deltas are bulk-loaded as the day, month and quarter items the
stream would have written (KinerjaStore.put_counters; no once-only markers, no stream).
2026-Q2 gets another 50,000 reports' quarter items (the trend) and two frozen SKM results
(the IKM). Then `GET /kinerja?level=kelurahan&period=2026-Q3` is computed by the service,
twice: on the live partitions (as for a running quarter: ~330 items of Q3 plus Q2's), and
after the nightly job has frozen the ended quarters into snapshots (the path a quarterly
ranking takes once its quarter is over). The JSON line is the frozen path; the live path's
figures go to stderr.

Target: under 2,000 items read and under 1 second. Items read are what DynamoDB bills and
do not depend on moto. Seconds are a warm call (median of five) in this process, with two
moto artefacts removed (`dynamodb_like_moto`: its whole-table walk per Query and its slow
response serializer); the time with plain moto is printed too.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from in_process import moto_deps  # noqa: E402  (sets up the environment first)

from chalicelib.adapters.kinerja_store import counter_key, day_key  # noqa: E402
from chalicelib.domain.ikm import DataSkmUnit, RekapSkm, hasil_skm  # noqa: E402
from chalicelib.domain.kinerja import KinerjaCounters, kinerja_deltas  # noqa: E402
from chalicelib.domain.periods import (  # noqa: E402
    Period,
    PeriodKind,
    parse_period,
    period_of_day,
)
from chalicelib.domain.rating import rate  # noqa: E402
from chalicelib.domain.report import Reporter, apply_action, open_report  # noqa: E402
from chalicelib.domain.status import Action  # noqa: E402
from chalicelib.services.kinerja_deps import kinerja_deps  # noqa: E402
from chalicelib.services.kinerja_reconcile import freeze_periods  # noqa: E402
from chalicelib.services.kinerja_report import ranking  # noqa: E402

REPORTS = 50_000
NOW = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def one_report(i: int, period: Period, rng: random.Random, registry, responders):
    """The deltas of one report's life, change by change as the stream sees them."""
    policy = registry.default_sla
    start = period.start + timedelta(seconds=rng.randrange(int((period.end - period.start)
                                                               .total_seconds() * 0.95)))
    report, event = open_report(ticket=f"B{i:07d}", channel="jaki", description="bench",
                                now=start, policy=policy,
                                reporter=Reporter(phone=f"+62812{i:08d}"))
    deltas = kinerja_deltas(None, report, [event])
    at = start

    def step(action: Action, after: float, **kwargs):
        nonlocal report, at, deltas
        at += hours(after)
        before = report
        report, event = apply_action(before, action, actor="x", now=at, note="n", **kwargs)
        deltas += kinerja_deltas(before, report, [event])

    unit = rng.choice(responders)
    step(Action.TUGASKAN, 0.01, unit=unit)
    first = rng.expovariate(1 / 4)  # mean 4 h against the 6 h limit
    if unit.startswith("31.") and rng.random() < 0.1:
        step(Action.KOORDINASI, first, unit=f"sudin:bina-marga:{unit[:5]}")
        step(Action.PROSES, rng.expovariate(1 / 6))
    else:
        step(Action.PROSES, first)
    if rng.random() < 0.08:
        return deltas  # still open at the end of the quarter
    step(Action.SELESAI, rng.expovariate(1 / 72))
    if rng.random() < 0.1:
        step(Action.TL_DITOLAK, 2, changes={"finish_due": at + hours(74),
                                            "finish_started_at": at + hours(2)})
        step(Action.SELESAI, rng.expovariate(1 / 48))
    step(Action.VALIDASI, rng.expovariate(1 / 8))
    if rng.random() < 0.6:
        before = report
        at += hours(rng.expovariate(1 / 24))
        report, event = rate(before, rng.choice((1, 2, 3, 4, 4, 5, 5, 5)), None, at)
        deltas += kinerja_deltas(before, report, [event])
    return deltas


def counter_rows(period: Period, count: int, registry, *, days: bool, seed: int):
    """(pk, unit, period code, counters) items for `count` reports of `period`.

    Sums flat attribute amounts (what the stream's ADDs do) rather than merging objects.
    """
    rng = random.Random(seed)
    units = registry.units
    responders = [u.code for u in units.of_kind("kelurahan")] * 4 + [
        u.code for u in units.of_kind("sudin")]
    items: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for i in range(count):
        for delta in one_report(i, period, rng, registry, responders):
            if not period.contains_day(delta.day):
                continue  # spill-over into the next quarter: not this quarter's figures
            amounts = delta.counters.to_item()
            month = period_of_day(delta.day, PeriodKind.MONTH).code
            quarter = period_of_day(delta.day, PeriodKind.QUARTER).code
            items[(counter_key(PeriodKind.QUARTER, quarter), delta.unit, quarter)].update(amounts)
            if days:
                items[(counter_key(PeriodKind.MONTH, month), delta.unit, month)].update(amounts)
                items[(day_key(delta.day), delta.unit, delta.day.isoformat())].update(amounts)
    return [(pk, unit, code, KinerjaCounters.from_item(amounts))
            for (pk, unit, code), amounts in items.items()]


def skm_results(registry, period: str, seed: int):
    rng = random.Random(seed)
    results = []
    for unit in registry.units.of_kind("kelurahan"):
        rows = [[0, 0, 0, 0] for _ in range(9)]
        answered = rng.randrange(20, 90)
        for row in rows:
            for _ in range(answered):
                row[rng.choice((1, 2, 2, 3, 3, 3))] += 1
        rekap = RekapSkm(tuple(tuple(r) for r in rows), answered)
        results.append(hasil_skm(DataSkmUnit(unit.code, rekap, 120, 90), period))
    return results


@contextmanager
def dynamodb_like_moto() -> Iterator[None]:
    """Take two moto artefacts out of the timing; DynamoDB has neither.

    1. A Query on the table walks and sorts every item of the table (O(table)), where
       DynamoDB goes to the one partition: here the walk is given just that partition.
    2. moto 5.2 passes every response through a generic, model-driven serializer that costs
       about 0.2 ms per attribute value (~9 s for one page of 333 quarter items with their
       sketch buckets); here moto's result, already DynamoDB JSON, is dumped as JSON.
    botocore still parses every answer, and the items read do not change.
    """
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    original_query, original_result = Table.query, DynamoResult.execute_result

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        partition = list(self.items[hash_key].values()) if hash_key in self.items else []
        self.all_items = lambda: partition  # shadows the method for this call only
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    def execute_result(self: Any, context: Any) -> Any:
        try:
            body = json.dumps(self.result)
        except TypeError:  # binary values: moto's own way
            return original_result(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    Table.query, DynamoResult.execute_result = query, execute_result  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query, DynamoResult.execute_result = original_query, original_result  # type: ignore[method-assign]


def timed(deps, runs: int) -> tuple[dict, list[float]]:
    timings, result = [], {}
    for _ in range(runs):
        begun = time.perf_counter()
        result = ranking(deps, "kelurahan", "2026-Q3")
        timings.append(time.perf_counter() - begun)
    return result, timings


def main() -> None:
    with moto_deps(NOW) as deps:
        store = kinerja_deps(deps).counters
        started = time.perf_counter()
        rows = counter_rows(parse_period("2026-Q3"), REPORTS, deps.registry, days=True, seed=7)
        rows += counter_rows(parse_period("2026-Q2"), REPORTS, deps.registry, days=False,
                             seed=8)
        simulated = time.perf_counter() - started
        written = store.put_counters(rows)
        for quarter in ("2026-Q1", "2026-Q2"):
            kinerja_deps(deps).skm.put_results(quarter, skm_results(deps.registry, quarter, 9),
                                               NOW)
        print(f"simulated 2 x {REPORTS} reports in {simulated:.1f}s; wrote {written} counter "
              f"items in {time.perf_counter() - started - simulated:.1f}s", file=sys.stderr)

        live, [plain_moto] = timed(deps, 1)
        with dynamodb_like_moto():
            _, live_timings = timed(deps, 6)  # the first warms the container's caches
            # The nightly job of 1 July and 1 October froze the quarters that had ended.
            for day in (date(2026, 6, 30), date(2026, 9, 30)):
                freeze_periods(deps, day)
            result, timings = timed(deps, 6)
        assert result["tabel"] == live["tabel"] and result["unit"] == live["unit"]
        jakarta = next(t for t in result["tabel"] if t["lingkup"] == "kelurahan_jakarta")
        ranked = [p for p in jakarta["posisi"] if p["peringkat"] is not None]
        print(f"{len(ranked)} of {len(jakarta['posisi'])} kelurahan ranked, best "
              f"{ranked[0]['nama']} ({ranked[0]['skor']}).\n"
              f"Live partitions (a running quarter, or before the nightly freeze): "
              f"{live['dibaca']['items']} items in {live['dibaca']['requests']} requests, "
              f"{statistics.median(live_timings[1:]):.3f}s (plain moto: {plain_moto:.1f}s).\n"
              f"Frozen quarters (after the nightly job): {result['dibaca']['items']} items in "
              f"{result['dibaca']['requests']} requests.", file=sys.stderr)
        print(json.dumps({"reports": REPORTS, "items_read": result["dibaca"]["items"],
                          "seconds": round(statistics.median(timings[1:]), 3)}))


if __name__ == "__main__":
    main()
