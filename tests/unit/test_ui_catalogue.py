"""Every word a page shows comes from the catalogue, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.domain.status import Action, Status
from chalicelib.ui_text import catalogue

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"
LITERAL = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def used_keys() -> set[str]:
    sources = [*(ROOT / "templates").glob("*.html"), *(ROOT / "handlers").glob("*.py")]
    return {key for path in sources for key in LITERAL.findall(path.read_text())}


def test_every_literal_key_in_templates_and_handlers_exists():
    missing = sorted(used_keys() - set(catalogue()))
    assert not missing, f"add to chalicelib/data/ui_strings.json: {missing}"


def test_every_status_and_action_has_its_words():
    keys = set(catalogue())
    for status in Status:
        assert f"status.{status}" in keys
    for action in Action:
        assert f"aksi.{action}" in keys and f"riwayat.{action}" in keys


def test_both_languages_everywhere_and_the_same_placeholders():
    for key, value in catalogue().items():
        assert value["id"] and value["en"], key
        assert set(re.findall(r"{(\w+)}", value["id"])) == set(
            re.findall(r"{(\w+)}", value["en"])), key
