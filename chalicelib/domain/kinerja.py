"""Penilaian kinerja (DESIGN section 6): counters, metrics, score and rankings of units.

Counters, kept up to date by the stream
---------------------------------------
Per unit and WIB day, one small item of counters (`COUNTERS`) and two duration
sketches (time to first action `fa`, time to finish `fin`; see sketch.py).
`kinerja_deltas(before, after, events)` says what one stored change adds; a ranking
for a quarter then reads units x days of small items, never the reports.

Credit rule: the unit responsible at the time of the event gets the credit (or the
blame), on the WIB day of the event:

- received: the unit the report is assigned to, by routing or by a handover
  (koordinasi / disposisi). A handed-over report counts as received by each unit
  that received it, because each had to deal with it.
- first action (the response): the unit responsible *before* the event, i.e. the one
  that acted (a koordinasi is the kelurahan's response, not the OPD's). A response is
  the first proses / koordinasi / disposisi / selesai, or a closing with a reason
  (tolak, bukan kewenangan, duplikat, luar wilayah): either stops the first-action clock.
- finish: the unit submitting the follow-up (`selesai`, judged against the finish
  deadline in force, before the validator's time, which is not the unit's).
- validation (validasi / TL Ditolak), ratings and reopenings: the report's unit.
- Lateness is counted once per deadline obligation, at the earlier of (a) the SLA
  sweep's breach event (level 1) and (b) the late act itself. Counting at the breach
  matters: a unit that never acts must not look punctual. An obligation is the first-
  action clock, or one finish clock (from intake, or from a TL Ditolak / reopening);
  an EWS moving the deadline does not start a new obligation.
- Events without a responsible unit (before routing) credit nobody.

Roll-ups to kecamatan, kota and OPD happen at query time (`rollup`) through the unit
hierarchy (kelurahan -> kecamatan -> kota; suku dinas -> OPD), not by writing more
counters: one write per event, and a changed hierarchy needs no backfill. A report
handed over inside one subtree (kelurahan -> its kecamatan) is "received" twice in
that subtree's roll-up; received only decides who is big enough to rank.

Metrics and score
-----------------
Each score component is a rate in [0, 1] (None when the period has no data for it):

    respons     first actions within SLA / first actions measured
    selesai     follow-ups within SLA / follow-ups measured
    validasi    1 - TL Ditolak / follow-ups validated
    keluhan     1 - (reports rated low or reopened) / reports finished   (clamped to [0, 1])
    rating      (average stars - 1) / 4         (1 star -> 0, 5 stars -> 1)
    ikm         (latest IKM konversi - 25) / 75 (25 -> 0, 100 -> 1)

    skor = 100 x sum(w_i x c_i) / sum(w_i)   over the components that have data

with weights `w_i` from configuration (`chalicelib/data/kinerja.json`). Rating and IKM
are rescaled so that the worst possible value is 0, like the other components (stars/5
would give a unit 20 points for a 1-star average). Every component is a ratio, so
volume cannot raise the score: the same quality over twice the reports scores the
same (a tested property). Medians, p90s and the distribution of finish times over a
few ranges (finish_times.py) are shown, not scored: they have no
natural 0-1 scale, and the SLA rates already reward speed.

Rankings
--------
kelurahan within kecamatan and across Jakarta, kecamatan within kota, kota/kabupaten,
OPD, and suku dinas within their OPD. Kecamatan, kota and OPD are ranked on their
rolled-up counters. A unit with fewer than `min_reports` received reports (or no
score) is listed but not ranked. Ties: scores are compared rounded to 2 decimals;
competition ranking (1, 2, 2, 4) by default, dense (1, 2, 2, 3) by configuration;
tied units are listed by unit code. Trend: score and rank against the previous
period of the same kind (rank change > 0 means moved up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.finish_times import sebaran_selesai
from chalicelib.domain.ikm import HasilSkm, round_half_up
from chalicelib.domain.periods import Period, parse_period, wib_date
from chalicelib.domain.rating import LOW_RATING_MAX
from chalicelib.domain.report import FIRST_ACTIONS, HistoryEvent, Report
from chalicelib.domain.sketch import DurationSketch
from chalicelib.domain.sla import FINISH, FIRST_ACTION
from chalicelib.domain.status import Action, Status
from chalicelib.domain.timefmt import utc_iso
from chalicelib.domain.units import UnitDirectory

COUNTERS: tuple[str, ...] = (
    "received",  # the unit became responsible (routing or a handover to it)
    "first_action_in_sla",
    "first_action_late",
    "finished_in_sla",
    "finished_late",
    "validated",  # the unit's follow-ups judged by the validator
    "tl_ditolak",  # ... of which rejected (TL Ditolak)
    "reopened",  # reopened after Selesai (buka kembali)
    "low_ratings",  # rated <= LOW_RATING_MAX stars
    # Reports that came back unhappy: rated low, or reopened without a low rating
    # before it (a low rating and the reopening it causes count once).
    "reopen_or_low",
    "ratings_count",
    "ratings_sum",
)
SKETCH_FIRST_ACTION = "fa"
SKETCH_FINISH = "fin"
BREACH_LEVEL = 1  # the SLA sweep's level for "deadline passed" (0 is the warning)
CLOSING_ACTIONS = frozenset(
    {Action.TOLAK, Action.BUKAN_KEWENANGAN, Action.DUPLIKAT, Action.LUAR_WILAYAH})
_FIRST_ACTION_CLOCK = FIRST_ACTION  # the SLA clocks' names, as in their sla_sent keys
_FINISH_CLOCK = FINISH
_RANKED_KINDS = ("kelurahan", "kecamatan", "kota", "opd", "sudin")


# -- counters -------------------------------------------------------------------------


@dataclass(frozen=True)
class KinerjaCounters:
    """Additive counters of one unit over some days (one day as stored, or a period)."""

    counts: Mapping[str, int] = field(default_factory=dict)
    first_action: DurationSketch = field(default_factory=DurationSketch)
    finish: DurationSketch = field(default_factory=DurationSketch)

    def __post_init__(self) -> None:
        unknown = set(self.counts) - set(COUNTERS)
        if unknown:
            raise ValueError(f"unknown kinerja counters: {sorted(unknown)}")
        object.__setattr__(self, "counts", {k: v for k, v in self.counts.items() if v})

    def __getitem__(self, name: str) -> int:
        if name not in COUNTERS:
            raise KeyError(name)
        return self.counts.get(name, 0)

    def merge(self, other: KinerjaCounters) -> KinerjaCounters:
        counts = dict(self.counts)
        for name, value in other.counts.items():
            counts[name] = counts.get(name, 0) + value
        return KinerjaCounters(counts, self.first_action.merge(other.first_action),
                               self.finish.merge(other.finish))

    __add__ = merge

    @property
    def is_empty(self) -> bool:
        return not self.counts and not self.first_action.count and not self.finish.count

    def to_item(self) -> dict[str, int]:
        """Flat numeric attributes: the store applies a delta as one `ADD a :x, b :y ...`."""
        return {**self.counts, **self.first_action.to_item(SKETCH_FIRST_ACTION),
                **self.finish.to_item(SKETCH_FINISH)}

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> KinerjaCounters:
        """Counters of a stored item (key and other attributes are ignored)."""
        return cls({k: int(item[k]) for k in COUNTERS if k in item},
                   DurationSketch.from_item(item, SKETCH_FIRST_ACTION),
                   DurationSketch.from_item(item, SKETCH_FINISH))


@dataclass(frozen=True)
class KinerjaDelta:
    """What one history event adds to one unit's counters of one WIB day.

    `source` (`<ticket>#<seq>`) identifies the event: the stream delivers records at
    least once, so the store must apply each (source, unit) once, e.g. with a
    conditional marker written in the same transaction as the `ADD`.
    """

    source: str
    unit: str
    day: date
    counters: KinerjaCounters


@dataclass(frozen=True)
class DailyCounters:
    """One stored item: a unit's counters of one WIB day."""

    unit: str
    day: date
    counters: KinerjaCounters


# -- the stream's decision -------------------------------------------------------------


def _sla_key_parts(key: str) -> tuple[str, datetime, int] | None:
    """(clock, deadline, level) of an `sla_sent` key `clock@<UTC ISO>#level` (see sla.py)."""
    try:
        clock, rest = key.split("@", 1)
        deadline_text, level = rest.rsplit("#", 1)
        return clock, datetime.fromisoformat(deadline_text.replace("Z", "+00:00")), int(level)
    except ValueError:
        return None


def _obligation_start(state: Report, clock: str) -> datetime:
    if clock == _FIRST_ACTION_CLOCK:
        return state.created_at
    return state.finish_started_at or state.created_at


def _breach_counted(state: Report, clock: str) -> bool:
    """Whether a breach of the current obligation of `clock` was already recorded.

    A breach is recorded only while its clock runs, i.e. before the obligation ends, so
    a breach whose deadline is at or after the obligation's start belongs to it; one of
    an earlier obligation (before a TL Ditolak or reopening) has an earlier deadline.
    """
    since = _obligation_start(state, clock)
    for key in state.sla_sent:
        parts = _sla_key_parts(key)
        if parts and parts[0] == clock and parts[2] == BREACH_LEVEL and parts[1] >= since:
            return True
    return False


def _initial_state(after: Report) -> Report:
    """The report as it was before its first event (for a newly inserted report)."""
    return after.model_copy(update={
        "unit": None, "status": Status.MENUNGGU, "first_action_at": None, "closed_at": None,
        "sla_sent": [], "rating": None, "review_requested": False, "event_count": 0,
        "finish_started_at": None,
    })


def _advance(state: Report, event: HistoryEvent) -> Report:
    """The state after `event`, for the fields the counters read.

    Used between events of one stored change; in practice only the SLA sweep writes
    several events at once, and those change nothing but `sla_sent`.
    """
    update: dict[str, Any] = {"unit": event.unit, "status": event.status,
                              "event_count": event.seq, "updated_at": event.at}
    if event.action in FIRST_ACTIONS and state.first_action_at is None:
        update["first_action_at"] = event.at
    if event.action == Action.SLA:
        key = f"{event.data.get('clock')}@{_utc_text(event.data.get('deadline'))}" \
              f"#{event.data.get('level')}"
        update["sla_sent"] = [*state.sla_sent, key]
    if event.action == Action.NILAI:
        update["review_requested"] = int(event.data.get("stars", 5)) <= LOW_RATING_MAX
    if event.action in (Action.TINJAU, Action.BUKA_KEMBALI):
        update["review_requested"] = False
    if event.action in (Action.TL_DITOLAK, Action.BUKA_KEMBALI):
        update["finish_started_at"] = event.at
    return state.model_copy(update=update)


def _utc_text(value: Any) -> str:
    try:
        return utc_iso(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return str(value)


class _Collector:
    """Counters per (unit, day) for one event."""

    def __init__(self, source: str, day: date) -> None:
        self.source = source
        self.day = day
        self.by_unit: dict[str, KinerjaCounters] = {}

    def add(self, unit: str | None, counter: str | None = None, amount: int = 1, *,
            first_action: float | None = None, finish: float | None = None) -> None:
        if unit is None:
            return
        counts = {counter: amount} if counter else {}
        delta = KinerjaCounters(
            counts,
            DurationSketch.of([first_action] if first_action is not None else []),
            DurationSketch.of([finish] if finish is not None else []),
        )
        self.by_unit[unit] = self.by_unit.get(unit, KinerjaCounters()).merge(delta)

    def deltas(self) -> list[KinerjaDelta]:
        return [KinerjaDelta(self.source, unit, self.day, counters)
                for unit, counters in sorted(self.by_unit.items()) if not counters.is_empty]


def _outcome(state: Report, clock: str, due: datetime | None, at: datetime) -> str | None:
    """The counter an act at `at` settles for the clock's current obligation, if any.

    Nothing when the sweep already counted the obligation late at its breach: an EWS
    set after the breach moves the deadline but must not turn the lateness into "on time".
    """
    if due is None or _breach_counted(state, clock):
        return None
    prefix = "first_action" if clock == _FIRST_ACTION_CLOCK else "finished"
    return f"{prefix}_in_sla" if at <= due else f"{prefix}_late"


def _event_deltas(state: Report, event: HistoryEvent, ticket: str) -> list[KinerjaDelta]:
    out = _Collector(f"{ticket}#{event.seq}", wib_date(event.at))
    acting = state.unit  # responsible before the event: the one that acted
    action = event.action

    if event.unit is not None and event.unit != state.unit:
        out.add(event.unit, "received")

    responded = action in FIRST_ACTIONS or action in CLOSING_ACTIONS
    if responded and state.first_action_at is None and state.is_open:
        seconds = (event.at - state.created_at).total_seconds()
        out.add(acting, first_action=seconds)
        out.add(acting, _outcome(state, _FIRST_ACTION_CLOCK, state.first_action_due, event.at))

    if action == Action.SELESAI:
        start = _obligation_start(state, _FINISH_CLOCK)
        out.add(acting, finish=(event.at - start).total_seconds())
        out.add(acting, _outcome(state, _FINISH_CLOCK, state.finish_due, event.at))

    elif action == Action.SLA and event.data.get("level") == BREACH_LEVEL:
        clock = event.data.get("clock")
        if clock in (_FIRST_ACTION_CLOCK, _FINISH_CLOCK) and not _breach_counted(state, clock):
            late = "first_action_late" if clock == _FIRST_ACTION_CLOCK else "finished_late"
            out.add(event.unit, late)

    elif action == Action.VALIDASI:
        out.add(event.unit, "validated")
    elif action == Action.TL_DITOLAK:
        out.add(event.unit, "validated")
        out.add(event.unit, "tl_ditolak")

    elif action == Action.NILAI:
        stars = event.data.get("stars")
        if not isinstance(stars, int):
            return out.deltas()
        out.add(event.unit, "ratings_count")
        out.add(event.unit, "ratings_sum", stars)
        if stars <= LOW_RATING_MAX:
            out.add(event.unit, "low_ratings")
            out.add(event.unit, "reopen_or_low")
    elif action == Action.BUKA_KEMBALI:
        out.add(event.unit, "reopened")
        if not state.review_requested:  # a low rating already counted this report
            out.add(event.unit, "reopen_or_low")
    return out.deltas()


def kinerja_deltas(before: Report | None, after: Report,
                   events: Sequence[HistoryEvent]) -> list[KinerjaDelta]:
    """What one stored change of a report adds to the daily kinerja counters.

    `before` is the report before the change (None when it was just created), `after`
    the report after it, `events` the history events the change appended. Events the
    `before` state already includes (seq <= before.event_count) are ignored, so a
    re-delivered record with a wider event list does not count twice.
    """
    state = before if before is not None else _initial_state(after)
    deltas: list[KinerjaDelta] = []
    for event in sorted(events, key=lambda e: e.seq):
        if before is not None and event.seq <= before.event_count:
            continue
        deltas.extend(_event_deltas(state, event, after.ticket))
        state = _advance(state, event)
    return deltas


# -- aggregation ------------------------------------------------------------------------


def aggregate(rows: Iterable[DailyCounters], period: Period) -> dict[str, KinerjaCounters]:
    """Each unit's counters over the WIB days of `period` (rows outside it are skipped)."""
    totals: dict[str, KinerjaCounters] = {}
    for row in rows:
        if period.contains_day(row.day):
            totals[row.unit] = totals.get(row.unit, KinerjaCounters()).merge(row.counters)
    return totals


def ancestors(code: str, units: UnitDirectory) -> list[str]:
    """The unit's parents, nearest first (kelurahan -> kecamatan -> kota -> biro)."""
    chain: list[str] = []
    unit = units.get(code)
    while unit is not None and unit.parent_code is not None and unit.parent_code not in chain:
        chain.append(unit.parent_code)
        unit = units.get(unit.parent_code)
    return chain


def rollup(own: Mapping[str, KinerjaCounters],
           units: UnitDirectory) -> dict[str, KinerjaCounters]:
    """Each unit's counters plus those of every unit under it."""
    totals: dict[str, KinerjaCounters] = {}
    for code, counters in own.items():
        for target in (code, *ancestors(code, units)):
            totals[target] = totals.get(target, KinerjaCounters()).merge(counters)
    return totals


# -- configuration ----------------------------------------------------------------------


class BobotSkor(BaseModel):
    """Weights of the score components (any non-negative numbers; they are normalised)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    respons: float = Field(0.20, ge=0)  # first action within SLA
    selesai: float = Field(0.25, ge=0)  # finished within SLA
    validasi: float = Field(0.15, ge=0)  # follow-ups not rejected (TL Ditolak)
    keluhan: float = Field(0.10, ge=0)  # not reopened / not rated low
    rating: float = Field(0.15, ge=0)  # reporters' average rating
    ikm: float = Field(0.15, ge=0)  # latest IKM

    @model_validator(mode="after")
    def _some_weight(self) -> BobotSkor:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one score weight must be positive")
        return self


class KinerjaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    catatan: str = ""  # free text: the file documents itself
    bobot: BobotSkor = Field(default_factory=BobotSkor)
    min_reports: int = Field(10, ge=0)  # fewer received reports: shown, not ranked
    rank_method: Literal["competition", "dense"] = "competition"


# -- metrics ----------------------------------------------------------------------------


def _rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole > 0 else None


def _pct(value: Fraction | None) -> float | None:
    return float(round_half_up(value * 100, 2)) if value is not None else None


def _seconds(value: float | None) -> int | None:
    return round(value) if value is not None else None


def komponen_skor(counters: KinerjaCounters,
                  ikm_konversi: float | None) -> dict[str, Fraction | None]:
    """The score components of the module doc, each in [0, 1] or None without data."""
    c = counters
    selesai = c["validated"] - c["tl_ditolak"]
    tl = _rate(c["tl_ditolak"], c["validated"])
    keluhan = _rate(min(c["reopen_or_low"], selesai), selesai)
    rating = _rate(c["ratings_sum"], c["ratings_count"])
    return {
        "respons": _rate(c["first_action_in_sla"],
                         c["first_action_in_sla"] + c["first_action_late"]),
        "selesai": _rate(c["finished_in_sla"], c["finished_in_sla"] + c["finished_late"]),
        "validasi": 1 - tl if tl is not None else None,
        "keluhan": 1 - keluhan if keluhan is not None else None,
        "rating": (rating - 1) / 4 if rating is not None else None,
        "ikm": (Fraction(str(ikm_konversi)) - 25) / 75 if ikm_konversi is not None else None,
    }


def skor(components: Mapping[str, Fraction | None], bobot: BobotSkor) -> Fraction | None:
    """100 x the weighted mean of the components that have data; None if none has."""
    weights = bobot.model_dump()
    used = [(Fraction(str(weights[name])), value) for name, value in components.items()
            if value is not None and weights[name] > 0]
    total = sum((w for w, _ in used), Fraction(0))
    if total == 0:
        return None
    return 100 * sum((w * v for w, v in used), Fraction(0)) / total


class KinerjaUnit(BaseModel):
    """One unit's metrics for one period (rates in %, durations in seconds)."""

    model_config = ConfigDict(frozen=True)

    unit: str
    periode: str
    received: int
    first_action_measured: int
    first_action_in_sla_pct: float | None
    finished_measured: int
    finished_in_sla_pct: float | None
    first_action_median_s: int | None
    first_action_p90_s: int | None
    finish_median_s: int | None
    finish_p90_s: int | None
    # Follow-ups per range of time to finish (finish_times.RENTANG_SELESAI), from the
    # same sketch as the median and p90.
    sebaran_selesai: dict[str, int]
    validated: int
    tl_ditolak: int
    tl_ditolak_pct: float | None
    selesai: int  # follow-ups accepted by the validator
    reopened: int
    low_ratings: int
    reopen_low_pct: float | None
    ratings_count: int
    avg_rating: float | None  # 1-5 stars, 2 decimals
    ikm: float | None  # latest IKM konversi (25-100)
    komponen: dict[str, float | None]  # score components, 0-1, 4 decimals
    skor: float | None  # 0-100, 2 decimals
    eligible: bool  # big enough (and scored) to be ranked
    alasan_id: str | None = None  # why not ranked
    alasan_en: str | None = None


def evaluate(code: str, counters: KinerjaCounters, period: Period, config: KinerjaConfig,
             ikm_konversi: float | None = None) -> KinerjaUnit:
    c = counters
    components = komponen_skor(c, ikm_konversi)
    score = skor(components, config.bobot)
    score_2d = round_half_up(score, 2) if score is not None else None
    fa_measured = c["first_action_in_sla"] + c["first_action_late"]
    fin_measured = c["finished_in_sla"] + c["finished_late"]
    selesai = c["validated"] - c["tl_ditolak"]
    alasan: tuple[str, str] | None = None
    if c["received"] < config.min_reports:
        alasan = (f"Laporan diterima {c['received']}, kurang dari {config.min_reports}: "
                  "ditampilkan tanpa peringkat.",
                  f"{c['received']} reports received, fewer than {config.min_reports}: shown "
                  "without a rank.")
    elif score is None:
        alasan = ("Belum ada hasil yang dapat dinilai pada periode ini.",
                  "Nothing to assess in this period yet.")
    return KinerjaUnit(
        unit=code,
        periode=period.code,
        received=c["received"],
        first_action_measured=fa_measured,
        first_action_in_sla_pct=_pct(_rate(c["first_action_in_sla"], fa_measured)),
        finished_measured=fin_measured,
        finished_in_sla_pct=_pct(_rate(c["finished_in_sla"], fin_measured)),
        first_action_median_s=_seconds(c.first_action.median),
        first_action_p90_s=_seconds(c.first_action.p90),
        finish_median_s=_seconds(c.finish.median),
        finish_p90_s=_seconds(c.finish.p90),
        sebaran_selesai=sebaran_selesai(c.finish),
        validated=c["validated"],
        tl_ditolak=c["tl_ditolak"],
        tl_ditolak_pct=_pct(_rate(c["tl_ditolak"], c["validated"])),
        selesai=selesai,
        reopened=c["reopened"],
        low_ratings=c["low_ratings"],
        reopen_low_pct=_pct(_rate(min(c["reopen_or_low"], selesai), selesai)),
        ratings_count=c["ratings_count"],
        avg_rating=float(round_half_up(Fraction(c["ratings_sum"], c["ratings_count"]), 2))
        if c["ratings_count"] else None,
        ikm=ikm_konversi,
        komponen={k: float(round_half_up(v, 4)) if v is not None else None
                  for k, v in components.items()},
        skor=float(score_2d) if score_2d is not None else None,
        eligible=alasan is None,
        alasan_id=alasan[0] if alasan else None,
        alasan_en=alasan[1] if alasan else None,
    )


def latest_ikm(results: Iterable[HasilSkm], period: Period) -> dict[str, float]:
    """Each unit's IKM konversi from its latest survey that ended by the end of `period`."""
    best: dict[str, tuple[datetime, float]] = {}
    for result in results:
        if result.ikm_konversi is None:
            continue
        ended = parse_period(result.periode).end
        if ended <= period.end and (result.unit not in best or ended > best[result.unit][0]):
            best[result.unit] = (ended, result.ikm_konversi)
    return {unit: value for unit, (_, value) in best.items()}


def kinerja_periode(rows: Iterable[DailyCounters], period: Period, units: UnitDirectory,
                    config: KinerjaConfig,
                    ikm: Mapping[str, float] | None = None) -> dict[str, KinerjaUnit]:
    """Metrics of every unit in the directory for `period` (rolled up the hierarchy).

    Units without any counters are included (received 0, not ranked): leaders should
    see a silent unit, not miss it. `ikm` is the latest IKM konversi per unit code.
    """
    rolled = rollup(aggregate(rows, period), units)
    ikm = ikm or {}
    codes = sorted({u.code for kind in _RANKED_KINDS for u in units.of_kind(kind)} | set(rolled))
    return {code: evaluate(code, rolled.get(code, KinerjaCounters()), period, config,
                           ikm.get(code))
            for code in codes}


# -- rankings ----------------------------------------------------------------------------


class Lingkup(StrEnum):
    """The scopes units are ranked in."""

    KELURAHAN_DALAM_KECAMATAN = "kelurahan_dalam_kecamatan"
    KELURAHAN_JAKARTA = "kelurahan_jakarta"
    KECAMATAN_DALAM_KOTA = "kecamatan_dalam_kota"
    KOTA = "kota"
    OPD = "opd"
    SUDIN_DALAM_OPD = "sudin_dalam_opd"


# scope -> (kind of the units ranked, grouped by their parent?)
_SCOPES: dict[Lingkup, tuple[str, bool]] = {
    Lingkup.KELURAHAN_DALAM_KECAMATAN: ("kelurahan", True),
    Lingkup.KELURAHAN_JAKARTA: ("kelurahan", False),
    Lingkup.KECAMATAN_DALAM_KOTA: ("kecamatan", True),
    Lingkup.KOTA: ("kota", False),
    Lingkup.OPD: ("opd", False),
    Lingkup.SUDIN_DALAM_OPD: ("sudin", True),
}


class PosisiPeringkat(BaseModel):
    model_config = ConfigDict(frozen=True)

    unit: str
    nama: str
    skor: float | None
    peringkat: int | None  # None: shown, not ranked
    eligible: bool
    alasan_id: str | None = None
    alasan_en: str | None = None
    skor_sebelumnya: float | None = None
    peringkat_sebelumnya: int | None = None
    perubahan_skor: float | None = None  # this period minus the previous, 2 decimals
    perubahan_peringkat: int | None = None  # previous rank minus this rank: > 0 moved up


class TabelPeringkat(BaseModel):
    model_config = ConfigDict(frozen=True)

    lingkup: Lingkup
    kelompok: str | None  # the kecamatan / kota / OPD ranked within; None for all Jakarta
    periode: str
    posisi: list[PosisiPeringkat]


def rank_positions(scores: Mapping[str, Decimal],
                   method: Literal["competition", "dense"]) -> dict[str, int]:
    """Rank of each unit by score (higher first). Equal scores share a rank.

    competition: 1, 2, 2, 4 (a tie uses up the places); dense: 1, 2, 2, 3.
    """
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    ranks: dict[str, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (code, value) in enumerate(ordered, start=1):
        if value != previous:
            rank = position if method == "competition" else rank + 1
            previous = value
        ranks[code] = rank
    return ranks


def _groups(kind: str, by_parent: bool, units: UnitDirectory) -> dict[str | None, list[str]]:
    groups: dict[str | None, list[str]] = {}
    for unit in units.of_kind(kind):
        groups.setdefault(unit.parent_code if by_parent else None, []).append(unit.code)
    return groups


def _tables(metrics: Mapping[str, KinerjaUnit], units: UnitDirectory, config: KinerjaConfig,
            periode: str) -> list[TabelPeringkat]:
    tables: list[TabelPeringkat] = []
    for scope, (kind, by_parent) in _SCOPES.items():
        for group, codes in sorted(_groups(kind, by_parent, units).items(),
                                   key=lambda item: item[0] or ""):
            rows = [metrics[c] for c in codes if c in metrics]
            ranks = rank_positions(
                {m.unit: Decimal(str(m.skor)) for m in rows if m.eligible and m.skor is not None},
                config.rank_method)
            rows.sort(key=lambda m: (m.unit not in ranks, ranks.get(m.unit, 0), m.unit))
            tables.append(TabelPeringkat(
                lingkup=scope, kelompok=group, periode=periode,
                posisi=[PosisiPeringkat(
                    unit=m.unit, nama=_name(m.unit, units), skor=m.skor,
                    peringkat=ranks.get(m.unit), eligible=m.unit in ranks,
                    alasan_id=m.alasan_id, alasan_en=m.alasan_en) for m in rows]))
    return tables


def _name(code: str, units: UnitDirectory) -> str:
    unit = units.get(code)
    return unit.name if unit else code


def peringkat(current: Mapping[str, KinerjaUnit], units: UnitDirectory, config: KinerjaConfig,
              previous: Mapping[str, KinerjaUnit] | None = None) -> list[TabelPeringkat]:
    """Every ranking table for the period of `current`, with the trend against `previous`.

    `current` and `previous` come from `kinerja_periode` for a period and the one before.
    """
    periode = next(iter(current.values())).periode if current else ""
    tables = _tables(current, units, config, periode)
    if not previous:
        return tables
    before = {(t.lingkup, t.kelompok, p.unit): p
              for t in _tables(previous, units, config, periode) for p in t.posisi}
    with_trend: list[TabelPeringkat] = []
    for table in tables:
        posisi = []
        for p in table.posisi:
            old = before.get((table.lingkup, table.kelompok, p.unit))
            old_score = old.skor if old else None
            old_rank = old.peringkat if old else None
            posisi.append(p.model_copy(update={
                "skor_sebelumnya": old_score,
                "peringkat_sebelumnya": old_rank,
                "perubahan_skor": float(round_half_up(
                    Decimal(str(p.skor)) - Decimal(str(old_score)), 2))
                if p.skor is not None and old_score is not None else None,
                "perubahan_peringkat": old_rank - p.peringkat
                if p.peringkat is not None and old_rank is not None else None,
            }))
        with_trend.append(table.model_copy(update={"posisi": posisi}))
    return with_trend


# -- reconciliation ----------------------------------------------------------------------
# The nightly job recomputes a day's counters from the reports' histories and compares
# them with what the stream wrote. Replaying needs each event's "before" state; the
# history holds everything `_advance` needs except the finish deadline in force, which
# the workflow moves (EWS: to the estimate; TL Ditolak and reopening: `redo_hours` from
# the event) and which is therefore re-derived here with the same rules.

FINISH_DUE_ACTIONS = frozenset({Action.EWS, Action.TL_DITOLAK, Action.BUKA_KEMBALI})


def _finish_due_after(event: HistoryEvent, policy: SlaPolicy,
                      current: datetime | None) -> datetime | None:
    if event.action == Action.EWS:
        try:
            return datetime.fromisoformat(str(event.data.get("ews_at")).replace("Z", "+00:00"))
        except ValueError:
            return current
    return policy.add(event.at, policy.redo_hours)


def replay_deltas(report: Report, events: Sequence[HistoryEvent],
                  policy: SlaPolicy) -> list[KinerjaDelta]:
    """Every delta the stream should have produced over `report`'s whole history.

    `report` is the current state and `events` its full history; `policy` is the SLA
    policy of its category. The result equals the sum of `kinerja_deltas` over the
    stored changes, provided the policy has not changed since (the last deadline is
    taken from the report itself, so only earlier, superseded deadlines depend on it).
    """
    ordered = sorted(events, key=lambda e: e.seq)
    moves = [e for e in ordered if e.action in FINISH_DUE_ACTIONS]
    due = (policy.add(report.created_at, policy.finish_hours) if moves
           else report.finish_due)
    state = _initial_state(report).model_copy(update={"finish_due": due})
    deltas: list[KinerjaDelta] = []
    for event in ordered:
        deltas.extend(_event_deltas(state, event, report.ticket))
        state = _advance(state, event)
        if event.action in FINISH_DUE_ACTIONS:
            due = report.finish_due if event is moves[-1] else _finish_due_after(
                event, policy, state.finish_due)
            state = state.model_copy(update={"finish_due": due})
    return deltas


def counters_by_unit(deltas: Iterable[KinerjaDelta], day: date) -> dict[str, KinerjaCounters]:
    """The deltas of one WIB day, summed per unit (what that day's stored items should hold)."""
    totals: dict[str, KinerjaCounters] = {}
    for delta in deltas:
        if delta.day == day:
            totals[delta.unit] = totals.get(delta.unit, KinerjaCounters()).merge(delta.counters)
    return totals


@dataclass(frozen=True)
class CounterDrift:
    """A unit whose stored counters of a day differ from the recomputed ones."""

    unit: str
    expected: KinerjaCounters
    stored: KinerjaCounters

    @property
    def correction(self) -> dict[str, int]:
        """Flat attribute amounts that turn the stored item into the expected one."""
        want, have = self.expected.to_item(), self.stored.to_item()
        return {name: want.get(name, 0) - have.get(name, 0)
                for name in sorted(set(want) | set(have))
                if want.get(name, 0) != have.get(name, 0)}


def counter_drift(expected: Mapping[str, KinerjaCounters],
                  stored: Mapping[str, KinerjaCounters]) -> list[CounterDrift]:
    """Units (sorted) whose stored counters differ from the expected ones, sketches included."""
    empty = KinerjaCounters()
    return [CounterDrift(unit, expected.get(unit, empty), stored.get(unit, empty))
            for unit in sorted(set(expected) | set(stored))
            if expected.get(unit, empty).to_item() != stored.get(unit, empty).to_item()]
