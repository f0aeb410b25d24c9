"""Kelurahan and kecamatan names in free text, with Jakarta's repeated names."""

from __future__ import annotations

from collections import Counter

import pytest

from chalicelib.domain.place_names import COMMON_WORD_NAMES, PlaceNames, PlaceOutcome, squash
from chalicelib.registry import registry

WILAYAH = registry().wilayah
NAMES = PlaceNames(WILAYAH)
KEL, KEC, AMBIGUOUS, NONE = (PlaceOutcome.KELURAHAN, PlaceOutcome.KECAMATAN,
                             PlaceOutcome.AMBIGUOUS, PlaceOutcome.NONE)


def in_address(text: str) -> tuple[PlaceOutcome, str | None]:
    match = NAMES.find(address=text)
    return match.outcome, match.kelurahan_code or match.kecamatan_code


def in_description(text: str) -> tuple[PlaceOutcome, str | None]:
    match = NAMES.find(description=text)
    return match.outcome, match.kelurahan_code or match.kecamatan_code


# -- the data: which names repeat, and how -------------------------------------


def test_jakarta_names_repeat_across_levels_not_within_the_kelurahan_list():
    kelurahan = Counter(squash(r.name) for r in WILAYAH.of_level("kelurahan"))
    kecamatan = {squash(r.name): r.code for r in WILAYAH.of_level("kecamatan")}
    assert max(kelurahan.values()) == 1  # no kelurahan name is used twice
    shared = {name for name in kelurahan if name in kecamatan}
    assert {"menteng", "gambir", "jatinegara", "pulogadung", "setiabudi", "palmerah",
            "kramatjati", "tanjungpriok"} <= shared
    # Kelurahan Jatinegara is not in Kecamatan Jatinegara.
    kel_jatinegara = next(r for r in WILAYAH.of_level("kelurahan") if r.name == "Jatinegara")
    assert kel_jatinegara.parent_code != kecamatan["jatinegara"]


def test_every_common_word_name_is_a_real_kelurahan():
    kelurahan = {squash(r.name) for r in WILAYAH.of_level("kelurahan")}
    assert kelurahan >= COMMON_WORD_NAMES


# -- Menteng and its family ---------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Menteng", (KEC, "31.71.06")),  # the kecamatan, or its kelurahan: only a hint
    ("Kel. Menteng", (KEL, "31.71.06.1001")),
    ("Kelurahan Menteng, Kecamatan Menteng", (KEL, "31.71.06.1001")),
    ("Jl. Teuku Umar, RT.3/RW.5, Menteng, Kec. Menteng, Kota Jakarta Pusat",
     (KEL, "31.71.06.1001")),  # the address format of map apps
    ("Kec. Menteng", (KEC, "31.71.06")),
    ("Menteng Dalam", (KEL, "31.74.01.1003")),  # the longest name wins
    ("Menteng Dalam, Tebet", (KEL, "31.74.01.1003")),
    ("menteng atas, setiabudi", (KEL, "31.74.02.1005")),
    ("Ujung Menteng, Cakung", (KEL, "31.75.06.1006")),
    ("Kel. Menteng Dalam, Kec. Menteng", (AMBIGUOUS, None)),  # the kecamatan contradicts
])
def test_the_menteng_family(text, expected):
    assert in_address(text) == expected


# -- repeated names are ambiguous unless the kecamatan is named -----------------


@pytest.mark.parametrize(("text", "expected"), [
    # Kelurahan Jatinegara lies in Kec. Cakung; Kec. Jatinegara is elsewhere.
    ("Jatinegara", (AMBIGUOUS, None)),
    ("Kel. Jatinegara", (KEL, "31.75.06.1001")),
    ("Jatinegara, Kec. Cakung", (KEL, "31.75.06.1001")),
    ("Kecamatan Jatinegara", (KEC, "31.75.03")),
    ("Jatinegara Kaum", (KEL, "31.75.02.1004")),
    # Spacing differs between levels: Pulo Gadung / Pulogadung, Setia Budi / Setiabudi.
    ("Pulogadung", (KEC, "31.75.02")),
    ("Pulo Gadung, Kec. Pulogadung", (KEL, "31.75.02.1001")),
    ("Kelurahan Setia Budi", (KEL, "31.74.02.1001")),
    ("setiabudi", (KEC, "31.74.02")),
    ("Kel. Palmerah, Kec. Pal Merah", (KEL, "31.73.07.1001")),
    ("Kramat Jati", (KEC, "31.75.04")),
    # Family names: the kecamatan alone names no kelurahan.
    ("Cempaka Putih", (KEC, "31.71.05")),
    ("Kel. Cempaka Putih Barat", (KEL, "31.71.05.1002")),
    ("Kelapa Dua Wetan, Ciracas", (KEL, "31.75.09.1003")),
])
def test_repeated_names(text, expected):
    assert in_address(text) == expected


def test_an_ambiguous_match_lists_its_candidates_and_guesses_nothing():
    match = NAMES.find(address="Jatinegara")
    assert match.kelurahan_code is None and match.kecamatan_code is None
    assert match.candidates == ("31.75.03", "31.75.06.1001")
    assert "Jatinegara" in match.reason


def test_two_kelurahan_are_ambiguous():
    assert in_description("Banjir dari Kel. Kebon Sirih sampai Kel. Kwitang") == (AMBIGUOUS,
                                                                                  None)


def test_the_marked_kelurahan_in_the_kecamatan_named_wins_over_a_passing_mention():
    text = "Kel. Kenari, Kec. Senen, dekat Kebon Sirih"
    assert in_address(text) == (KEL, "31.71.04.1002")


# -- typos, case, punctuation ---------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Kelurahan Gambier", (KEL, "31.71.01.1001")),
    ("KEL.GAMBIR", (KEL, "31.71.01.1001")),
    ("kec tebet", (KEC, "31.74.01")),
    ("Kecamatan: Tebet", (KEC, "31.74.01")),
    ("Kelurahan: Menteng", (KEL, "31.71.06.1001")),
    ("Kel. Kébon Kacang 🌧", (KEL, "31.71.07.1006")),  # accents and emoji
    ("kelurhan kebon kacang", (KEL, "31.71.07.1006")),  # a misspelt marker too
    ("Menteng Dalem", (KEL, "31.74.01.1003")),
    ("Kebun Jeruk", (KEC, "31.73.05")),
    ("cipinang bsar utara", (KEL, "31.75.03.1008")),
    ("Pondok Lambu", (AMBIGUOUS, None)),  # one edit from Pondok Labu and Pondok Bambu
])
def test_typos_case_and_punctuation(text, expected):
    assert in_address(text) == expected


# -- no false positives ---------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Lampu jalan mati sejak seminggu",
    "Banjir setinggi lutut di kampung kami, rumah baru saja dibangun",
    "Kabel menjuntai di tengah jalan",
    "Gunung sampah di pinggir kali, tangki air bocor",
    "Parkir liar di depan toko setiap hari Senin",  # Senin is not Senen
    "Pohon jati tumbang menimpa gedung",  # gedung is not Gedong
    "Minyak kayu putih tumpah di kebon kosong",
    "Jalan berlubang, kamar mandi umum rusak",  # kamar is not Kamal
    "Gambiran",  # no name inside another word
    "Mentengan raya",
    "Tebetan",
])
def test_ordinary_words_name_no_place(text):
    match = NAMES.find(description=text)
    assert match.outcome == NONE, match


def test_a_common_word_is_a_place_with_a_marker_or_its_kecamatan():
    assert in_address("Kel. Baru") == (KEL, "31.75.05.1002")
    assert in_address("Baru, Kec. Pasar Rebo") == (KEL, "31.75.05.1002")
    assert in_address("Kel. Tengah, Kramatjati") == (KEL, "31.75.04.1002")


@pytest.mark.parametrize(("text", "expected"), [
    ("Jl. Pasar Minggu No. 12", (NONE, None)),  # a street, not the kelurahan
    ("Jl. Tebet Raya No. 5, Kel. Menteng Dalam", (KEL, "31.74.01.1003")),
    ("Jalan Kramat Raya 5, Kenari, Senen", (KEL, "31.71.04.1002")),
    ("Gg. Kebon Kacang 3 RT 02, Kel. Kebon Melati", (KEL, "31.71.07.1005")),
])
def test_street_names_are_not_places(text, expected):
    assert in_address(text) == expected


def test_a_station_named_after_its_kelurahan_is_a_fair_hint():
    assert in_description("Sampah di depan Stasiun Gambir") == (KEC, "31.71.01")


def test_address_and_description_are_read_together():
    match = NAMES.find(address="RT 03 RW 02, Kec. Tebet", description="Banjir di Menteng Dalam")
    assert (match.outcome, match.kelurahan_code) == (KEL, "31.74.01.1003")
    assert NAMES.find().outcome == NONE


def test_a_long_description_is_read_quickly():
    import time

    text = "Jalan rusak dan berlubang di depan sekolah, sudah lama tidak diperbaiki. " * 40
    start = time.perf_counter()
    assert NAMES.find(address="Kel. Kwitang", description=text).kelurahan_code == "31.71.04.1005"
    assert time.perf_counter() - start < 0.5
