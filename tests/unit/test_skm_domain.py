"""The SKM process rules: population, timeline, tokens, messages, answers, the panel CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.periods import parse_period
from chalicelib.domain.report import Reporter, apply_action, open_report
from chalicelib.domain.skm import (
    closes_at,
    in_sending_hours,
    invitation,
    opt_out_key,
    parse_answer,
    parse_panel,
    questionnaire,
    reminder_due,
    served_by,
    survey_token,
    token_hash,
    token_period,
)
from chalicelib.domain.status import Action
from chalicelib.registry import registry

POLICY = SlaPolicy()
SECRET = b"test-secret"
Q3 = parse_period("2026-Q3")
KEL = "31.71.01.1001"


def finished(reporter: Reporter, at: datetime):
    report, _ = open_report(ticket="AB12-CD34", channel="jaki", description="x", now=at,
                            policy=POLICY, reporter=reporter)
    events = []
    for action, unit in ((Action.TUGASKAN, KEL), (Action.PROSES, None),
                         (Action.SELESAI, None), (Action.VALIDASI, None)):
        report, event = apply_action(report, action, actor="x", now=at, note="n", unit=unit)
        events.append(event)
    return report, events


def test_the_population_is_the_reporter_of_each_accepted_follow_up_on_its_wib_day():
    at = datetime(2026, 9, 30, 17, 30, tzinfo=UTC)  # 00:30 WIB on 1 October: Q4
    report, events = finished(Reporter(phone="+6281234567890"), at)
    [served] = served_by(report, events)
    assert (served.unit, served.person, served.quarter.code) == (KEL, "+6281234567890",
                                                                 "2026-Q4")
    report, events = finished(Reporter(email="Budi@Example.ID"), at)
    assert served_by(report, events)[0].person == "budi@example.id"
    report, events = finished(Reporter(name="tanpa kontak"), at)
    assert served_by(report, events) == []


def test_timeline_reminders_and_quiet_hours():
    launch = datetime(2026, 9, 30, 18, 0, tzinfo=UTC)
    assert closes_at(launch) == launch + timedelta(days=14)
    invited = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    assert reminder_due(invited, 0) == invited + timedelta(days=3)
    assert reminder_due(invited, 1) == invited + timedelta(days=7)
    assert reminder_due(invited, 2) is None
    assert not in_sending_hours(launch)  # 01:00 WIB
    assert in_sending_hours(datetime(2026, 10, 1, 1, 0, tzinfo=UTC))  # 08:00 WIB
    assert not in_sending_hours(datetime(2026, 10, 1, 13, 0, tzinfo=UTC))  # 20:00 WIB


def test_tokens_are_personal_stable_and_only_their_hash_is_kept():
    token = survey_token(SECRET, Q3, "+6281234567890", "seed")
    assert token == survey_token(SECRET, Q3, "+6281234567890", "seed")  # reminders reuse it
    assert token != survey_token(SECRET, Q3, "+6281234567891", "seed")
    assert token != survey_token(SECRET, Q3, "+6281234567890", "other seed")
    assert token != survey_token(b"another secret", Q3, "+6281234567890", "seed")
    assert token.startswith("2026Q3-") and len(token) == 31
    assert token_period(token) == Q3
    assert token_period("2026Q5-" + token[7:]) is None and token_period("x") is None
    assert len(token_hash(token)) == 64 and token not in token_hash(token)
    assert "6281234567890" not in opt_out_key(SECRET, "+6281234567890")


def test_the_invitation_sms_fits_one_segment_and_the_email_is_bilingual():
    link = "https://crm.jakarta.go.id/skm/" + survey_token(SECRET, Q3, "+62812", "s")
    closes = datetime(2026, 10, 14, 18, 0, tzinfo=UTC)
    for reminder in (0, 1, 2):
        message = invitation(Q3, "Kelurahan Gambir", link, closes, reminder)
        assert len(message.sms) <= 160 and link in message.sms
        assert link in message.email and "15 Okt 2026 01:00 WIB" in message.email
        assert "You were chosen at random" in message.email


def test_the_questionnaire_has_the_nine_unsur_with_four_labelled_choices():
    form = questionnaire(Q3, KEL, "Kelurahan Gambir", datetime(2026, 10, 14, 18, tzinfo=UTC))
    assert [u["kode"] for u in form["unsur"]] == [f"U{i}" for i in range(1, 10)]
    assert form["unsur"][2]["nama"] == "Waktu Penyelesaian"
    assert [c["nilai"] for c in form["unsur"][0]["pilihan"]] == [1, 2, 3, 4]
    assert form["komentar"] == {"wajib": False, "maks": 1000}


def test_answers_need_all_nine_unsur_and_a_short_comment():
    jawaban, comment = parse_answer({"jawaban": {f"U{i}": 4 for i in range(1, 10)},
                                     "komentar": "  bagus  "})
    assert jawaban.nilai == (4,) * 9 and comment == "bagus"
    with pytest.raises(ValidationFailed) as missing:
        parse_answer({"jawaban": {"U1": 4}})
    assert len(missing.value.problems) == 8
    with pytest.raises(ValidationFailed):
        parse_answer({"jawaban": {f"U{i}": 4 for i in range(1, 10)}, "komentar": "x" * 1001})
    with pytest.raises(ValidationFailed):
        parse_answer({"U1": 4})


def test_the_panel_csv_is_all_or_nothing_with_row_numbers():
    units = registry().units
    members = parse_panel("\ufeffUnit,Phone,Email\n31.71.01.1001,0812-3456-7890,\n"
                          "31.71.01.1001,+62 812 3456 7890,\n31.71,,A@B.id\n", units)
    assert [(m.unit, m.person) for m in members] == [(KEL, "+6281234567890"),
                                                     ("31.71", "a@b.id")]
    with pytest.raises(ValidationFailed) as bad:
        parse_panel("unit,phone,email\nxx,,a@b.id\n31.71,0812,\n31.71,,not-an-email\n", units)
    assert [p.field for p in bad.value.problems] == [
        "baris 2: unit", "baris 3: phone", "baris 4: email"]
    with pytest.raises(ValidationFailed):
        parse_panel("nama,telepon\nBudi,0812\n", units)
