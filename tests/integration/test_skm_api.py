"""SKM: the launch schedule, the draw's rules, tokens refused clearly, opt-out, the panel."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib.adapters.skm_store import PopulationRow
from chalicelib.domain.periods import parse_period, survey_quarter
from chalicelib.domain.timefmt import WIB
from chalicelib.services import skm
from chalicelib.services.kinerja_deps import kinerja_deps
from infra.local.scheduler import parse_schedule
from tests.integration.kinerja_support import (
    KEL,
    call,
    cheap_transactions,
    link_token,
    sms_to,
    token_of,
)

KEL2 = "31.71.01.1002"
LAUNCH = datetime(2026, 9, 30, 18, 0, tzinfo=UTC)  # 01:00 WIB, 1 October 2026
MORNING = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB
ALL = {f"U{i}": 3 for i in range(1, 10)}


def phone(i: int) -> str:
    return f"+62813{i:08d}"


def populate(deps, period: str, unit: str, numbers) -> None:
    kinerja_deps(deps).skm.add_population(period, [
        PopulationRow(unit, phone(i), phone(i), None, "pelapor") for i in numbers],
        parse_period(period).end)


def scheduled(client, name):
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [],
                                            region="ap-southeast-3")
    return client.lambda_.invoke(name, event).payload


def skm_token(number: str) -> str:
    [text, *_] = [t for t in sms_to(number) if "/skm/" in t]
    return link_token(text)


@pytest.fixture
def client(deps, clock):
    clock.now = LAUNCH
    with cheap_transactions(), Client(app) as test_client:
        yield test_client


def schedule_of(name: str) -> str:
    [source] = [s for s in app.event_sources if getattr(s, "name", None) == name]
    return source.schedule_expression.to_string()


def test_the_launch_fires_at_01_wib_on_the_first_day_of_a_quarter_for_the_previous_one(
        client, deps, clock):
    expression = schedule_of("skm_launch")
    assert expression == "cron(0 18 L 3,6,9,12 ? *)"
    schedule = parse_schedule(expression, datetime(2026, 1, 1, tzinfo=UTC))
    fires = schedule.next_after(datetime(2026, 8, 20, tzinfo=UTC))
    assert fires == LAUNCH and fires.astimezone(WIB).strftime("%d %H:%M") == "01 01:00"
    assert survey_quarter(fires).code == "2026-Q3"
    after = schedule.next_after(fires)
    assert after.astimezone(WIB).isoformat() == "2027-01-01T01:00:00+07:00"
    assert survey_quarter(after).code == "2026-Q4"

    populate(deps, "2026-Q3", KEL, range(3))
    populate(deps, "2026-Q2", KEL, range(10, 13))  # not this survey's quarter
    assert scheduled(client, "skm_launch") == {"periode": "2026-Q3", "status": "dibuka",
                                               "populasi": 3, "diundang": 3}
    assert scheduled(client, "skm_launch")["diundang"] == 3  # a second firing: same survey
    clock.now = MORNING
    assert scheduled(client, "skm_dispatch")["undangan"] == 3
    assert sms_to(phone(10)) == []


def test_the_draw_follows_krejcie_morgan_and_asks_nobody_twice(client, deps):
    populate(deps, "2026-Q3", KEL, range(100))  # N = 100 -> 80
    populate(deps, "2026-Q3", KEL2, range(50, 200))  # N = 150 -> 108, 50 shared with KEL
    result = skm.launch(deps)
    units = {u.unit: u for u in kinerja_deps(deps).skm.units("2026-Q3")}
    assert (units[KEL].sampel_minimal, units[KEL2].sampel_minimal) == (80, 108)
    drawn = [p for u in units.values() for p in u.draw.drawn]
    assert len(drawn) == len(set(drawn)) == result["diundang"] == 188
    assert result["populasi"] == 200
    admin_view = skm.audit(deps, _admin(), "2026-Q3")
    assert admin_view["sesuai"] is True


def _admin():
    from chalicelib.domain.officers import Officer, Role

    return Officer(username="admin", role=Role.ADMIN, unit="biro-pemerintahan")


def test_unknown_used_and_expired_tokens_are_refused_clearly(client, deps, clock):
    populate(deps, "2026-Q3", KEL, range(2))
    skm.launch(deps)
    clock.now = MORNING
    skm.dispatch(deps)
    first, second = skm_token(phone(0)), skm_token(phone(1))

    for token, status, code in (("bukan-token", 404, "token_tidak_dikenal"),
                                ("2026Q3-AAAAAAAAAAAAAAAAAAAAAAAA", 404, "token_tidak_dikenal"),
                                ("2025Q1-" + first[7:], 404, "token_tidak_dikenal")):
        answer = call(client, "get", f"/skm/{token}")
        assert (answer.status_code, answer.json_body["error"]) == (status, code)
        assert answer.json_body["message_id"] and answer.json_body["message_en"]

    page = call(client, "get", f"/skm/{first}", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"] == f"/survei/{first}"

    bad = call(client, "post", f"/skm/{first}", {"jawaban": {"U1": 5}})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json_body["errors"]} == {f"U{i}" for i in range(1, 10)}
    assert call(client, "post", f"/skm/{first}", {"jawaban": ALL}).status_code == 201
    for method, body in (("get", None), ("post", {"jawaban": ALL})):
        used = call(client, method, f"/skm/{first}", body)
        assert (used.status_code, used.json_body["error"]) == (409, "sudah_dijawab")

    clock.now = datetime(2026, 10, 14, 18, 0, tzinfo=UTC)  # 01:00 WIB on the 15th: closed
    expired = call(client, "get", f"/skm/{second}")
    assert (expired.status_code, expired.json_body["error"]) == (410, "survei_ditutup")
    assert "15 Okt 2026 01:00 WIB" in expired.json_body["message_id"]
    results = client.http.get("/skm/results?period=2026-Q3").json_body
    assert results["unit"][0]["responden"] == 1  # the refused answers counted nothing
    assert client.http.get("/skm/results?period=2026-Q2").status_code == 404
    assert client.http.get("/skm/results?period=2026-11").status_code == 400


def test_an_opted_out_person_gets_no_reminder_and_is_never_drawn_again(client, deps, clock):
    populate(deps, "2026-Q3", KEL, range(2))
    skm.launch(deps)
    clock.now = MORNING
    skm.dispatch(deps)
    token = skm_token(phone(0))
    stop = call(client, "post", f"/skm/opt-out/{token}")
    assert stop.status_code == 200 and stop.json_body["berhenti"] is True
    declined = call(client, "post", f"/skm/{token}", {"jawaban": ALL})
    assert (declined.status_code, declined.json_body["error"]) == (409, "sudah_berhenti")

    clock.now = datetime(2026, 10, 4, 2, 0, tzinfo=UTC)
    assert skm.dispatch(deps)["pengingat"] == 1  # only the other person
    assert len([t for t in sms_to(phone(0)) if "/skm/" in t]) == 1

    populate(deps, "2026-Q4", KEL, range(2))
    clock.now = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    assert skm.launch(deps)["diundang"] == 1
    [unit] = kinerja_deps(deps).skm.units("2026-Q4")
    assert unit.draw.drawn == [phone(1)] and unit.opted_out == [phone(0)]
    assert unit.populasi == 2  # the opted-out still count in the population


def test_reminders_never_outlive_the_survey(client, deps, clock):
    populate(deps, "2026-Q3", KEL, range(1))
    skm.launch(deps)
    clock.now = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)  # invited late, on day 12
    assert skm.dispatch(deps)["undangan"] == 1
    clock.now = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
    assert skm.dispatch(deps) == {"ditutup": [], "undangan": 0, "pengingat": 0, "gagal": 0,
                                  "selesai": True}
    clock.now = datetime(2026, 10, 15, 1, 0, tzinfo=UTC)
    assert skm.dispatch(deps)["ditutup"] == ["2026-Q3"]
    assert skm.dispatch(deps)["ditutup"] == []


def test_the_panel_is_uploaded_by_admin_or_validator_before_the_launch(cognito, client, deps):
    validator = token_of(client, "validator.biropem")
    lurah = token_of(client, "lurah.gambir")
    csv_headers = {"Content-Type": "text/csv"}
    good = f"unit,phone,email\n{KEL},0813 9999 0001,\n{KEL2},,Warga@Example.ID\n"
    bad = f"unit,phone,email\n{KEL},123,\n31.99,,\n{KEL},,\n"

    refused = call(client, "post", "/skm/panel?period=2026-Q3", good, lurah, csv_headers)
    assert refused.status_code == 403
    invalid = call(client, "post", "/skm/panel?period=2026-Q3", bad, validator, csv_headers)
    assert invalid.status_code == 400
    assert [e["field"] for e in invalid.json_body["errors"]] == [
        "baris 2: phone", "baris 3: unit", "baris 4: phone"]
    month = call(client, "post", "/skm/panel?period=2026-09", good, validator, csv_headers)
    assert month.status_code == 400
    added = call(client, "post", "/skm/panel?period=2026-Q3", good, validator, csv_headers)
    assert added.status_code == 201, added.json_body
    assert added.json_body == {"periode": "2026-Q3", "diterima": 2, "unit": 2}

    assert skm.launch(deps)["populasi"] == 2
    units = {u.unit: u.draw.drawn for u in kinerja_deps(deps).skm.units("2026-Q3")}
    assert units == {KEL: ["+6281399990001"], KEL2: ["warga@example.id"]}
    late = call(client, "post", "/skm/panel?period=2026-Q3", good, validator, csv_headers)
    assert (late.status_code, late.json_body["error"]) == (409, "survei_sudah_diluncurkan")
    audit = call(client, "get", "/skm/audit?period=2026-Q3", token=lurah)
    assert audit.status_code == 403


def test_a_launch_interrupted_after_the_draw_is_finished_by_the_next_run(client, deps, clock,
                                                                         monkeypatch):
    populate(deps, "2026-Q3", KEL, range(3))
    store = kinerja_deps(deps).skm
    monkeypatch.setattr(store, "put_invitations", lambda *a, **k: (_ for _ in ()).throw(
        TimeoutError("Lambda timed out")))
    with pytest.raises(TimeoutError):
        skm.launch(deps)
    assert store.survey("2026-Q3").status == "diundi"
    monkeypatch.undo()
    seed = store.survey("2026-Q3").seed
    assert skm.launch(deps)["status"] == "dibuka"
    assert store.survey("2026-Q3").seed == seed  # the recorded draw stands
    clock.now = MORNING
    assert skm.dispatch(deps)["undangan"] == 3
    questionnaire = call(client, "get", f"/skm/{skm_token(phone(2))}").json_body
    assert json.dumps(questionnaire["unsur"][0]["pilihan"][3]) == json.dumps(
        {"nilai": 4, "label_id": "Sangat sesuai", "label_en": "Very good"})
