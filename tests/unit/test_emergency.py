"""Emergency words in any channel: forgiving matching, few false alarms."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.emergency import Lexicon, emergency_kinds
from chalicelib.registry import DATA_DIR

LEXICON = Lexicon.from_data(
    json.loads((DATA_DIR / "emergency_words.json").read_text(encoding="utf-8"))["kinds"])


@pytest.mark.parametrize("text, kinds", [
    ("Ada kebakaran di Jl. Kramat", ["kebakaran"]),
    ("KEBAKARAN!!! tolong", ["kebakaran"]),
    ("#kebakaran di pasar", ["kebakaran"]),
    ("kebakarannya besar sekali", ["kebakaran"]),
    ("kebakarannn di gang", ["kebakaran"]),
    ("Rumah warga terbakar", ["kebakaran"]),
    ("Ada gas bocor di dapur umum", ["kebakaran"]),
    ("Tabrak lari di flyover Senen", ["kecelakaan"]),
    ("terjadi kecelakaan beruntun", ["kecelakaan"]),
    ("Saya baru saja dirampok", ["kejahatan"]),
    ("rampok2 berkeliaran malam hari", ["kejahatan"]),
    ("ada begal di jalan inspeksi", ["kejahatan"]),
    ("Seorang bapak pingsan di halte", ["medis"]),
    ("anak saya sesak  napas", ["medis"]),
    ("Serangan-jantung di stasiun", ["medis"]),
    ("There is a fire near Monas", ["kebakaran"]),
    ("Kebakaran dan ada korban tertabrak", ["kebakaran", "kecelakaan"]),
    ("Pèrampokan di minimarket", ["kejahatan"]),
])
def test_emergencies_are_recognised(text, kinds):
    assert emergency_kinds(text, LEXICON) == kinds


@pytest.mark.parametrize("text", [
    "Sampah dibakar warga setiap malam, asapnya mengganggu",
    "Banjir setinggi 50 cm di Kemang",
    "Aplikasi JAKI crash saat unggah foto",
    "Sampah hanyut di kali Ciliwung",
    "Tangga darurat gedung parkir rusak",
    "Tumpukan sampah jadi bom waktu",
    "Pohon tumbang menutup jalan",
    "Lampu jalan mati",
    "",
])
def test_everyday_complaints_are_not_emergencies(text):
    assert emergency_kinds(text, LEXICON) == []


def test_a_phrase_must_be_whole_and_in_order():
    assert emergency_kinds("gas di dapur tidak bocor", LEXICON) == []
    assert emergency_kinds("bocor gas", LEXICON) == ["kebakaran"]


@given(before=st.text(alphabet=" .,!?#\n", max_size=5),
       after=st.text(alphabet=" .,!?#\n", max_size=5),
       word=st.sampled_from(["kebakaran", "kecelakaan", "perampokan", "pingsan"]),
       upper=st.booleans())
def test_punctuation_and_case_around_a_word_do_not_hide_it(before, after, word, upper):
    text = f"{before}{word.upper() if upper else word}{after}"
    assert emergency_kinds(text, LEXICON) != []
