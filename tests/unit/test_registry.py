from __future__ import annotations

from chalicelib.domain.report import Report
from chalicelib.domain.routing import RULE_KELURAHAN_CODE, RULE_TRIAGE, decide_route
from chalicelib.registry import registry


def test_jakarta_has_6_kota_44_kecamatan_267_kelurahan():
    wilayah = registry().wilayah
    assert len(wilayah.of_level("kota")) == 6
    assert len(wilayah.of_level("kecamatan")) == 44
    assert len(wilayah.of_level("kelurahan")) == 267


def test_a_kelurahan_knows_its_kecamatan_and_kota():
    chain = registry().wilayah.ancestors("31.71.01.1001")
    assert [(r.level, r.name) for r in chain] == [
        ("kelurahan", "Gambir"), ("kecamatan", "Gambir"),
        ("kota", "Kota Administrasi Jakarta Pusat")]


def test_menteng_is_a_kecamatan_and_a_kelurahan_with_different_codes():
    wilayah = registry().wilayah
    assert wilayah.get("31.71.06").name == wilayah.get("31.71.06.1001").name == "Menteng"
    assert wilayah.kelurahan("31.71.06") is None


def test_every_channel_and_category_opd_is_known():
    reg = registry()
    assert len(reg.channels) == 14  # the 13 official channels + open311
    for category in reg.categories.all():
        if category.opd:
            assert f"opd:{category.opd}" in reg.units


def _report(**fields):
    base = {"ticket": "K7Q4-M9XD", "channel": "jaki", "description": "x",
            "created_at": "2026-11-28T03:00:00Z", "updated_at": "2026-11-28T03:00:00Z"}
    return Report.model_validate({**base, **fields})


def test_routing_by_kelurahan_code_and_first_responder():
    reg = registry()
    kwargs = {"wilayah": reg.wilayah, "units": reg.units, "categories": reg.categories}
    by_code = decide_route(_report(kelurahan_code="31.71.06.1001", category="sampah"), **kwargs)
    assert (by_code.unit, by_code.rule) == ("31.71.06.1001", RULE_KELURAHAN_CODE)
    parking = decide_route(_report(kelurahan_code="31.74.01.1003", category="parkir-liar"),
                           **kwargs)
    assert parking.unit == "sudin:perhubungan:31.74"
    nowhere = decide_route(_report(), **kwargs)
    assert (nowhere.unit, nowhere.rule) == ("biro-pemerintahan", RULE_TRIAGE)
