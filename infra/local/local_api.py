"""`/_local/...`: what the stack itself serves next to the app (never deployed to AWS)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from chalicelib.adapters import clock
from infra.local.faults import CONTROL_PATH
from infra.local.outbox import read_outbox
from infra.local.scheduler import Scheduler

Response = tuple[int, dict[str, Any]]

ENDPOINTS = [
    "GET  /_local/status              pumps, schedules, AWS endpoint, data dir",
    "GET  /_local/outbox[?to=&channel=] what SES/SNS would have delivered",
    "GET  /_local/schedules           scheduled handlers and their next fire time (UTC)",
    "POST /_local/schedules/<name>    fire one now; answers with its result",
    "GET  /_local/clock               the app's clock (UTC) and how far it was moved",
    "POST /_local/clock?advance_minutes=N  move the app's clock forward (time travel)",
    "GET  /_local/faults              faults injected into moto (AWS) now",
    "POST /_local/faults?service=dynamodb&error=throttle|5xx[&actions=A,B&count=N&every=N"
    "&after=1]  make AWS fail (see infra/local/faults.py)",
    "DELETE /_local/faults            clear every fault",
]


class LocalApi:
    def __init__(self, scheduler: Scheduler, data_dir: Path,
                 status: Callable[[], dict[str, Any]], aws_endpoint: str | None = None) -> None:
        self._aws_endpoint = aws_endpoint
        self._scheduler = scheduler
        self._data_dir = data_dir
        self._status = status

    def handle(self, method: str, path: str, query: dict[str, list[str]]) -> Response:
        parts = [part for part in path.split("/") if part][1:]  # drop "_local"
        if not parts:
            return self._only(method, "GET") or (200, {"endpoints": ENDPOINTS})
        resource, rest = parts[0], parts[1:]
        if resource == "status" and not rest:
            return self._only(method, "GET") or (200, self._status())
        if resource == "outbox" and not rest:
            return self._only(method, "GET") or (200, {"messages": read_outbox(
                self._data_dir, to=_first(query, "to"), channel=_first(query, "channel"))})
        if resource == "schedules" and not rest:
            return self._only(method, "GET") or (200, {"schedules": self._scheduler.describe()})
        if resource == "schedules" and len(rest) == 1:
            if rest[0] not in self._scheduler.names:
                return 404, {"error": f"no schedule named {rest[0]!r}",
                             "schedules": self._scheduler.names}
            return self._only(method, "POST") or (200, self._scheduler.fire(rest[0]))
        if resource == "clock" and not rest:
            return self._clock(method, query)
        if resource == "faults" and not rest:
            return self._faults(method, query)
        return 404, {"error": f"nothing at {path}", "endpoints": ENDPOINTS}

    @staticmethod
    def _clock(method: str, query: dict[str, list[str]]) -> Response:
        """Time travel for SLA demos and tests: the app's clock moves, AWS's does not."""
        if method == "POST":
            try:
                minutes = float(_first(query, "advance_minutes") or "")
            except ValueError:
                return 400, {"error": "give advance_minutes=<number of minutes, >= 0>"}
            if not 0 <= minutes <= 366 * 24 * 60:
                return 400, {"error": "advance_minutes must be between 0 and a year"}
            clock.travel(timedelta(minutes=minutes))
        elif method != "GET":
            return 405, {"error": "use GET or POST"}
        return 200, {"now": clock.now().isoformat(),
                     "offset_seconds": clock.offset().total_seconds()}

    def _faults(self, method: str, query: dict[str, list[str]]) -> Response:
        """Forwarded to the moto child, which holds the plan (infra/local/faults.py)."""
        if self._aws_endpoint is None:
            return 404, {"error": "no AWS process to inject faults into"}
        if method not in ("GET", "POST", "DELETE"):
            return 405, {"error": "use GET, POST or DELETE"}
        body = json.dumps({k: v[0] for k, v in query.items()}).encode() \
            if method == "POST" else None
        request = urllib.request.Request(self._aws_endpoint + CONTROL_PATH, data=body,
                                         method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    @staticmethod
    def _only(method: str, allowed: str) -> Response | None:
        if method == allowed:
            return None
        return 405, {"error": f"use {allowed}"}


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None
