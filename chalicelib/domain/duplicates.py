"""One problem, one report: finding likely duplicates, supporters, reopening.

Nearby reports are found through geohash cells: a report at precision 7 sits in a
cell of about 150 m x 150 m, so every point within 50 m of a new report lies in
its cell or one of the 8 around it; the store reads only those nine cells.
Reports without a point are compared by text within the same kelurahan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pygeohash
from haversine import Unit, haversine
from pydantic import BaseModel
from rapidfuzz import fuzz, utils

from chalicelib.domain.report import GeoPoint, Report
from chalicelib.domain.status import Status

CELL_PRECISION = 7


class DuplicatePolicy(BaseModel):
    radius_m: float = 50
    window_days: int = 14
    text_threshold: float = 85
    max_candidates: int = 5
    priority_supporters: int = 10
    reopen_days: int = 14


@dataclass(frozen=True)
class Candidate:
    ticket: str
    reason: str  # "jarak" (distance) | "teks" (similar text)
    distance_m: float | None = None
    score: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {"ticket": self.ticket, "reason": self.reason,
                "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
                "score": None if self.score is None else round(self.score, 1)}


def geocell(point: GeoPoint) -> str:
    return pygeohash.encode(point.lat, point.lon, precision=CELL_PRECISION)


def neighbourhood(cell: str) -> list[str]:
    """The cell and its 8 neighbours."""
    north, south = pygeohash.get_adjacent(cell, "top"), pygeohash.get_adjacent(cell, "bottom")
    cells = [north, cell, south]
    for middle in (north, cell, south):
        cells += [pygeohash.get_adjacent(middle, "left"), pygeohash.get_adjacent(middle, "right")]
    return list(dict.fromkeys(cells))


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    return haversine((a.lat, a.lon), (b.lat, b.lon), unit=Unit.METERS)


def text_similarity(a: str, b: str) -> float:
    """0-100; word order and repeated words do not matter ("lampu mati" ~ "mati lampunya")."""
    return fuzz.token_set_ratio(a, b, processor=utils.default_process)


def window_start(report: Report, policy: DuplicatePolicy) -> datetime:
    return report.created_at - timedelta(days=policy.window_days)


def compare(new: Report, other: Report, policy: DuplicatePolicy) -> Candidate | None:
    """Why `other` is likely the same problem as `new`, or None."""
    if other.ticket == new.ticket or not other.is_open or other.parent_ticket:
        return None
    if other.category != new.category or other.created_at < window_start(new, policy):
        return None
    if new.point is not None and other.point is not None:
        meters = distance_m(new.point, other.point)
        return Candidate(other.ticket, "jarak", distance_m=meters) if (
            meters <= policy.radius_m) else None
    if new.point is None and new.kelurahan_code and new.kelurahan_code == other.kelurahan_code:
        score = text_similarity(new.description, other.description)
        return Candidate(other.ticket, "teks", score=score) if (
            score >= policy.text_threshold) else None
    return None


def likely_duplicates(new: Report, others: list[Report],
                      policy: DuplicatePolicy) -> list[Candidate]:
    found = [c for c in (compare(new, o, policy) for o in others) if c is not None]
    found.sort(key=lambda c: (c.distance_m if c.distance_m is not None else 0,
                              -(c.score or 0), c.ticket))
    return found[:policy.max_candidates]


def can_reopen(report: Report, now: datetime, policy: DuplicatePolicy) -> bool:
    return (report.status == Status.SELESAI and report.closed_at is not None
            and now - report.closed_at <= timedelta(days=policy.reopen_days))


def contact_key(phone: str | None, email: str | None) -> str | None:
    """One person, one key: the E.164 phone, else the lower-cased email."""
    if phone:
        return phone
    return email.lower() if email else None
