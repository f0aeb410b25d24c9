"""The officer directory CSV: every row checked (role fits unit, contacts, alerts), all or
nothing, each problem named by its row in both languages."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.officer_directory import parse_directory
from chalicelib.registry import registry

HEADER = "username,role,unit,name,email,phone,alerts\n"


def parse(rows: str):
    reg = registry()
    return parse_directory(HEADER + rows, reg.units, reg.role_policies)


def problems(rows: str) -> list[str]:
    with pytest.raises(ValidationFailed) as refused:
        parse(rows)
    return [p.field for p in refused.value.problems]


def test_a_good_file_gives_officers_with_normalised_contacts_and_default_alerts():
    officers = parse(
        "Lurah.Gambir,lurah,31.71.01.1001,Lurah Gambir,Lurah.Gambir@Jakarta.go.id,"
        "0811-0000-0001,\n"
        "dinas.bm,dinas,opd:bina-marga,,dinas.bm@jakarta.go.id,,\n"
        "camat.gambir,camat,31.71.01,,camat@jakarta.go.id,+62 811 0000 0004,email\n")
    lurah, dinas, camat = officers
    assert (lurah.username, lurah.role, lurah.unit) == ("lurah.gambir", "lurah", "31.71.01.1001")
    assert lurah.phone == "+6281100000001" and lurah.email == "Lurah.Gambir@jakarta.go.id"
    assert lurah.alerts == ["email", "sms"]  # both contacts given, none chosen: both
    assert dinas.alerts == ["email"] and dinas.phone is None and dinas.name is None
    assert camat.alerts == ["email"]


def test_every_bad_row_is_named_and_nothing_is_loaded():
    fields = problems(
        "ok.user,lurah,31.71.01.1001,,a@jakarta.go.id,,\n"
        "x,lurah,31.71.01.1001,,b@jakarta.go.id,,\n"  # username too short
        "bad.role,bupati,31.71.01.1001,,c@jakarta.go.id,,\n"
        "bad.unit,lurah,31.99.99.9999,,d@jakarta.go.id,,\n"
        "lurah.at.kota,lurah,31.71,,e@jakarta.go.id,,\n"  # a lurah heads a kelurahan
        "no.email,lurah,31.71.01.1001,,,,\n"
        "bad.phone,lurah,31.71.01.1001,,f@jakarta.go.id,123,\n"
        "sms.no.phone,lurah,31.71.01.1001,,g@jakarta.go.id,,sms\n"
        "bad.alert,lurah,31.71.01.1001,,h@jakarta.go.id,,fax\n"
        "ok.user,lurah,31.71.01.1001,,i@jakarta.go.id,,\n")  # the same username again
    assert fields == ["baris 3: username", "baris 4: role", "baris 5: unit", "baris 6: role",
                      "baris 7: email", "baris 8: phone", "baris 9: alerts",
                      "baris 10: alerts", "baris 11: username"]


def test_messages_are_bilingual_and_name_the_row():
    with pytest.raises(ValidationFailed) as refused:
        parse("lurah.at.kota,lurah,31.71,,e@jakarta.go.id,,\n")
    (problem,) = refused.value.problems
    assert problem.message_id.startswith("Baris 2: peran 'lurah' tidak sesuai")
    assert problem.message_en.startswith("Row 2: the role 'lurah' does not fit")


@pytest.mark.parametrize("text", ["username,role\nx,lurah\n", "", HEADER])
def test_a_file_without_the_columns_or_officers_is_refused(text):
    reg = registry()
    with pytest.raises(ValidationFailed):
        parse_directory(text, reg.units, reg.role_policies)
