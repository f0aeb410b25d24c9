"""Spotting emergencies in a citizen's words (DESIGN section 3).

Emergencies are not CRM business: whoever writes "kebakaran" or "dirampok" must be told
at once to call 112. The report is still filed. A false alarm costs one extra message, a
missed one costs much more, so matching is forgiving: case, accents, punctuation and
hashtags are ignored, repeated letters are collapsed ("kebakarannn"), and the common
Indonesian particles -nya/-lah/-kah/-pun and reduplication with "2" ("rampok2") are
accepted. The word list is data (chalicelib/data/emergency_words.json).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SUFFIXES = ("nya", "lah", "kah", "pun")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_REPEATS = re.compile(r"(.)\1+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return _NOT_WORD.sub(" ", _fold(text)).split()


def _collapse(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def _forms(word: str) -> set[str]:
    """The ways a word of the text may match a term: as written, or without a particle."""
    if len(word) > 2 and word.endswith("2") and not word[:-1].isdigit():
        word = word[:-1]  # rampok2 = rampok-rampok
    forms = {word}
    for suffix in _SUFFIXES:
        # Strip before collapsing letters: "kebakarannya" is kebakaran + nya.
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            forms.add(word[: -len(suffix)])
    return {_collapse(form) for form in forms}


@dataclass(frozen=True)
class Lexicon:
    """Emergency terms, each a tuple of normalised words, with the kind it signals."""

    terms: tuple[tuple[tuple[str, ...], str], ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Iterable[str]]) -> Lexicon:
        """From {kind: [word or phrase, ...]} (the `kinds` of emergency_words.json)."""
        terms = []
        for kind, words in data.items():
            for word in words:
                normalised = tuple(_collapse(w) for w in _words(word))
                if normalised:
                    terms.append((normalised, kind))
        return cls(tuple(terms))


def emergency_kinds(text: str, lexicon: Lexicon) -> list[str]:
    """The kinds of emergency `text` speaks of (sorted), or [] if none."""
    words = [_forms(w) for w in _words(text)]
    found = set()
    for term, kind in lexicon.terms:
        if kind in found:
            continue
        width = len(term)
        for start in range(len(words) - width + 1):
            if all(term[i] in words[start + i] for i in range(width)):
                found.add(kind)
                break
    return sorted(found)
