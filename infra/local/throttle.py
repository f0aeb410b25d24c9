"""Request rate limits of the local stack, the stand-in for API Gateway throttling (usage
plans per channel) and WAF's rate-based rule per client IP in AWS.

A token bucket per key: `rate` requests per second on average, bursts up to `burst`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens added per second
    burst: float  # bucket size


class Throttle:
    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self._limit, self._clock, self._max_keys = limit, clock, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self._limit.burst, now))
            tokens = min(self._limit.burst, tokens + (now - last) * self._limit.rate)
            allowed = tokens >= 1
            if len(self._buckets) >= self._max_keys and key not in self._buckets:
                self._buckets.clear()  # forget idle clients rather than grow without bound
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            return allowed


class RequestLimits:
    """Per client IP for every request; per channel for `/channels/<id>` intake."""

    def __init__(self, per_ip: Limit, per_channel: Limit) -> None:
        self._ip, self._channel = Throttle(per_ip), Throttle(per_channel)

    def allow(self, client_ip: str, path: str) -> bool:
        if path.startswith("/_local"):
            return True
        if not self._ip.allow(client_ip):
            return False
        parts = path.split("/")
        if len(parts) >= 3 and parts[1] == "channels":
            return self._channel.allow(parts[2])
        return True
