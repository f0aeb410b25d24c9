"""GET /kinerja (JSON and CSV) and the leaders' weekly summary, on stored counters."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.finish_times import RENTANG_SELESAI
from chalicelib.domain.ikm import HasilSkm
from chalicelib.domain.kinerja import KinerjaCounters, KinerjaDelta
from chalicelib.domain.sketch import DurationSketch
from chalicelib.registry import demo_officers
from chalicelib.services.directory import subscribe_officer
from chalicelib.services.kinerja_deps import kinerja_deps
from chalicelib.services.kinerja_reconcile import freeze_periods
from tests.integration import sent
from tests.integration.kinerja_support import cheap_transactions

GAMBIR = [f"31.71.01.100{i}" for i in range(1, 7)]  # the six kelurahan of Kecamatan Gambir


def seed(deps, day: date, unit: str, *, received: int, on_time: int, late: int,
         source: str) -> None:
    counters = KinerjaCounters(
        {"received": received, "first_action_in_sla": on_time, "first_action_late": late,
         "finished_in_sla": on_time, "finished_late": late, "validated": on_time + late},
        first_action=DurationSketch.of([3600] * (on_time + late)),
        finish=DurationSketch.of([86400] * (on_time + late)))
    kinerja_deps(deps).counters.apply(source, [KinerjaDelta(source, unit, day, counters)],
                                      deps.clock())


@pytest.fixture
def client(deps, clock):
    with cheap_transactions():
        yield from _seeded(deps, clock)


def _seeded(deps, clock):
    clock.now = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
    # Q3: Gambir kelurahan 1..5 with falling punctuality; 6 too small to rank.
    for i, unit in enumerate(GAMBIR[:5]):
        seed(deps, date(2026, 8, 3 + i), unit, received=20, on_time=20 - 3 * i, late=3 * i,
             source=f"q3#{unit}")
    seed(deps, date(2026, 8, 10), GAMBIR[5], received=3, on_time=3, late=0, source="q3#small")
    # Q2: the order was the other way round for the first two.
    seed(deps, date(2026, 5, 4), GAMBIR[0], received=20, on_time=10, late=10, source="q2#a")
    seed(deps, date(2026, 5, 5), GAMBIR[1], received=20, on_time=20, late=0, source="q2#b")
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def empty_client(deps):
    with Client(app) as test_client:
        yield test_client


def test_ranking_json_with_trend_metrics_and_few_items_read(client):
    answer = client.http.get("/kinerja?level=kelurahan&period=2026-Q3")
    assert answer.status_code == 200, answer.json_body
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    body = answer.json_body
    assert body["periode"] == {"kode": "2026-Q3", "jenis": "quarter",
                               "label_id": "Triwulan III 2026", "label_en": "Q3 2026",
                               "mulai": "2026-07-01", "sampai": "2026-09-30", "lengkap": True}
    assert body["periode_sebelumnya"] == "2026-Q2"
    scopes = {t["lingkup"] for t in body["tabel"]}
    assert scopes == {"kelurahan_dalam_kecamatan", "kelurahan_jakarta"}
    [gambir] = [t for t in body["tabel"] if t["kelompok"] == "31.71.01"]
    assert gambir["kelompok_nama"] == "Kecamatan Gambir"
    order = [(p["unit"], p["peringkat"]) for p in gambir["posisi"]]
    assert order == [(GAMBIR[0], 1), (GAMBIR[1], 2), (GAMBIR[2], 3), (GAMBIR[3], 4),
                     (GAMBIR[4], 5), (GAMBIR[5], None)]
    first, second = gambir["posisi"][:2]
    assert first["skor"] == 100.0 and first["peringkat_sebelumnya"] == 2
    assert first["perubahan_peringkat"] == 1
    assert first["perubahan_skor"] == 32.14  # Q2: (0.2 x .5 + 0.25 x .5 + 0.15 + 0.1) / 0.7
    assert second["perubahan_peringkat"] == -1
    assert gambir["posisi"][5]["alasan_en"].startswith("3 reports received")
    metrics = body["unit"][GAMBIR[1]]
    assert metrics["received"] == 20 and metrics["first_action_in_sla_pct"] == 85.0
    assert metrics["first_action_median_s"] == pytest.approx(3600, rel=0.01)
    assert body["konfigurasi"]["min_reports"] == 10
    # Q3 and Q2 have ended but are not frozen yet: a look for each one's snapshot, their
    # live partitions, one batch of SKM results.
    assert body["dibaca"] == {"items": 8, "requests": 5}


def test_a_frozen_quarter_reads_its_snapshot_and_ranks_the_same(client, deps):
    live = client.http.get("/kinerja?level=kelurahan&period=2026-Q3").json_body
    for day in (date(2026, 6, 30), date(2026, 9, 30)):  # the nightly job on 1 Jul / 1 Oct
        freeze_periods(deps, day)
    frozen = client.http.get("/kinerja?level=kelurahan&period=2026-Q3").json_body
    assert frozen["tabel"] == live["tabel"] and frozen["unit"] == live["unit"]
    assert frozen["dibaca"] == {"items": 2, "requests": 3}  # two snapshot items, no SKM yet


def test_ranking_csv_download(client):
    answer = client.http.get("/kinerja?level=kelurahan&period=2026-Q3&format=csv"
                             "&kelompok=31.71.01")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="kinerja-kelurahan-2026-Q3.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [r["unit"] for r in rows] == GAMBIR
    assert rows[0]["peringkat"] == "1" and rows[0]["skor"] == "100.0"
    assert rows[5]["peringkat"] == "" and rows[5]["eligible"] == "False"
    assert rows[1]["finished_in_sla_pct"] == "85.0"


def test_the_csv_has_the_distribution_of_finish_times_one_column_per_range(client, deps):
    # Gambir 6 already has three follow-ups of exactly 24 hours (6-24 jam); add one of
    # 2 hours, one of 30 hours and one of 10 days, in Q3.
    finish = DurationSketch.of([2 * 3600, 30 * 3600, 10 * 86400])
    kinerja_deps(deps).counters.apply("q3#mixed", [KinerjaDelta(
        "q3#mixed", GAMBIR[5], date(2026, 9, 1), KinerjaCounters(finish=finish))],
        deps.clock())
    answer = client.http.get("/kinerja?level=kelurahan&period=2026-Q3&format=csv"
                             "&kelompok=31.71.01")
    reader = csv.DictReader(io.StringIO(answer.body.decode()))
    columns = [f"sebaran_selesai_{r.kode}" for r in RENTANG_SELESAI]
    assert columns == ["sebaran_selesai_sd_6_jam", "sebaran_selesai_6_24_jam",
                       "sebaran_selesai_1_3_hari", "sebaran_selesai_3_7_hari",
                       "sebaran_selesai_lebih_7_hari"]
    header = reader.fieldnames
    assert header[header.index("finish_p90_s") + 1:][:5] == columns
    rows = {r["unit"]: r for r in reader}
    assert [rows[GAMBIR[5]][c] for c in columns] == ["1", "3", "1", "0", "1"]
    assert [rows[GAMBIR[1]][c] for c in columns] == ["0", "20", "0", "0", "0"]
    # Counted as GET /kinerja counts sebaran_selesai.
    body = client.http.get("/kinerja?level=kelurahan&period=2026-Q3").json_body
    for unit in GAMBIR:
        assert [int(rows[unit][c]) for c in columns] == [
            body["unit"][unit]["sebaran_selesai"][r.kode] for r in RENTANG_SELESAI]


def test_reports_received_per_kelurahan_for_the_density_map(client):
    answer = client.http.get("/kinerja/kepadatan?period=2026-Q3&unit=31.71.01")
    assert answer.status_code == 200, answer.json_body
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    body = answer.json_body
    assert body["periode"]["kode"] == "2026-Q3" and body["periode"]["label_id"] == (
        "Triwulan III 2026")
    assert body["wilayah"] == "31.71.01"
    assert body["kelurahan"] == {**dict.fromkeys(GAMBIR, 20), GAMBIR[5]: 3}
    assert body["jumlah"] == 103 and body["skala"] == [0, 1, 5, 10, 15]
    # Reads the quarter's counters, never the reports: a look for the closed quarter's
    # snapshot (none yet), then its partition.
    assert body["dibaca"] == {"items": 6, "requests": 2}
    # A week sums its days: Gambir 6's reports came on 10 August, the next week.
    week = client.http.get("/kinerja/kepadatan?period=2026-W32&unit=31.71.01").json_body
    assert week["kelurahan"] == {**dict.fromkeys(GAMBIR[:5], 20), GAMBIR[5]: 0}
    assert week["dibaca"]["requests"] == 1 + 7  # the snapshot look, then seven days
    q2 = client.http.get("/kinerja/kepadatan?period=2026-Q2&unit=31.71.01").json_body
    assert q2["jumlah"] == 40 and q2["kelurahan"][GAMBIR[2]] == 0
    # A unit with no kelurahan under it, or none: all of Jakarta, every kelurahan listed.
    opd = client.http.get("/kinerja/kepadatan?period=2026-Q3&unit=opd:bina-marga").json_body
    everywhere = client.http.get("/kinerja/kepadatan?period=2026-Q3").json_body
    assert opd["wilayah"] is None and everywhere["wilayah"] is None
    assert opd["kelurahan"] == everywhere["kelurahan"]
    assert len(opd["kelurahan"]) > 200 and opd["jumlah"] == 103
    # The default period is the current quarter (the clock is in Q4: nothing yet).
    now = client.http.get("/kinerja/kepadatan?unit=31.71.01").json_body
    assert now["periode"]["kode"] == "2026-Q4" and now["jumlah"] == 0
    for bad, field in (("period=2026-Q5", "period"), ("unit=31.99", "unit")):
        refused = client.http.get(f"/kinerja/kepadatan?{bad}")
        assert refused.status_code == 400 and refused.json_body["errors"][0]["field"] == field


def test_other_levels_months_weeks_and_the_ikm_component(client, deps):
    kinerja_deps(deps).skm.put_results("2026-Q2", [HasilSkm(
        unit="31.71", periode="2026-Q2", populasi=10, sampel_minimal=10, diundang=10,
        responden=10, sampel_terpenuhi=True, tingkat_respons=1.0, nrr=None, ikm=3.0,
        ikm_konversi=75.0, mutu="C", kinerja="Kurang Baik", kinerja_en="Fair",
        unsur_terlemah=[])], deps.clock())
    kota = client.http.get("/kinerja?level=kota&period=2026-Q3").json_body
    [table] = kota["tabel"]
    assert table["posisi"][0]["unit"] == "31.71"  # the only kota with reports
    assert kota["unit"]["31.71"]["received"] == 103  # rolled up from its kelurahan
    assert kota["unit"]["31.71"]["ikm"] == 75.0
    month = client.http.get("/kinerja?level=kecamatan&period=2026-08").json_body
    assert month["unit"]["31.71.01"]["received"] == 103
    week = client.http.get("/kinerja?level=kelurahan&period=2026-W32").json_body  # 3-9 Aug
    assert week["unit"][GAMBIR[0]]["received"] == 20
    assert week["unit"][GAMBIR[5]]["received"] == 0


def test_distribution_of_finish_times_per_unit_and_for_the_readers_area(client):
    # Every seeded follow-up took exactly 24 hours: the border of the "6-24 jam" range.
    body = client.http.get("/kinerja?level=kelurahan&period=2026-Q3&unit=31.71.01").json_body
    assert [r["kode"] for r in body["rentang_selesai"]] == [
        "sd_6_jam", "6_24_jam", "1_3_hari", "3_7_hari", "lebih_7_hari"]
    assert body["rentang_selesai"][1] == {"kode": "6_24_jam", "sampai_s": 86400,
                                          "label_id": "6–24 jam", "label_en": "6–24 hours"}
    assert body["unit"][GAMBIR[1]]["sebaran_selesai"] == {
        "sd_6_jam": 0, "6_24_jam": 20, "1_3_hari": 0, "3_7_hari": 0, "lebih_7_hari": 0}
    area = body["unit"]["31.71.01"]  # the kecamatan rolled up, though the level is kelurahan
    assert area["sebaran_selesai"]["6_24_jam"] == 5 * 20 + 3
    assert area["finished_measured"] == 103
    assert "31.71.01" not in {p["unit"] for t in body["tabel"] for p in t["posisi"]}
    # A unit without counters in the period (the Biro, above the ranked levels): all
    # zero, not an error.
    quiet = client.http.get("/kinerja?level=kota&period=2026-Q1&unit=biro-pemerintahan")
    assert quiet.status_code == 200, quiet.json_body
    assert sum(quiet.json_body["unit"]["biro-pemerintahan"]["sebaran_selesai"].values()) == 0


@pytest.mark.parametrize(("query", "field"), [
    ("level=desa&period=2026-Q3", "level"),
    ("level=kota&period=2026-Q5", "period"),
    ("level=kota&period=2026-Q3&format=xlsx", "format"),
    ("level=kelurahan&period=2026-Q3&kelompok=31.72", "kelompok"),
    ("level=kelurahan&period=2026-Q3&unit=31.99", "unit"),
])
def test_bad_queries_are_refused_in_both_languages(empty_client, query, field):
    answer = empty_client.http.get(f"/kinerja?{query}")
    assert answer.status_code == 400
    body = answer.json_body
    assert body["errors"][0]["field"] == field
    assert body["message_id"] and body["message_en"]


def test_weekly_summary_goes_to_the_leaders_once(client, deps, clock):
    for officer in demo_officers():
        subscribe_officer(deps, officer)
    clock.now = datetime(2026, 8, 10, 0, 0, tzinfo=UTC)  # Monday 07:00 WIB
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [],
                                            region="ap-southeast-3")
    assert client.lambda_.invoke("kinerja_weekly", event).payload == {
        "periode": "2026-W32", "sent": True}
    assert client.lambda_.invoke("kinerja_weekly", event).payload["sent"] is False
    [alert] = sent.unit_alerts("unit-biro-pemerintahan")
    assert alert["subject"] == "Ringkasan kinerja CRM Minggu ke-32 2026"
    assert "Kelurahan Gambir: skor 100.00" in alert["email"]
    # The page reads `period` (following the link is tested in test_pages.py).
    assert "/pimpinan?period=2026-W32" in alert["email"]
    assert "reports received: 100" in alert["email"]  # 3-9 Aug: the small one is on the 10th


def test_sudin_within_opd_opd_and_kota_over_a_year(client, deps):
    """The levels the kelurahan data above does not reach: suku dinas ranked within their
    dinas, dinas against dinas, kota against kota and kecamatan within kota, for a year."""
    bm_pusat, bm_utara = "sudin:bina-marga:31.71", "sudin:bina-marga:31.72"
    sda_pusat = "sudin:sumber-daya-air:31.71"
    for unit, on_time, late in ((bm_pusat, 12, 8), (bm_utara, 20, 0), (sda_pusat, 19, 1)):
        seed(deps, date(2026, 8, 4), unit, received=20, on_time=on_time, late=late,
             source=f"q3#{unit}")
    seed(deps, date(2026, 2, 2), "31.72.01.1001", received=30, on_time=15, late=15,
         source="q1#utara")

    sudin = client.http.get("/kinerja?level=sudin&period=2026-Q3").json_body
    tables = {t["kelompok"]: t for t in sudin["tabel"]}
    assert {t["lingkup"] for t in sudin["tabel"]} == {"sudin_dalam_opd"}
    bina_marga = tables["opd:bina-marga"]
    assert bina_marga["kelompok_nama"] == "Dinas Bina Marga"
    ranked = [(p["unit"], p["peringkat"]) for p in bina_marga["posisi"] if p["peringkat"]]
    assert ranked == [(bm_utara, 1), (bm_pusat, 2)]  # 20/20 on time before 12/20
    assert sudin["unit"][bm_pusat]["received"] == 20
    assert [p["unit"] for p in tables["opd:sumber-daya-air"]["posisi"] if p["peringkat"]] == [
        sda_pusat]

    opd = client.http.get("/kinerja?level=opd&period=2026-Q3").json_body
    [table] = opd["tabel"]
    assert table["lingkup"] == "opd"
    ranked = [(p["unit"], p["peringkat"]) for p in table["posisi"] if p["peringkat"]]
    # Sumber Daya Air 19/20 on time; Bina Marga rolled up from its sudin 32/40.
    assert ranked == [("opd:sumber-daya-air", 1), ("opd:bina-marga", 2)]
    assert opd["unit"]["opd:bina-marga"]["received"] == 40
    unranked = [p for p in table["posisi"] if p["peringkat"] is None]
    assert unranked and all(p["eligible"] is False for p in unranked)  # shown, not ranked

    year = client.http.get("/kinerja?level=kota&period=2026").json_body
    assert year["periode"]["jenis"] == "year" and year["periode_sebelumnya"] == "2025"
    [kota] = year["tabel"]
    ranked = [(p["unit"], p["peringkat"]) for p in kota["posisi"] if p["peringkat"]]
    assert ranked == [("31.71", 1), ("31.72", 2)]  # Utara: 15 of 30 on time
    assert year["unit"]["31.71"]["received"] == 143 and year["unit"]["31.72"]["received"] == 30
    kecamatan = client.http.get("/kinerja?level=kecamatan&period=2026").json_body
    within = {t["kelompok"]: t for t in kecamatan["tabel"]}
    assert {t["lingkup"] for t in kecamatan["tabel"]} == {"kecamatan_dalam_kota"}
    assert [p["unit"] for p in within["31.72"]["posisi"] if p["peringkat"]] == ["31.72.01"]
    assert within["31.71"]["posisi"][0]["unit"] == "31.71.01"
