"""Intake throughput and latency through the local stack's HTTP API.

N concurrent clients file reports on the Balai Warga channel (each acknowledged
answer means: validated, written to DynamoDB in one transaction, journaled and
fsynced by the local stack); then the same clients hit GET /health, for
comparison, in the same run. Last line: one JSON object.
Target on 2 cores: >= 100 reports/s, p99 <= 200 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_stack import local_stack  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REPORTS = int(os.environ.get("BENCH_REPORTS", "1000"))
KELURAHAN = ["31.71.01.1001", "31.71.06.1001", "31.74.01.1003", "31.72.01.1001",
             "31.73.01.1001", "31.75.01.1001"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(url: str, count: int, make_request) -> tuple[float, list[float]]:
    def worker(offset: int) -> list[float]:
        session, timings = requests.Session(), []
        for n in range(offset, count, CLIENTS):
            started = time.perf_counter()
            answer = make_request(session, n)
            timings.append((time.perf_counter() - started) * 1000)
            if answer.status_code >= 300:
                raise RuntimeError(f"{answer.status_code}: {answer.text[:300]}")
        return timings

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        timings = [t for part in pool.map(worker, range(CLIENTS)) for t in part]
    return count / (time.perf_counter() - started), timings


def main() -> None:
    # The clients all come from 127.0.0.1: lift the per-IP limit, measure the app.
    with local_stack({"CRM_RATE_PER_IP": "100000", "CRM_RATE_PER_CHANNEL": "100000"}) as url:
        def file(session: requests.Session, n: int) -> requests.Response:
            return session.post(f"{url}/channels/balai-warga", timeout=30, json={
                "description": f"Laporan uji beban nomor {n}: jalan berlubang",
                "category": "jalan-rusak", "kelurahan_code": KELURAHAN[n % len(KELURAHAN)],
                "phone": "081298765432"})

        def health(session: requests.Session, n: int) -> requests.Response:
            return session.get(f"{url}/health", timeout=30)

        run(url, CLIENTS * 5, file)  # warm up: the first calls build the app's clients
        reports_per_s, timings = run(url, REPORTS, file)
        health_per_s, health_timings = run(url, REPORTS, health)
    result = {
        "reports_per_s": round(reports_per_s, 1),
        "p50_ms": round(statistics.median(timings), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "health_per_s": round(health_per_s, 1),
        "health_p99_ms": round(percentile(health_timings, 0.99), 1),
        "clients": CLIENTS,
        "reports": REPORTS,
    }
    print(f"{REPORTS} reports from {CLIENTS} clients: {result['reports_per_s']}/s, "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
