"""The texts kinerja sends to leaders: the weekly summary and the reconciliation alert.

Bahasa Indonesia first, English after a slash, as the other notices. The email is plain
text that reads well in any client; the SMS only says where to look (one segment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.kinerja import KinerjaUnit, Lingkup, TabelPeringkat
from chalicelib.domain.periods import Period

TOP = 5  # best and worst kelurahan listed in the weekly summary


@dataclass(frozen=True)
class LeaderMessage:
    subject: str
    email: str
    sms: str


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _hours(seconds: int | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} jam"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _trend(change: int | None) -> str:
    if not change:
        return ""
    return f" (naik {change})" if change > 0 else f" (turun {-change})"


def _table_lines(table: TabelPeringkat, rows: Sequence[Any] | None = None) -> list[str]:
    lines = []
    for p in rows if rows is not None else table.posisi:
        rank = f"{p.peringkat:>3}." if p.peringkat is not None else "  -."
        lines.append(f"{rank} {p.nama}: skor {_score(p.skor)}{_trend(p.perubahan_peringkat)}")
    return lines


def weekly_summary(period: Period, tables: Sequence[TabelPeringkat],
                   metrics: Mapping[str, KinerjaUnit], jakarta: KinerjaUnit | None,
                   link: str) -> LeaderMessage:
    """The leaders' Monday email for the week just ended (`period`)."""
    by_scope: dict[Lingkup, list[TabelPeringkat]] = {}
    for table in tables:
        by_scope.setdefault(table.lingkup, []).append(table)
    lines = [f"Ringkasan kinerja penanganan pengaduan CRM, {period.label_id}",
             f"Weekly complaint-handling performance summary, {period.label_en}", ""]
    if jakarta is not None:
        lines += [
            "Seluruh Jakarta / All of Jakarta:",
            f"- laporan diterima / reports received: {jakarta.received}",
            f"- tindakan pertama tepat waktu / first action on time: "
            f"{_pct(jakarta.first_action_in_sla_pct)} (median "
            f"{_hours(jakarta.first_action_median_s)})",
            f"- selesai tepat waktu / finished on time: {_pct(jakarta.finished_in_sla_pct)} "
            f"(median {_hours(jakarta.finish_median_s)})",
            f"- rata-rata penilaian / average rating: "
            f"{'-' if jakarta.avg_rating is None else jakarta.avg_rating}", ""]
    for scope, title in ((Lingkup.KOTA, "Peringkat kota/kabupaten / Cities"),
                         (Lingkup.OPD, "Peringkat OPD / Agencies")):
        for table in by_scope.get(scope, []):
            lines += [title + ":", *_table_lines(table), ""]
    for table in by_scope.get(Lingkup.KELURAHAN_JAKARTA, []):
        ranked = [p for p in table.posisi if p.peringkat is not None]
        lowest = ranked[max(TOP, len(ranked) - TOP):]  # never repeats the best
        lines += [f"Kelurahan terbaik / best {TOP}:", *_table_lines(table, ranked[:TOP]), ""]
        if lowest:
            lines += [f"Kelurahan terendah / lowest {len(lowest)}:",
                      *_table_lines(table, lowest), ""]
        lines += [f"Tidak diperingkat (laporan terlalu sedikit) / not ranked (too few "
                  f"reports): {len(table.posisi) - len(ranked)} kelurahan", ""]
    lines += ["Skor menghargai kecepatan dan mutu, bukan jumlah laporan. / The score rewards "
              "speed and quality, not volume.", f"Rincian / details: {link}"]
    return LeaderMessage(
        subject=f"Ringkasan kinerja CRM {period.label_id}",
        email="\n".join(lines),
        sms=f"Ringkasan kinerja CRM {period.label_id} sudah dikirim ke email pimpinan.",
    )


def drift_message(day: str, missed_events: Sequence[str], drift: Sequence[Mapping[str, Any]],
                  *, fixed: bool) -> LeaderMessage:
    """The reconciliation's alert: what differed between counters and reports."""
    done = ("Sudah diperbaiki otomatis. / Corrected automatically." if fixed
            else "Belum diperbaiki. / Not corrected.")
    lines = [f"Rekonsiliasi penghitung kinerja {day} / Kinerja counter reconciliation {day}", "",
             f"Peristiwa yang terlewat oleh stream / events the stream missed: "
             f"{len(missed_events)}",
             f"Unit dengan selisih / units with drift: {len(drift)}", done, ""]
    for row in drift[:50]:
        lines.append(f"- {row['unit']}: koreksi / correction {row['correction']}")
    for source in missed_events[:50]:
        lines.append(f"- terlewat / missed: {source}")
    return LeaderMessage(
        subject=f"Selisih penghitung kinerja {day}",
        email="\n".join(lines),
        sms=f"CRM: selisih penghitung kinerja {day} ({len(drift)} unit). Lihat email.",
    )
