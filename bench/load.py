"""A flood day through the local stack: 5x Jakarta's average day (508 reports) sent as
fast as the stack takes them, across channels, with photos and redeliveries.

Channels: the Balai Warga form (JSON and form-encoded), walk-ins typed in by an officer
at a kantor kelurahan (who also uploads a photo for some), and the JAKI / LAPOR! partner
APIs (HMAC-signed), each partner message delivered twice, as webhooks are. Afterwards
every acknowledged ticket is read back (lost = acknowledged but missing), every
redelivery must have returned the first ticket (duplicated = one message, two tickets),
and the routing lag is read from each report's own history (assigned minus received).
Last line: {"sent", "accepted", "lost", "duplicated", "p99_ms", "routing_lag_p99_ms"}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_stack import local_stack  # noqa: E402

AVERAGE_DAY = 508  # 2024: 185,852 reports
REPORTS = int(os.environ.get("BENCH_REPORTS", str(5 * AVERAGE_DAY)))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PHOTO_EVERY = 10  # one walk-in in ten comes with a photo
PASSWORD = "Jakarta-Demo-2026"
KELURAHAN = ["31.71.01.1001", "31.71.06.1001", "31.74.01.1003", "31.72.01.1001",
             "31.73.01.1001", "31.75.01.1001"]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40_000  # a 40 kB "photo"


def partner_headers(channel: str, body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    secret = f"crm-local-{channel}-secret".encode()  # the documented local default
    digest = hmac.new(secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-CRM-Key-Id": channel,
            "X-CRM-Timestamp": stamp, "X-CRM-Signature": f"sha256={digest}"}


class Flood:
    def __init__(self, url: str) -> None:
        self.url = url
        answer = requests.post(f"{url}/auth/login", timeout=30,
                               json={"username": "lurah.gambir", "password": PASSWORD})
        self.officer = {"Authorization": f"Bearer {answer.json()['id_token']}"}

    def send(self, session: requests.Session, n: int) -> tuple[str, list[dict]]:
        """One citizen message (and its redelivery, for partners); returns the answers."""
        text = f"Laporan banjir nomor {n}: air setinggi lutut di jalan"
        kelurahan = KELURAHAN[n % len(KELURAHAN)]
        kind = ("json", "form", "walk-in", "jaki", "lapor")[n % 5]
        if kind == "json":
            return kind, [session.post(f"{self.url}/channels/balai-warga", timeout=60, json={
                "description": text, "category": "banjir", "kelurahan_code": kelurahan,
                "phone": "081298765432"})]
        if kind == "form":
            return kind, [session.post(f"{self.url}/channels/balai-warga", timeout=60, data={
                "description": text, "kelurahan_code": kelurahan, "email": "warga@example.id"})]
        if kind == "walk-in":
            answer = session.post(f"{self.url}/channels/kelurahan", timeout=60,
                                  headers=self.officer,
                                  json={"description": text, "category": "saluran-air"})
            if n % PHOTO_EVERY == 2 and answer.status_code == 201:
                self.photo(session, answer.json()["ticket"])
            return kind, [answer]
        body = json.dumps({"id": f"{kind}-{n}", "text": text, "kelurahan_code": kelurahan,
                           "reporter": {"name": "Warga", "phone": "081298765432"}}).encode()
        url = f"{self.url}/channels/{kind}"
        first = session.post(url, data=body, headers=partner_headers(kind, body), timeout=60)
        again = session.post(url, data=body, headers=partner_headers(kind, body), timeout=60)
        return kind, [first, again]

    def photo(self, session: requests.Session, ticket: str) -> None:
        form = session.post(f"{self.url}/officer/reports/{ticket}/photos", timeout=60,
                            headers=self.officer,
                            json={"kind": "before", "content_type": "image/jpeg"}).json()
        session.post(form["url"], data=form["fields"], timeout=60,
                     files={"file": ("foto.jpg", JPEG, "image/jpeg")})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def main() -> None:
    extra = {"CRM_RATE_PER_IP": "100000", "CRM_RATE_PER_CHANNEL": "100000"}
    with local_stack(extra) as url:
        flood = Flood(url)
        accepted: dict[str, dict] = {}
        duplicated = sent = 0
        timings: list[float] = []
        failures: list[str] = []

        def worker(offset: int) -> None:
            nonlocal duplicated, sent
            session = requests.Session()
            for n in range(offset, REPORTS, CLIENTS):
                started = time.perf_counter()
                kind, answers = flood.send(session, n)
                timings.append((time.perf_counter() - started) * 1000 / len(answers))
                sent += len(answers)
                if any(a.status_code >= 300 for a in answers):
                    failures.append(f"{kind}: {answers[0].status_code} {answers[0].text[:200]}")
                    continue
                tickets = {a.json()["ticket"] for a in answers}
                duplicated += len(tickets) - 1
                first = answers[0].json()
                accepted[first["ticket"]] = first

        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(worker, range(CLIENTS)))
        elapsed = time.perf_counter() - started
        time.sleep(3)  # let the stream pump finish routing

        lost, lags = 0, []
        session = requests.Session()
        for ticket, filed in accepted.items():
            answer = session.get(f"{url}/reports/{ticket}", timeout=60,
                                 params={"token": filed["tracking_token"]})
            if answer.status_code != 200:
                lost += 1
                continue
            history = answer.json()["history"]
            at = {h["action"]: datetime.fromisoformat(h["at"]["utc"].replace("Z", "+00:00"))
                  for h in history}
            if "tugaskan" in at:
                lags.append((at["tugaskan"] - at["terima"]).total_seconds() * 1000)
    result = {"sent": sent, "accepted": len(accepted), "lost": lost, "duplicated": duplicated,
              "p99_ms": round(percentile(timings, 0.99), 1),
              "routing_lag_p99_ms": round(percentile(lags, 0.99), 1)}
    print(f"{REPORTS} citizen messages ({sent} requests with redeliveries) in {elapsed:.1f} s "
          f"= {REPORTS / elapsed:.1f}/s; the flood day's 1 hour needs {REPORTS / 3600:.2f}/s")
    print(f"routed {len(lags)} of {len(accepted)}; refused: {len(failures)}"
          + (f" (first: {failures[0]})" if failures else ""))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
