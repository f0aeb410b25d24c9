"""Kelurahan and kecamatan names in a report's address or text (routing rule 3).

Jakarta's names repeat across levels: "Menteng" is both a kecamatan (31.71.06) and
one of its five kelurahan (31.71.06.1001), and "Menteng Dalam" and "Menteng Atas"
lie in other kecamatan; kelurahan Jatinegara is in Kec. Cakung, not in Kec.
Jatinegara. The rules here therefore only name a kelurahan when the text leaves no
doubt, and never guess:

- Names are matched on whole words (a name never matches inside another word),
  ignoring case, punctuation and spacing ("Pulogadung" = "Pulo Gadung"), with a
  small typo tolerance that grows with the name's length. The longest match wins
  ("Menteng Dalam" over "Menteng").
- "Kel."/"Kelurahan" or "Kec."/"Kecamatan" before a name says which level it is
  (and allows one typo in a short name: "Kelurahan Gambier").
- A bare name that is also a kecamatan name, or an ordinary word ("Baru", "Tengah",
  "Gunung"), names a kelurahan only if its kecamatan is named separately, as in the
  address format of map apps: "Menteng, Kec. Menteng". Otherwise a bare "Menteng"
  is only a hint for the kecamatan.
- Several kelurahan, a kelurahan outside the kecamatan that is named, or a name
  that fits several places: ambiguous, no guess.
- Words after "Jl."/"Gg." (and "Jalan" in an address) are a street name, not a
  place: Jl. Pasar Minggu crosses several kelurahan.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

from chalicelib.domain.wilayah import Region, Wilayah

MAX_NAME_WORDS = 4  # "Pulau Untung Jawa", "Cipinang Besar Selatan" + a split word

KEL_MARKERS = frozenset({"kel", "kelurahan"})
KEC_MARKERS = frozenset({"kec", "kecamatan"})
STREET_MARKERS = frozenset({"jl", "jln", "gg"})
ADDRESS_STREET_MARKERS = STREET_MARKERS | {"jalan", "gang"}
# A street name ends at these (or at the end of the segment, or a kel/kec marker).
STREET_STOPS = frozenset({"no", "nomor", "nmr", "rt", "rw", "blok", "kav", "kavling",
                          "di", "dekat", "depan", "samping", "belakang", "sebelah", "arah"})
# Abbreviations whose period does not end a sentence.
ABBREVIATIONS = KEL_MARKERS | KEC_MARKERS | STREET_MARKERS | STREET_STOPS | {
    "kab", "kp", "kpg", "komp", "perum", "pt", "dki", "kota", "adm", "prov"}

# Kelurahan names that are also ordinary words or generic phrases in reports
# ("rumah baru", "kebon kosong", "minyak kayu putih"): bare, they need their
# kecamatan named too. Keys are lower case without spaces.
COMMON_WORD_NAMES = frozenset({
    "baru", "tengah", "gunung", "jati", "pulo", "karet", "kenari", "tangki", "guntur",
    "kramat", "setu", "galur", "gedong", "bangka", "selong", "rambutan", "kamal", "dukuh",
    "kartini", "bungur", "serdang", "kebonkosong", "kayuputih", "kayumanis",
    "tanahtinggi", "pasarbaru", "kelapadua",
})


class PlaceOutcome(StrEnum):
    KELURAHAN = "kelurahan"  # one kelurahan, no doubt
    KECAMATAN = "kecamatan"  # only a kecamatan: a hint, not enough to route
    AMBIGUOUS = "ambiguous"  # several places fit: no guess
    NONE = "none"


@dataclass(frozen=True)
class PlaceMatch:
    outcome: PlaceOutcome
    kelurahan_code: str | None = None
    kecamatan_code: str | None = None  # the kelurahan's, or the hinted one
    candidates: tuple[str, ...] = ()  # the codes that competed, when ambiguous
    reason: str = ""  # why, in English, for the history and the logs
    mentions: tuple[str, ...] = ()  # the words of the text that matched


def squash(text: str) -> str:
    """Lower case ASCII letters and digits only: the form names are compared in."""
    return re.sub(r"[^a-z0-9]", "", _ascii(text).lower())


def _allowed_edits(name_key: str, marked: bool) -> int:
    # Short names tolerate no typo unless a Kel./Kec. marker says a name follows:
    # one edit turns "senen" into "senin" (Monday) and "gedong" into "gedung".
    if len(name_key) <= 4:
        return 0
    if len(name_key) <= 6:
        return 1 if marked else 0
    return 1 if len(name_key) <= 9 else 2


@dataclass(frozen=True)
class _Token:
    word: str  # lower case ASCII
    start: int  # character offsets in the original text
    end: int
    kind: str  # "word" | "kel" | "kec" | "street"


@dataclass(frozen=True)
class _Mention:
    text: str
    marker: str | None  # "kel" | "kec"
    key: str  # the (longest) name matched, squashed
    kelurahan: frozenset[str]
    kecamatan: frozenset[str]
    common: bool


_TOKEN = re.compile(r"[a-z0-9]+|[,;\n\r()\[\]/|]|\.(?=\s|$)")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _segments(plain: str, street_markers: frozenset[str]) -> list[list[_Token]]:
    """Words of ASCII text grouped by clause (commas, lines, sentence ends), markers marked."""
    lowered = plain.lower()  # same offsets as `plain`
    segments: list[list[_Token]] = [[]]
    in_street = False
    for match in _TOKEN.finditer(lowered):
        word = match.group()
        current = segments[-1]
        if not word[0].isalnum():
            if word == "." and current and current[-1].word in ABBREVIATIONS:
                continue  # "Jl. X", "Kel. Y": not a sentence end
            if current:
                segments.append([])
            in_street = False
            continue
        kind = "word"
        if word in KEL_MARKERS or _near(word, "kelurahan"):
            kind, in_street = "kel", False
        elif word in KEC_MARKERS or _near(word, "kecamatan"):
            kind, in_street = "kec", False
        elif word in street_markers:
            kind, in_street = "street", True
        elif in_street and word in STREET_STOPS:
            in_street = False
        elif in_street:
            kind = "street"
        current.append(_Token(word, match.start(), match.end(), kind))
    return [s for s in segments if s]


def _near(word: str, marker: str) -> bool:
    """A misspelt marker word ("kelurhan", "kecamtan")."""
    return len(word) >= 7 and word[:3] == marker[:3] and Levenshtein.distance(word, marker) <= 2


class PlaceNames:
    """Finds kelurahan and kecamatan of DKI Jakarta named in free text."""

    def __init__(self, wilayah: Wilayah) -> None:
        self._wilayah = wilayah
        by_key: dict[str, list[Region]] = {}
        words: dict[str, set[tuple[str, ...]]] = {}
        for level in ("kelurahan", "kecamatan"):
            for region in wilayah.of_level(level):
                key = squash(region.name)
                by_key.setdefault(key, []).append(region)
                words.setdefault(key, set()).add(tuple(squash(w) for w in region.name.split()))
        self._by_key = by_key
        self._words = words
        self._keys = sorted(by_key)

    def find(self, address: str | None = None, description: str | None = None) -> PlaceMatch:
        """The place the texts name. An address treats "Jalan ..." as a street name."""
        text_parts = []
        if address:
            text_parts.append((address, ADDRESS_STREET_MARKERS))
        if description:
            text_parts.append((description, STREET_MARKERS))
        mentions: list[_Mention] = []
        for text, street_markers in text_parts:
            plain = _ascii(text)
            for segment in _segments(plain, street_markers):
                mentions.extend(self._mentions(plain, segment))
        return self._resolve(mentions)

    # -- matching -----------------------------------------------------------

    def _mentions(self, text: str, segment: list[_Token]) -> list[_Mention]:
        spans: list[tuple[int, int, str]] = []  # token start, token end, squashed words
        for i, token in enumerate(segment):
            if token.kind != "word":
                continue
            key = ""
            for j in range(i, min(i + MAX_NAME_WORDS, len(segment))):
                if segment[j].kind != "word":
                    break
                key += segment[j].word
                if not key.isdigit():
                    spans.append((i, j + 1, key))
        if not spans:
            return []
        distances = cdist([s[2] for s in spans], self._keys, scorer=Levenshtein.distance,
                          score_cutoff=2, workers=1)
        found: list[tuple[int, int, int, _Mention]] = []
        for row, (i, j, _key) in enumerate(spans):
            before = segment[i - 1].kind if i > 0 else None
            marked = before in ("kel", "kec")
            best: list[str] = []
            best_distance = 3
            for col in np.flatnonzero(distances[row] <= 2):
                name_key, distance = self._keys[col], int(distances[row, col])
                if distance > _allowed_edits(name_key, marked) or distance > best_distance:
                    continue
                if name_key in COMMON_WORD_NAMES and distance > 0 and not marked:
                    continue
                if distance < best_distance:
                    best, best_distance = [], distance
                best.append(name_key)
            words = [t.word for t in segment[i:j]]
            if len(best) == 1 and best_distance > 0 and not self._typo_of(words, best[0]):
                continue
            if best:
                mention = self._mention(text[segment[i].start:segment[j - 1].end],
                                        before if marked else None, best)
                found.append((i, j, best_distance, mention))
        # Longest name first, then closest: "Menteng Dalam" beats "Menteng", and the
        # exact "Sawah Besar" beats "di Sawah Besar" read as a misspelling of it.
        found.sort(key=lambda f: (-len(f[3].key), f[2], f[0]))
        taken: set[int] = set()
        chosen: list[tuple[int, _Mention]] = []
        for i, j, _, mention in found:
            if taken.isdisjoint(range(i, j)):
                taken.update(range(i, j))
                chosen.append((i, mention))
        return [m for _, m in sorted(chosen, key=lambda c: c[0])]

    def _typo_of(self, words: list[str], name_key: str) -> bool:
        """A misspelt name keeps its words: every word within one edit, short words exact.

        Without this, "kampung kami" would be two edits from "Kampung Bali".
        """
        for name_words in self._words[name_key]:
            if len(name_words) == 1 and len(words) == 1:
                return True  # the edit budget of the whole name already applies
            if len(name_words) == len(words) and all(
                    Levenshtein.distance(w, n) <= (0 if len(n) <= 4 else 1)
                    for w, n in zip(words, name_words, strict=True)):
                return True
        return False

    def _mention(self, text: str, marker: str | None, name_keys: list[str]) -> _Mention:
        key = max(name_keys, key=len)
        regions = [r for k in name_keys for r in self._by_key[k]]
        kel = frozenset(r.code for r in regions if r.level == "kelurahan")
        kec = frozenset(r.code for r in regions if r.level == "kecamatan")
        # A marker picks the level, when the name exists at that level.
        if marker == "kel" and kel:
            kec = frozenset()
        elif marker == "kec" and kec:
            kel = frozenset()
        elif marker is not None:
            marker = None  # "Kel. Tebet": no such kelurahan, read as a bare name
        common = len(kel) == 1 and not kec and any(k in COMMON_WORD_NAMES for k in name_keys)
        return _Mention(text, marker, key, kel, kec, common)

    # -- deciding -------------------------------------------------------------

    def _parent(self, kelurahan_code: str) -> str:
        region = self._wilayah.get(kelurahan_code)
        assert region is not None and region.parent_code is not None
        return region.parent_code

    def _name(self, code: str) -> str:
        region = self._wilayah.get(code)
        return f"{region.level} {region.name} ({code})" if region else code

    def _resolve(self, mentions: list[_Mention]) -> PlaceMatch:
        if not mentions:
            return PlaceMatch(PlaceOutcome.NONE, reason="no kelurahan or kecamatan named")
        texts = tuple(m.text for m in mentions)

        def places_of(m: _Mention) -> set[str]:
            """The kecamatan a mention points to, whichever level it is read at."""
            return set(m.kecamatan) | {self._parent(k) for k in m.kelurahan}

        def kecamatan_named(besides: _Mention | None = None) -> set[str]:
            """Kecamatan named without doubt by mentions other than `besides`.

            "Kec. Senen" and a bare "Senen" both name Kec. Senen (kelurahan Senen lies
            in it); "Jatinegara" does not (its kelurahan is in Kec. Cakung), nor does
            a kelurahan-only name like "Kenari".
            """
            return {next(iter(places_of(m))) for m in mentions
                    if m is not besides and m.kecamatan and len(places_of(m)) == 1}

        accepted: dict[str, _Mention] = {}
        for m in mentions:
            if not m.kelurahan:
                continue
            if len(m.kelurahan) == 1 and (m.marker == "kel" or (not m.kecamatan and not m.common)):
                accepted.setdefault(next(iter(m.kelurahan)), m)
                continue
            # A bare name shared with a kecamatan, or an ordinary word: only with
            # its kecamatan named elsewhere ("Menteng, Kec. Menteng").
            corroborated = [k for k in m.kelurahan if self._parent(k) in kecamatan_named(m)]
            if len(corroborated) == 1:
                accepted.setdefault(corroborated[0], m)

        named = kecamatan_named()
        if accepted:
            choice = self._pick(accepted, named)
            if choice is None:
                return PlaceMatch(
                    PlaceOutcome.AMBIGUOUS, candidates=tuple(sorted(set(accepted) | named)),
                    reason="several kelurahan, or a kelurahan outside the kecamatan named: "
                    + ", ".join(self._name(c) for c in sorted(set(accepted) | named)),
                    mentions=texts)
            m = accepted[choice]
            return PlaceMatch(PlaceOutcome.KELURAHAN, choice, self._parent(choice),
                              reason=f"{m.text!r} names {self._name(choice)}", mentions=texts)

        # No kelurahan: perhaps one kecamatan. Ordinary words alone are no evidence.
        possible = [places_of(m) for m in mentions if not m.common]
        places = set().union(*possible) if possible else set()
        if not places:
            return PlaceMatch(PlaceOutcome.NONE, reason="only ordinary words that are also "
                              "kelurahan names", mentions=texts)
        if len(places) == 1:
            code = next(iter(places))
            return PlaceMatch(PlaceOutcome.KECAMATAN, kecamatan_code=code,
                              reason=f"only {self._name(code)} is named: no kelurahan",
                              mentions=texts)
        candidates = tuple(sorted({c for m in mentions if not m.common
                                   for c in m.kelurahan | m.kecamatan}))
        return PlaceMatch(PlaceOutcome.AMBIGUOUS, candidates=candidates,
                          reason="the names fit several places: "
                          + ", ".join(self._name(c) for c in candidates), mentions=texts)

    def _pick(self, accepted: dict[str, _Mention], named: set[str]) -> str | None:
        """The one kelurahan the text names, consistent with any kecamatan named."""
        fits = [k for k in accepted if not named or self._parent(k) in named]
        if len(fits) == 1 and len(accepted) == 1:
            return fits[0]
        if len(accepted) > 1:
            # Prefer what is marked "Kel." and sits in the kecamatan named.
            marked = [k for k in fits if accepted[k].marker == "kel"]
            if len(marked) == 1:
                return marked[0]
            if named and len(fits) == 1:
                return fits[0]
        return None
