from __future__ import annotations

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.intake import parse_intake
from chalicelib.registry import registry


def parse(payload):
    reg = registry()
    return parse_intake(payload, channel="balai-warga", wilayah=reg.wilayah,
                        categories=reg.categories)


def test_a_full_report_is_normalised():
    command = parse({"description": "  Banjir 50 cm  ", "category": "banjir", "lat": "-6,2",
                     "lon": 106.8, "phone": "0812 3456 7890", "email": "Warga@Example.ID",
                     "kelurahan_code": "31.74.01.1003"})
    assert command.description == "Banjir 50 cm"
    assert command.point.lat == -6.2
    assert command.reporter.phone == "+6281234567890"
    assert command.reporter.email == "Warga@example.id"


def test_every_problem_is_listed_not_just_the_first():
    with pytest.raises(ValidationFailed) as caught:
        parse({"description": "", "lat": 100, "lon": 0, "email": "x", "category": "nope"})
    fields = [p.field for p in caught.value.problems]
    assert fields == ["description", "category", "lat", "email"]
    for problem in caught.value.problems:
        assert problem.message_id and problem.field in problem.message_en.lower()


def test_nan_and_infinity_are_not_coordinates():
    for bad in ("nan", "inf", float("nan")):
        with pytest.raises(ValidationFailed):
            parse({"description": "x", "lat": bad, "lon": 106.8})


def test_nul_characters_are_refused():
    with pytest.raises(ValidationFailed):
        parse({"description": "a\x00b"})


def test_html_is_kept_as_text():
    assert parse({"description": "<script>alert(1)</script>"}).description.startswith("<script>")
