"""Times are stored in UTC and shown in Asia/Jakarta (WIB, UTC+7, no daylight saving)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
_BULAN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def utc_iso(moment: datetime) -> str:
    """`2026-11-28T10:16:23Z`: the stored and machine-readable form."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wib_iso(moment: datetime) -> str:
    return moment.astimezone(WIB).isoformat(timespec="seconds")


def wib_text(moment: datetime) -> str:
    """`28 Nov 2026 17:16 WIB`: how a person in Jakarta reads it."""
    local = moment.astimezone(WIB)
    return f"{local.day} {_BULAN[local.month - 1]} {local.year} {local:%H:%M} WIB"
