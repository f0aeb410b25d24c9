"""Indeks Kepuasan Masyarakat (IKM) of PermenPANRB 14/2017 (DESIGN section 7).

The survey asks about nine elements (unsur) U1..U9, each answered 1-4. From the
answers of a unit:

    NRR per unsur      = sum of the scores given to it / number of answers to it
    IKM (1-4)          = sum of the nine NRR x 1/9   (the regulation's "NRR tertimbang")
    IKM konversi       = IKM x 25                    (25-100)

and the grade (mutu pelayanan) and its label (kinerja unit pelayanan) come from the
converted value:

    A  Sangat Baik  88.31 - 100.00
    B  Baik         76.61 -  88.30
    C  Kurang Baik  65.00 -  76.60
    D  Tidak Baik   25.00 -  64.99

Decisions:

- Exact arithmetic. NRR, IKM and the converted value are computed as fractions, so
  a grade never depends on float noise.
- Grade rounding. The table's bands leave gaps (88.30 | 88.31): the regulation reports
  the converted value to two decimals and grades that. So the converted value is
  rounded to 2 decimals, halves up, and the rounded value is graded: 88.305 -> 88.31 -> A,
  88.3049.. -> 88.30 -> B. The value shown and the value graded are the same number.
- Complete answers only. A response must answer all nine unsur with a whole number
  1-4; a partial one is refused (with the missing unsur named), so every respondent
  weighs the same in every NRR. The NRR still divides by the answers to that unsur,
  as the regulation writes it.
- Aggregation. Jakarta's (and any roll-up's) IKM is computed from the pooled answers
  (the tallies are added, then NRR, IKM), never by averaging units' IKMs: an average
  of IKMs would weigh a unit of 5 respondents like one of 380.
- Sample. `sampel_minimal` is Krejcie & Morgan of the unit's population; for all of
  Jakarta it is the sum of the units' (the survey is a sample per unit).
- Weakest unsur: the lowest NRR first; ties keep the regulation's order (U1 before U9).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.sampling import krejcie_morgan

SKOR = (1, 2, 3, 4)
KONVERSI = 25  # IKM x 25 gives the 25-100 scale


@dataclass(frozen=True)
class Unsur:
    kode: str
    nama: str
    name_en: str
    # The four answers, score 1 to 4, after the sample questionnaire in the regulation's
    # annex. The wording is the survey form's to adapt (and to confirm with the Biro
    # Organisasi); the scores are what count.
    pilihan: tuple[str, str, str, str]


UNSUR: tuple[Unsur, ...] = (
    Unsur("U1", "Persyaratan", "Requirements",
          ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Unsur("U2", "Sistem, Mekanisme dan Prosedur", "System, mechanism and procedure",
          ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    Unsur("U3", "Waktu Penyelesaian", "Completion time",
          ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    Unsur("U4", "Biaya/Tarif", "Cost / fee",
          ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    Unsur("U5", "Produk Spesifikasi Jenis Pelayanan", "Service product as specified",
          ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    Unsur("U6", "Kompetensi Pelaksana", "Competence of the staff",
          ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    Unsur("U7", "Perilaku Pelaksana", "Conduct of the staff",
          ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
           "Sangat sopan dan ramah")),
    Unsur("U8", "Penanganan Pengaduan, Saran dan Masukan",
          "Handling of complaints, suggestions and input",
          ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
           "Dikelola dengan baik")),
    Unsur("U9", "Sarana dan Prasarana", "Facilities and infrastructure",
          ("Buruk", "Cukup", "Baik", "Sangat baik")),
)
KODE_UNSUR: tuple[str, ...] = tuple(u.kode for u in UNSUR)
_INDEX = {kode: i for i, kode in enumerate(KODE_UNSUR)}

# The generic meaning of each score (DESIGN section 7), in Bahasa Indonesia and English.
SKALA: dict[int, tuple[str, str]] = {
    1: ("Tidak baik", "Poor"),
    2: ("Kurang baik", "Fair"),
    3: ("Baik", "Good"),
    4: ("Sangat baik", "Very good"),
}


@dataclass(frozen=True)
class Predikat:
    mutu: str  # A | B | C | D (mutu pelayanan)
    kinerja: str  # kinerja unit pelayanan, as the regulation words it
    kinerja_en: str
    batas_bawah: Decimal  # lowest converted value (2 decimals) with this grade


PREDIKAT: tuple[Predikat, ...] = (  # highest first: the first band reached is the grade
    Predikat("A", "Sangat Baik", "Very good", Decimal("88.31")),
    Predikat("B", "Baik", "Good", Decimal("76.61")),
    Predikat("C", "Kurang Baik", "Fair", Decimal("65.00")),
    Predikat("D", "Tidak Baik", "Poor", Decimal("25.00")),
)


def round_half_up(value: Fraction | Decimal | int | float, places: int) -> Decimal:
    """`value` (not negative) rounded to `places` decimals, halves up (88.305 -> 88.31).

    A fraction is rounded exactly; a float is taken as its shortest repr ("88.305"),
    i.e. as a person wrote it, not as the binary value 88.30499999...
    """
    quantum = Decimal(1).scaleb(-places)
    if isinstance(value, Fraction):
        scaled = value * 10**places
        whole = scaled.numerator // scaled.denominator
        rounded = whole + (1 if scaled - whole >= Fraction(1, 2) else 0)
        return (Decimal(rounded) * quantum).quantize(quantum)
    decimal = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return decimal.quantize(quantum, rounding=ROUND_HALF_UP)


def predikat_for(konversi: Fraction | Decimal | int | float) -> Predikat:
    """The grade of a converted IKM (25-100), judged on its value rounded to 2 decimals."""
    value = round_half_up(konversi, 2)
    if not Decimal(25) <= value <= Decimal(100):
        raise ValueError(f"a converted IKM is between 25 and 100, not {value}")
    for predikat in PREDIKAT:
        if value >= predikat.batas_bawah:
            return predikat
    raise AssertionError("unreachable: D starts at 25")  # pragma: no cover


# -- answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Jawaban:
    """One respondent's complete answers, scores of U1..U9 in order."""

    nilai: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.nilai) != len(UNSUR) or any(
                isinstance(v, bool) or v not in SKOR for v in self.nilai):
            raise ValueError("a Jawaban holds nine scores from 1 to 4")

    def as_dict(self) -> dict[str, int]:
        return dict(zip(KODE_UNSUR, self.nilai, strict=True))


def parse_jawaban(payload: Any) -> Jawaban:
    """Validate a response `{"U1": 4, ..., "U9": 3}`; every problem is reported at once."""
    if not isinstance(payload, Mapping):
        raise ValidationFailed.of([FieldProblem(
            "jawaban", "Jawaban harus berupa objek berisi U1 sampai U9.",
            "The answers must be an object with U1 to U9.")])
    problems: list[FieldProblem] = []
    for key in payload:
        if key not in _INDEX:
            problems.append(FieldProblem(
                str(key), f"'{key}' bukan unsur survei; gunakan U1 sampai U9.",
                f"'{key}' is not a survey element; use U1 to U9."))
    for unsur in UNSUR:
        value = payload.get(unsur.kode)
        if value is None:
            problems.append(FieldProblem(
                unsur.kode, f"Unsur {unsur.kode} ({unsur.nama}) belum dijawab; semua sembilan "
                "unsur wajib dijawab.",
                f"Element {unsur.kode} ({unsur.name_en}) is not answered; all nine are "
                "required."))
        elif isinstance(value, bool) or not isinstance(value, int) or value not in SKOR:
            problems.append(FieldProblem(
                unsur.kode, f"Jawaban {unsur.kode} harus bilangan bulat 1-4.",
                f"The answer to {unsur.kode} must be a whole number from 1 to 4."))
    if problems:
        raise ValidationFailed.of(problems)
    return Jawaban(tuple(int(payload[k]) for k in KODE_UNSUR))


# -- tallies --------------------------------------------------------------------------

_EMPTY_ROW = (0, 0, 0, 0)


@dataclass(frozen=True)
class RekapSkm:
    """How many answers gave each score to each unsur, and how many responded.

    The additive form of a unit's answers: units and quarters merge by adding, and the
    store can keep it as `U<n>_<score>` counters.
    """

    jumlah: tuple[tuple[int, int, int, int], ...] = (_EMPTY_ROW,) * len(UNSUR)
    responden: int = 0

    def __post_init__(self) -> None:
        if len(self.jumlah) != len(UNSUR) or any(
                len(row) != len(SKOR) or min(row) < 0 for row in self.jumlah):
            raise ValueError("a RekapSkm has nine rows of four non-negative counts")
        if self.responden < 0:
            raise ValueError("responden cannot be negative")

    @classmethod
    def of(cls, jawaban: Iterable[Jawaban]) -> RekapSkm:
        rows = [[0, 0, 0, 0] for _ in UNSUR]
        count = 0
        for answer in jawaban:
            count += 1
            for i, score in enumerate(answer.nilai):
                rows[i][score - 1] += 1
        return cls(tuple((r[0], r[1], r[2], r[3]) for r in rows), count)

    def merge(self, other: RekapSkm) -> RekapSkm:
        return RekapSkm(
            tuple((a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])
                  for a, b in zip(self.jumlah, other.jumlah, strict=True)),
            self.responden + other.responden,
        )

    __add__ = merge

    @classmethod
    def total(cls, rekap: Iterable[RekapSkm]) -> RekapSkm:
        result = cls()
        for one in rekap:
            result = result.merge(one)
        return result

    def nrr(self) -> dict[str, Fraction] | None:
        """Exact NRR per unsur; None until every unsur has at least one answer."""
        result: dict[str, Fraction] = {}
        for kode, row in zip(KODE_UNSUR, self.jumlah, strict=True):
            answers = sum(row)
            if answers == 0:
                return None
            result[kode] = Fraction(sum(s * n for s, n in zip(SKOR, row, strict=True)), answers)
        return result

    def to_item(self) -> dict[str, int]:
        item = {f"{kode}_{s}": row[s - 1]
                for kode, row in zip(KODE_UNSUR, self.jumlah, strict=True) for s in SKOR}
        item["responden"] = self.responden
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> RekapSkm:
        return cls(tuple((int(item.get(f"{k}_1", 0)), int(item.get(f"{k}_2", 0)),
                          int(item.get(f"{k}_3", 0)), int(item.get(f"{k}_4", 0)))
                         for k in KODE_UNSUR), int(item.get("responden", 0)))


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class NilaiIkm:
    """The exact values, before any rounding for display."""

    nrr: dict[str, Fraction]
    ikm: Fraction  # 1-4
    konversi: Fraction  # 25-100

    @property
    def konversi_2d(self) -> Decimal:
        """The converted value as reported and graded (2 decimals, halves up)."""
        return round_half_up(self.konversi, 2)

    @property
    def predikat(self) -> Predikat:
        return predikat_for(self.konversi)


def hitung_ikm(rekap: RekapSkm) -> NilaiIkm | None:
    """NRR, IKM and converted IKM of a tally; None when some unsur has no answer."""
    nrr = rekap.nrr()
    if nrr is None:
        return None
    ikm = sum(nrr.values(), Fraction(0)) / len(UNSUR)
    return NilaiIkm(nrr=nrr, ikm=ikm, konversi=ikm * KONVERSI)


def unsur_terlemah(nrr: Mapping[str, Fraction | float], jumlah: int = 3) -> list[str]:
    """The `jumlah` unsur with the lowest NRR; ties keep the order U1..U9 (stable sort)."""
    ordered = sorted((k for k in KODE_UNSUR if k in nrr), key=lambda k: nrr[k])
    return ordered[:jumlah]


class HasilSkm(BaseModel):
    """The SKM result of one unit (or of all of Jakarta) for one survey."""

    model_config = ConfigDict(frozen=True)

    unit: str  # unit code; "jakarta" for the whole province
    periode: str  # e.g. 2026-Q3
    populasi: int  # N: distinct persons the unit served (plus panel members)
    sampel_minimal: int  # Krejcie & Morgan of N
    diundang: int  # persons drawn and invited
    responden: int  # complete responses received
    sampel_terpenuhi: bool
    tingkat_respons: float | None  # responden / diundang (0-1); None when nobody was invited
    nrr: dict[str, float] | None  # per unsur, 4 decimals (display; grading uses exact values)
    ikm: float | None  # 1-4, 4 decimals
    ikm_konversi: float | None  # 25-100, 2 decimals: the value graded
    mutu: str | None  # A | B | C | D
    kinerja: str | None  # Sangat Baik | Baik | Kurang Baik | Tidak Baik
    kinerja_en: str | None
    unsur_terlemah: list[str]


JAKARTA = "jakarta"


@dataclass(frozen=True)
class DataSkmUnit:
    """What the survey service knows about one unit when the survey closes."""

    unit: str
    rekap: RekapSkm
    populasi: int
    diundang: int
    sampel_minimal: int | None = None  # default: Krejcie & Morgan of populasi


def hasil_skm(data: DataSkmUnit, periode: str, weakest: int = 3) -> HasilSkm:
    required = krejcie_morgan(data.populasi) if data.sampel_minimal is None else (
        data.sampel_minimal)
    nilai = hitung_ikm(data.rekap)
    predikat = nilai.predikat if nilai else None
    return HasilSkm(
        unit=data.unit,
        periode=periode,
        populasi=data.populasi,
        sampel_minimal=required,
        diundang=data.diundang,
        responden=data.rekap.responden,
        sampel_terpenuhi=data.rekap.responden >= required,
        tingkat_respons=data.rekap.responden / data.diundang if data.diundang else None,
        nrr={k: float(round_half_up(v, 4)) for k, v in nilai.nrr.items()} if nilai else None,
        ikm=float(round_half_up(nilai.ikm, 4)) if nilai else None,
        ikm_konversi=float(nilai.konversi_2d) if nilai else None,
        mutu=predikat.mutu if predikat else None,
        kinerja=predikat.kinerja if predikat else None,
        kinerja_en=predikat.kinerja_en if predikat else None,
        unsur_terlemah=unsur_terlemah(nilai.nrr, weakest) if nilai else [],
    )


def hasil_jakarta(units: Sequence[DataSkmUnit], periode: str,
                  populasi: int | None = None, weakest: int = 3) -> HasilSkm:
    """All of Jakarta from the units' pooled answers (not an average of their IKMs).

    `populasi` is the distinct persons over all units when the caller knows it (a
    person served by two units counts once); by default the units' populations are added.
    """
    total = DataSkmUnit(
        unit=JAKARTA,
        rekap=RekapSkm.total(u.rekap for u in units),
        populasi=sum(u.populasi for u in units) if populasi is None else populasi,
        diundang=sum(u.diundang for u in units),
        sampel_minimal=sum(
            krejcie_morgan(u.populasi) if u.sampel_minimal is None else u.sampel_minimal
            for u in units),
    )
    return hasil_skm(total, periode, weakest)
