"""Slowing down password guessing without telling anyone whether an account exists.

The first few failures cost nothing (people mistype); after that each further try
must wait twice as long as the last, up to five minutes. A success clears the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_FAILURES = 3
MAX_WAIT_SECONDS = 300
# Failures older than this are forgotten (the store expires them by TTL).
FORGET_AFTER = timedelta(minutes=30)


def wait_seconds(failures: int) -> int:
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** (failures - FREE_FAILURES))


def retry_after(failures: int, last_failure: datetime | None, now: datetime) -> int:
    """Seconds the caller must still wait before the next attempt (0: go ahead)."""
    if last_failure is None or now - last_failure > FORGET_AFTER:
        return 0
    ready = last_failure + timedelta(seconds=wait_seconds(failures))
    return max(0, int((ready - now).total_seconds() + 0.999))
