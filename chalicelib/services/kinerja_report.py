"""Kinerja rankings for a level and period (JSON and CSV), and the leaders' weekly summary.

Reads: the period's counter partition(s) and the previous period's (for the trend), plus
about six frozen SKM result items (one per quarter) for the IKM component. A quarter or a
month is two Queries of about 400 small items each; a week is 2 x 7 day partitions.

`GET /kinerja` JSON (what the /pimpinan pages read)::

    {"level": "kelurahan",
     "periode": {"kode": "2026-Q3", "jenis": "quarter", "label_id": "Triwulan III 2026",
                 "label_en": "Q3 2026", "mulai": "2026-07-01", "sampai": "2026-09-30",
                 "lengkap": true},                  # false while the period is running
     "periode_sebelumnya": "2026-Q2",
     "kelompok": null,                              # or the code filtered on
     "tabel": [{"lingkup": "kelurahan_dalam_kecamatan", "kelompok": "31.71.01",
                "kelompok_nama": "Kecamatan Gambir",
                "posisi": [{"unit", "nama", "skor", "peringkat", "eligible", "alasan_id",
                            "alasan_en", "skor_sebelumnya", "peringkat_sebelumnya",
                            "perubahan_skor", "perubahan_peringkat"}, ...]}, ...],
     "unit": {"<code>": {<KinerjaUnit: received, first_action_in_sla_pct, ...,
                         sebaran_selesai: {"sd_6_jam": 3, ...}, komponen, skor,
                         eligible>}, ...},       # plus the `unit` asked for, if any
     "rentang_selesai": [{"kode": "sd_6_jam", "sampai_s": 21600, "label_id": "≤ 6 jam",
                          "label_en": "≤ 6 hours"}, ...],   # the ranges of sebaran_selesai
     "konfigurasi": {"bobot": {...}, "min_reports": 10, "rank_method": "competition"},
     "dibaca": {"items": 803, "requests": 6}}

`unit` (optional) adds one more unit's metrics to "unit" whatever the level: the leaders'
page asks for its reader's own area (rolled up), e.g. a kecamatan while viewing kelurahan.

Levels and their tables: kelurahan (within kecamatan, and across Jakarta), kecamatan
(within kota), kota, opd, sudin (within OPD).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.notify import NoSubscribers
from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.finish_times import RENTANG_SELESAI
from chalicelib.domain.ikm import HasilSkm
from chalicelib.domain.kinerja import (
    DailyCounters,
    KinerjaCounters,
    KinerjaUnit,
    Lingkup,
    TabelPeringkat,
    evaluate,
    kinerja_periode,
    latest_ikm,
    peringkat,
)
from chalicelib.domain.kinerja_messages import LeaderMessage, weekly_summary
from chalicelib.domain.periods import Period, PeriodKind, parse_period, period_of_day, wib_date
from chalicelib.domain.units import BIRO_PEMERINTAHAN
from chalicelib.kinerja_config import kinerja_config
from chalicelib.services.deps import Deps
from chalicelib.services.kinerja_deps import kinerja_deps

LEVELS: dict[str, tuple[Lingkup, ...]] = {
    "kelurahan": (Lingkup.KELURAHAN_DALAM_KECAMATAN, Lingkup.KELURAHAN_JAKARTA),
    "kecamatan": (Lingkup.KECAMATAN_DALAM_KOTA,),
    "kota": (Lingkup.KOTA,),
    "opd": (Lingkup.OPD,),
    "sudin": (Lingkup.SUDIN_DALAM_OPD,),
}
# The IKM component of a period is each unit's latest survey ended by the period's end,
# if it ended less than a year before (the regulation asks for a survey a year: an older
# one is not current). Frozen results are one item per quarter, so this reads about six.
IKM_VALID = timedelta(days=366)
# The distribution of finish times (the unit's `sebaran_selesai`, as in the JSON) is one
# column per range of finish_times.RENTANG_SELESAI, named from the range's code.
SEBARAN_PREFIX = "sebaran_selesai_"
SEBARAN_COLUMNS = tuple(f"{SEBARAN_PREFIX}{r.kode}" for r in RENTANG_SELESAI)
CSV_COLUMNS = (
    "periode", "lingkup", "kelompok", "kelompok_nama", "peringkat", "unit", "nama", "skor",
    "skor_sebelumnya", "perubahan_skor", "peringkat_sebelumnya", "perubahan_peringkat",
    "eligible", "alasan_id", "received", "first_action_measured", "first_action_in_sla_pct",
    "finished_measured", "finished_in_sla_pct", "first_action_median_s", "first_action_p90_s",
    "finish_median_s", "finish_p90_s", *SEBARAN_COLUMNS, "validated", "tl_ditolak_pct",
    "reopen_low_pct", "ratings_count", "avg_rating", "ikm",
)


def parse_level(text: object) -> str:
    if text not in LEVELS:
        raise ValidationFailed.of([FieldProblem(
            "level", f"Level harus salah satu dari: {', '.join(LEVELS)}.",
            f"The level must be one of: {', '.join(LEVELS)}.")])
    return str(text)


def _ikm_quarters(period: Period) -> list[str]:
    """The quarters whose surveys can be current for `period` or the period before it."""
    oldest = period.previous().end - IKM_VALID
    quarter = period_of_day(period.last_day, PeriodKind.QUARTER)
    codes = []
    while quarter.end > oldest:
        codes.append(quarter.code)
        quarter = quarter.previous()
    return codes


def _ikm(results: Mapping[str, list[HasilSkm]], period: Period) -> dict[str, float]:
    recent = [r for rows in results.values() for r in rows
              if period.end - parse_period(r.periode).end < IKM_VALID]
    return latest_ikm(recent, period)


def metrics(deps: Deps, period: Period) -> tuple[dict[str, KinerjaUnit], dict[str, KinerjaUnit]]:
    """Every unit's metrics for `period`, and for the period before it without duration
    medians: the trend needs only its scores and ranks, and rolling the sketches up the
    hierarchy is most of the computing."""
    kd = kinerja_deps(deps)
    units, config = deps.registry.units, kinerja_config()
    before = period.previous()
    results = kd.skm.results(_ikm_quarters(period))
    now = deps.clock()
    current = kinerja_periode(kd.counters.period(period, now), period, units, config,
                              _ikm(results, period))
    counts_only = [DailyCounters(row.unit, row.day, KinerjaCounters(row.counters.counts))
                   for row in kd.counters.period(before, now)]
    previous = kinerja_periode(counts_only, before, units, config, _ikm(results, before))
    return current, previous


def parse_unit(text: str | None, deps: Deps) -> str | None:
    if text is not None and deps.registry.units.get(text) is None:
        raise ValidationFailed.of([FieldProblem(
            "unit", f"'{text}' bukan kode unit yang dikenal.",
            f"'{text}' is not a known unit code.")])
    return text


def period_json(period: Period, now: datetime) -> dict[str, Any]:
    """The `periode` object of the kinerja answers."""
    return {"kode": period.code, "jenis": str(period.kind), "label_id": period.label_id,
            "label_en": period.label_en, "mulai": period.first_day.isoformat(),
            "sampai": period.last_day.isoformat(), "lengkap": period.end <= now}


def ranking(deps: Deps, level: str, period_text: str, group: str | None = None,
            unit: str | None = None) -> dict[str, Any]:
    """The ranking tables of one level for a period, with the trend (see the module doc)."""
    level = parse_level(level)
    unit = parse_unit(unit, deps)
    period = parse_period(period_text)
    counters = kinerja_deps(deps).counters
    skm = kinerja_deps(deps).skm
    reads = counters.reads + skm.reads
    requests = counters.requests + skm.requests
    units = deps.registry.units
    current, previous = metrics(deps, period)
    tables = [t for t in peringkat(current, units, kinerja_config(), previous)
              if t.lingkup in LEVELS[level] and (group is None or t.kelompok == group)]
    if group is not None and not tables:
        raise ValidationFailed.of([FieldProblem(
            "kelompok", f"'{group}' bukan kelompok peringkat untuk level {level}.",
            f"'{group}' is not a ranking group of level {level}.")])
    listed = {p.unit for t in tables for p in t.posisi}
    config = kinerja_config()
    if unit is not None:
        listed.add(unit)
        if unit not in current:  # e.g. the Biro before any counters: zeros, not a 404
            current = {**current, unit: evaluate(unit, KinerjaCounters(), period, config)}
    return {
        "level": level,
        "periode": period_json(period, deps.clock()),
        "periode_sebelumnya": period.previous().code,
        "kelompok": group,
        "tabel": [_table(t, units) for t in tables],
        "unit": {code: current[code].model_dump() for code in sorted(listed)},
        "rentang_selesai": [r.as_dict() for r in RENTANG_SELESAI],
        "konfigurasi": {"bobot": config.bobot.model_dump(), "min_reports": config.min_reports,
                        "rank_method": config.rank_method},
        "dibaca": {"items": counters.reads + skm.reads - reads,
                   "requests": counters.requests + skm.requests - requests},
    }


def _table(table: TabelPeringkat, units: Any) -> dict[str, Any]:
    group = units.get(table.kelompok) if table.kelompok else None
    return {"lingkup": str(table.lingkup), "kelompok": table.kelompok,
            "kelompok_nama": group.name if group else None,
            "posisi": [p.model_dump() for p in table.posisi]}


def ranking_csv(result: Mapping[str, Any]) -> str:
    """One row per unit per table, metrics included (a spreadsheet of the JSON); the
    distribution of finish times is one column per range (`SEBARAN_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for table in result["tabel"]:
        for position in table["posisi"]:
            metrics = result["unit"][position["unit"]]
            sebaran = {f"{SEBARAN_PREFIX}{kode}": count
                       for kode, count in metrics["sebaran_selesai"].items()}
            writer.writerow({**metrics, **sebaran, **position,
                             "periode": result["periode"]["kode"],
                             "lingkup": table["lingkup"], "kelompok": table["kelompok"],
                             "kelompok_nama": table["kelompok_nama"]})
    return out.getvalue()


# -- the leaders' weekly summary ---------------------------------------------------------


def notify_leaders(deps: Deps, key: str, message: LeaderMessage) -> bool:
    """Send to the Biro Pemerintahan's alert topic once per `key`; False if sent before."""
    if not deps.sent_log.claim(key, deps.clock()):
        return False
    try:
        message_id = deps.notifier.alert_unit(BIRO_PEMERINTAHAN, message.subject,
                                              message.email, message.sms)
    except NoSubscribers:
        message_id = "no-subscribers"
    except Exception:
        deps.sent_log.release(key)  # let a retry send it
        raise
    deps.sent_log.mark_sent(key, message_id)
    return True


def send_weekly_summary(deps: Deps, now: datetime | None = None) -> dict[str, Any]:
    """Monday morning: the ISO week just ended, to the leaders (once per week)."""
    now = now or deps.clock()
    week = period_of_day(wib_date(now) - timedelta(days=1), PeriodKind.WEEK)
    units = deps.registry.units
    current, previous = metrics(deps, week)
    tables = peringkat(current, units, kinerja_config(), previous)
    link = f"{deps.settings.public_base_url}/pimpinan?period={week.code}"
    message = weekly_summary(week, tables, current, current.get(BIRO_PEMERINTAHAN), link)
    sent = notify_leaders(deps, f"kinerja-mingguan:{week.code}", message)
    return {"periode": week.code, "sent": sent}
