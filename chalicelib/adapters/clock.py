"""The time the app runs on: the system clock, which the local stack may move forward.

Only the embedded local stack (and tests) call `travel`; a deployed Lambda never
does, so in AWS this is exactly `datetime.now(UTC)`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta()


def now() -> datetime:
    return datetime.now(UTC) + _offset


def travel(delta: timedelta) -> datetime:
    """Move the app's clock by `delta` (local stack's time travel); returns the new now."""
    global _offset
    _offset += delta
    return now()


def offset() -> timedelta:
    return _offset
