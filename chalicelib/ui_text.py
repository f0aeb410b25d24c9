"""The web pages' words, in Bahasa Indonesia and English, from one catalogue.

`chalicelib/data/ui_strings.json` maps a key to {"id": ..., "en": ...}. Pages never
carry their own text: a missing key is an error (KeyError), so a typo fails a test
instead of showing a blank to a citizen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
CATALOGUE = Path(__file__).parent / "data" / "ui_strings.json"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    raw: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {key: value for key, value in raw.items() if not key.startswith("_")}


class Translator:
    """`t("key")` in a template; `t("key", n=3)` fills `{n}` placeholders."""

    def __init__(self, lang: str, strings: Mapping[str, Mapping[str, str]] | None = None):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._strings = strings if strings is not None else catalogue()

    def __call__(self, key: str, **values: Any) -> str:
        text = self._strings[key][self.lang]
        return text.format(**values) if values else text

    def pick(self, id_text: str | None, en_text: str | None) -> str:
        """Choose between a bilingual pair that came from the domain (error messages)."""
        return (en_text if self.lang == "en" else id_text) or id_text or en_text or ""

    def subset(self, prefix: str) -> dict[str, str]:
        """Every string under `prefix.` (for scripts, handed over as JSON data)."""
        return {key[len(prefix) + 1:]: value[self.lang] for key, value in self._strings.items()
                if key.startswith(prefix + ".")}
