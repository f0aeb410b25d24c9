"""IKM of PermenPANRB 14/2017 on hand-computed cases, grade boundaries and validation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.ikm import (
    KODE_UNSUR,
    SKALA,
    UNSUR,
    DataSkmUnit,
    Jawaban,
    RekapSkm,
    hasil_jakarta,
    hasil_skm,
    hitung_ikm,
    parse_jawaban,
    predikat_for,
    round_half_up,
    unsur_terlemah,
)


def answers(*rows: str) -> list[Jawaban]:
    return [Jawaban(tuple(int(c) for c in row.replace(" ", ""))) for row in rows]


def test_the_nine_unsur_as_data():
    assert KODE_UNSUR == ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9")
    assert UNSUR[0].nama == "Persyaratan"
    assert UNSUR[2].nama == "Waktu Penyelesaian"
    assert UNSUR[8].nama == "Sarana dan Prasarana"
    assert all(u.name_en and len(u.pilihan) == 4 for u in UNSUR)
    assert [SKALA[s][0] for s in (1, 2, 3, 4)] == ["Tidak baik", "Kurang baik", "Baik",
                                                  "Sangat baik"]


def test_hand_computed_four_respondents():
    #            U1 U2 U3 U4 U5 U6 U7 U8 U9
    rekap = RekapSkm.of(answers(
        "4 4 3 4 3 3 4 4 3",
        "3 3 3 4 3 3 3 3 2",
        "4 3 2 4 3 4 4 3 3",
        "3 3 3 4 2 3 4 3 3",
    ))
    nilai = hitung_ikm(rekap)
    assert nilai is not None
    # NRR = column sum / 4:
    # U1 14/4=3.50  U2 13/4=3.25  U3 11/4=2.75  U4 16/4=4.00  U5 11/4=2.75
    # U6 13/4=3.25  U7 15/4=3.75  U8 13/4=3.25  U9 11/4=2.75
    assert nilai.nrr == {"U1": Fraction(7, 2), "U2": Fraction(13, 4), "U3": Fraction(11, 4),
                         "U4": Fraction(4), "U5": Fraction(11, 4), "U6": Fraction(13, 4),
                         "U7": Fraction(15, 4), "U8": Fraction(13, 4), "U9": Fraction(11, 4)}
    # sum NRR = 29.25; IKM = 29.25 x 1/9 = 3.25; konversi = 3.25 x 25 = 81.25 -> B Baik
    assert nilai.ikm == Fraction(13, 4)
    assert nilai.konversi == Fraction(325, 4)
    assert nilai.konversi_2d == Decimal("81.25")
    assert (nilai.predikat.mutu, nilai.predikat.kinerja) == ("B", "Baik")
    # Weakest: U3, U5, U9 all 2.75 -> ties keep the order U1..U9.
    assert unsur_terlemah(nilai.nrr) == ["U3", "U5", "U9"]
    assert unsur_terlemah(nilai.nrr, 4) == ["U3", "U5", "U9", "U2"]


def test_hand_computed_three_respondents_with_repeating_decimals():
    rekap = RekapSkm.of(answers(
        "4 4 4 4 4 4 4 4 4",
        "4 3 4 4 3 4 4 4 3",
        "3 3 4 4 3 4 4 3 3",
    ))
    nilai = hitung_ikm(rekap)
    # NRR: U1 11/3  U2 10/3  U3 12/3  U4 12/3  U5 10/3  U6 12/3  U7 12/3  U8 11/3  U9 10/3
    # sum = 100/3; IKM = 100/27 = 3.7037..; konversi = 2500/27 = 92.5925.. -> 92.59 A
    assert nilai.ikm == Fraction(100, 27)
    assert nilai.konversi_2d == Decimal("92.59")
    assert nilai.predikat.mutu == "A"
    result = hasil_skm(DataSkmUnit("31.71.01.1001", rekap, populasi=3, diundang=3), "2026-Q3")
    assert result.ikm == 3.7037
    assert result.nrr["U1"] == 3.6667
    assert result.ikm_konversi == 92.59
    assert result.kinerja == "Sangat Baik"


@pytest.mark.parametrize(("score", "konversi", "mutu"), [
    (4, "100.00", "A"),  # IKM 4 x 25
    (3, "75.00", "C"),  # IKM 3 x 25: "Baik" answers everywhere still grade C
    (2, "50.00", "D"),
    (1, "25.00", "D"),
])
def test_uniform_answers(score, konversi, mutu):
    nilai = hitung_ikm(RekapSkm.of([Jawaban((score,) * 9)] * 5))
    assert nilai.konversi_2d == Decimal(konversi)
    assert nilai.predikat.mutu == mutu


def rekap_with(respondents: int, total: int) -> RekapSkm:
    """A tally of `respondents` complete answers whose scores add up to `total`.

    With complete answers IKM = total / (9 n), so konversi = 25 total / (9 n).
    Start from all 3s and turn some into 4s (or 2s) to reach `total`.
    """
    n = respondents
    excess = total - 27 * n
    assert -9 * n <= excess <= 9 * n
    pool = [4] * max(excess, 0) + [2] * max(-excess, 0)
    pool += [3] * (9 * n - len(pool))
    rows = []
    for i in range(9):
        part = pool[i * n:(i + 1) * n]
        rows.append((part.count(1), part.count(2), part.count(3), part.count(4)))
    rekap = RekapSkm(tuple(rows), n)
    scores = (1, 2, 3, 4)
    assert sum(s * c for row in rekap.jumlah for s, c in zip(scores, row, strict=True)) == total
    return rekap


@pytest.mark.parametrize(("n", "total", "konversi", "mutu"), [
    # konversi = 25 x total / (9 n); the grade is read on the value rounded to 2 decimals.
    (2500, 79479, "88.31", "A"),  # 1986975 / 22500 = 88.31 exactly
    (5000, 158949, "88.31", "A"),  # 3973725 / 45000 = 88.305 -> rounds up to 88.31
    (5000, 158948, "88.30", "B"),  # 88.30444.. -> 88.30
    (250, 7947, "88.30", "B"),  # 198675 / 2250 = 88.30 exactly
    (2500, 68949, "76.61", "B"),  # 1723725 / 22500 = 76.61
    (5000, 137889, "76.61", "B"),  # 76.605 -> 76.61
    (5000, 137888, "76.60", "C"),  # 76.60444.. -> 76.60
    (250, 6894, "76.60", "C"),  # 172350 / 2250 = 76.60
    (5, 117, "65.00", "C"),  # 2925 / 45 = 65.00
    (5000, 116991, "65.00", "C"),  # 64.995 -> 65.00
    (5000, 116990, "64.99", "D"),  # 64.99444.. -> 64.99
    (2500, 58491, "64.99", "D"),  # 1462275 / 22500 = 64.99
])
def test_both_sides_of_every_grade_boundary(n, total, konversi, mutu):
    nilai = hitung_ikm(rekap_with(n, total))
    assert nilai.konversi == Fraction(25 * total, 9 * n)
    assert nilai.konversi_2d == Decimal(konversi)
    assert nilai.predikat.mutu == mutu


@pytest.mark.parametrize(("value", "mutu", "kinerja"), [
    (100, "A", "Sangat Baik"), (88.31, "A", "Sangat Baik"), (88.305, "A", "Sangat Baik"),
    (88.3049, "B", "Baik"), (88.30, "B", "Baik"), (76.61, "B", "Baik"),
    (76.605, "B", "Baik"), (76.6049, "C", "Kurang Baik"), (76.60, "C", "Kurang Baik"),
    (65.00, "C", "Kurang Baik"), (64.995, "C", "Kurang Baik"), (64.9949, "D", "Tidak Baik"),
    (64.99, "D", "Tidak Baik"), (25, "D", "Tidak Baik"),
    (Decimal("88.305"), "A", "Sangat Baik"), (Fraction(88305, 1000), "A", "Sangat Baik"),
])
def test_predikat_on_values_around_each_boundary(value, mutu, kinerja):
    predikat = predikat_for(value)
    assert (predikat.mutu, predikat.kinerja) == (mutu, kinerja)


def test_predikat_outside_the_scale_is_an_error():
    with pytest.raises(ValueError):
        predikat_for(24.99)
    with pytest.raises(ValueError):
        predikat_for(100.01)


def test_round_half_up_is_exact_for_fractions():
    assert round_half_up(Fraction(88305, 1000), 2) == Decimal("88.31")
    assert round_half_up(Fraction(88305, 1000) - Fraction(1, 10**30), 2) == Decimal("88.30")
    assert round_half_up(Fraction(2, 3), 4) == Decimal("0.6667")


def test_jakarta_pools_answers_instead_of_averaging_ikms():
    a = DataSkmUnit("31.71.01.1001", RekapSkm.of([Jawaban((1,) * 9)]), 5, 2)
    b = DataSkmUnit("31.71.01.1002", RekapSkm.of([Jawaban((4,) * 9)] * 3), 4, 4)
    # A: IKM 1 (konversi 25); B: IKM 4 (konversi 100). Averaging IKMs would give 62.50 (D).
    # Pooled: total = 9x1 + 27x4 = 117 over 4 respondents: IKM = 117/36 = 3.25 -> 81.25 B.
    jakarta = hasil_jakarta([a, b], "2026-Q3")
    assert jakarta.unit == "jakarta"
    assert jakarta.ikm == 3.25 and jakarta.ikm_konversi == 81.25 and jakarta.mutu == "B"
    assert jakarta.responden == 4
    assert jakarta.diundang == 6
    assert jakarta.populasi == 9
    assert jakarta.sampel_minimal == 5 + 4  # sum of the units' Krejcie & Morgan sizes
    assert jakarta.tingkat_respons == pytest.approx(4 / 6)
    assert hasil_jakarta([a, b], "2026-Q3", populasi=7).populasi == 7


def test_unit_result_reports_sample_and_response_rate():
    rekap = RekapSkm.of([Jawaban((3,) * 9)] * 70)
    result = hasil_skm(DataSkmUnit("31.71.01", rekap, populasi=100, diundang=140), "2026-Q3")
    assert result.sampel_minimal == 80  # Krejcie & Morgan, N=100
    assert result.responden == 70
    assert result.sampel_terpenuhi is False
    assert result.tingkat_respons == 0.5
    assert result.mutu == "C"
    enough = hasil_skm(DataSkmUnit("31.71.01", RekapSkm.of([Jawaban((3,) * 9)] * 80), 100,
                                   100), "2026-Q3")
    assert enough.sampel_terpenuhi is True


def test_no_answers_means_no_ikm_but_still_a_result():
    result = hasil_skm(DataSkmUnit("31.71.01", RekapSkm(), populasi=12, diundang=0), "2026-Q3")
    assert result.ikm is None and result.mutu is None and result.nrr is None
    assert result.tingkat_respons is None
    assert result.unsur_terlemah == []
    # Krejcie & Morgan, N=12: 3.841 x 12 x 0.25 / (0.0025 x 11 + 0.96025)
    # = 11.523 / 0.98775 = 11.67 -> 12
    assert result.sampel_minimal == 12
    assert result.sampel_terpenuhi is False


def test_parse_jawaban_accepts_complete_answers():
    payload = {k: 4 for k in KODE_UNSUR}
    assert parse_jawaban(payload) == Jawaban((4,) * 9)
    assert parse_jawaban(payload).as_dict()["U9"] == 4


def test_parse_jawaban_reports_every_problem_bilingually():
    payload = {"U1": 5, "U2": True, "U3": "3", "U4": 0, "U10": 4, "U5": 2, "U6": 3,
               "U7": 3.0, "U8": 1}
    with pytest.raises(ValidationFailed) as caught:
        parse_jawaban(payload)
    fields = sorted(p.field for p in caught.value.problems)
    # U1 5, U2 bool, U3 text, U4 0, U7 float, U9 missing, U10 unknown
    assert fields == ["U1", "U10", "U2", "U3", "U4", "U7", "U9"]
    missing = next(p for p in caught.value.problems if p.field == "U9")
    assert "Sarana dan Prasarana" in missing.message_id and "Facilities" in missing.message_en


def test_parse_jawaban_needs_an_object():
    with pytest.raises(ValidationFailed):
        parse_jawaban([4] * 9)


def test_jawaban_itself_refuses_bad_scores():
    with pytest.raises(ValueError):
        Jawaban((4,) * 8)
    with pytest.raises(ValueError):
        Jawaban((5,) * 9)


def test_rekap_storage_round_trip_and_merge():
    one = RekapSkm.of(answers("4 4 3 4 3 3 4 4 3"))
    two = RekapSkm.of(answers("1 2 3 4 1 2 3 4 1", "2 2 2 2 2 2 2 2 2"))
    item = (one + two).to_item()
    assert item["responden"] == 3 and item["U1_4"] == 1 and item["U1_2"] == 1
    assert RekapSkm.from_item(item) == one + two == RekapSkm.of(
        answers("4 4 3 4 3 3 4 4 3", "1 2 3 4 1 2 3 4 1", "2 2 2 2 2 2 2 2 2"))


score = st.integers(min_value=1, max_value=4)
jawaban = st.tuples(*[score] * 9).map(Jawaban)


@given(st.lists(jawaban, min_size=1, max_size=30), st.lists(jawaban, min_size=1, max_size=30))
def test_pooled_ikm_is_the_mean_of_all_scores(first, second):
    pooled = hitung_ikm(RekapSkm.of(first) + RekapSkm.of(second))
    everyone = first + second
    assert pooled.ikm == Fraction(sum(sum(j.nilai) for j in everyone), 9 * len(everyone))
    assert 25 <= pooled.konversi <= 100
    assert pooled.predikat.mutu in "ABCD"
