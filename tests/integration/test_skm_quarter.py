"""A whole quarter: reports finished through the API and stream, the SKM launched by its
schedule, invitations and reminders sent, answers posted, results read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.skm import opt_out_key
from chalicelib.services.kinerja_deps import kinerja_deps
from tests.integration import sent
from tests.integration.kinerja_support import (
    KEL,
    Officers,
    Stream,
    call,
    cheap_transactions,
    link_token,
    sms_to,
    token_of,
)

P1, P2, P3, P4 = "+6281211110001", "+6281211110002", "+6281211110003", "+6281211110004"
E1 = "warga.gambir@example.id"
ALL = {f"U{i}": 4 for i in range(1, 10)}


def scheduled(client, name):
    event = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [],
                                            region="ap-southeast-3")
    return client.lambda_.invoke(name, event).payload


def skm_texts(phone):
    return [text for text in sms_to(phone) if "/skm/" in text]


def email_token(address):
    [message] = [m for m in sent.emails_sent()
                 if address in m.destinations["ToAddresses"] and "/skm/" in m.body]
    return link_token(message.body)


@pytest.fixture
def client(cognito, deps, clock):
    clock.now = datetime(2026, 8, 12, 1, 0, tzinfo=UTC)  # Wednesday 08:00 WIB, 2026-Q3
    with cheap_transactions(), Client(app) as test_client:
        yield test_client


def test_a_full_quarter_from_reports_to_ikm(client, deps, clock):
    stream = Stream(client)
    officers = Officers(client, stream)
    # An earlier survey's respondent who opted out must not be drawn.
    kinerja_deps(deps).skm.opt_out(opt_out_key(deps.settings.token_secret, P4), clock())
    tickets = [officers.file(phone, email, route=False) for phone, email in (
        (P1, None), (P1, None), (P2, None), (P3, None), (P4, None), (None, E1))]
    stream.pump()  # routed to Kelurahan Gambir
    for step, hours in ((officers.proses, 1), (officers.selesai, 20), (officers.validasi, 2)):
        clock.advance(hours=hours)
        for ticket in tickets:
            step(ticket)
    stream.pump()  # counters and the SKM population

    # 01:00 WIB on 1 October: the launch surveys 2026-Q3, sends nothing at night.
    clock.now = datetime(2026, 9, 30, 18, 0, tzinfo=UTC)
    assert scheduled(client, "skm_launch") == {"periode": "2026-Q3", "status": "dibuka",
                                               "populasi": 5, "diundang": 4}
    assert scheduled(client, "skm_dispatch")["undangan"] == 0  # 01:00 WIB: quiet hours
    clock.now = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB
    assert scheduled(client, "skm_dispatch")["undangan"] == 4
    assert scheduled(client, "skm_dispatch")["undangan"] == 0
    assert skm_texts(P4) == []  # opted out
    tokens = {phone: link_token(skm_texts(phone)[0]) for phone in (P1, P2, P3)}
    tokens[E1] = email_token(E1)
    assert len(set(tokens.values())) == 4 and all(t.startswith("2026Q3-") for t in tokens.values())

    form = call(client, "get", f"/skm/{tokens[P1]}").json_body
    assert form["unit"] == {"kode": KEL, "nama": "Kelurahan Gambir"}
    assert [u["kode"] for u in form["unsur"]] == [f"U{i}" for i in range(1, 10)]
    assert form["ditutup"]["wib"] == "15 Okt 2026 01:00 WIB"

    answers = {P1: (ALL, "Cepat sekali"), P2: ({k: 3 for k in ALL}, None),
               E1: ({**{k: 2 for k in ALL}, "U9": 1}, "Kantor sempit")}
    for who, (jawaban, komentar) in answers.items():
        posted = call(client, "post", f"/skm/{tokens[who]}",
                      {"jawaban": jawaban, "komentar": komentar})
        assert posted.status_code == 201, posted.json_body
    again = call(client, "post", f"/skm/{tokens[P1]}", {"jawaban": ALL})
    assert again.status_code == 409 and again.json_body["error"] == "sudah_dijawab"

    # Reminders 3 and 7 days after the invitation, to the one who has not answered.
    clock.now = datetime(2026, 10, 4, 1, 0, tzinfo=UTC)
    assert scheduled(client, "skm_dispatch")["pengingat"] == 1
    clock.now = datetime(2026, 10, 8, 1, 0, tzinfo=UTC)
    assert scheduled(client, "skm_dispatch")["pengingat"] == 1
    assert scheduled(client, "skm_dispatch")["pengingat"] == 0
    texts = skm_texts(P3)
    assert len(texts) == 3 and "Pengingat" in texts[2]
    assert len({link_token(t) for t in texts}) == 1  # the same personal link each time

    live = client.http.get("/skm/results?period=2026-Q3").json_body
    assert live["status"] == "dibuka" and live["final"] is False

    # 14 days after the launch the links expire; the next dispatch closes and freezes.
    clock.now = datetime(2026, 10, 15, 1, 0, tzinfo=UTC)
    late = call(client, "post", f"/skm/{tokens[P3]}", {"jawaban": ALL})
    assert late.status_code == 410 and late.json_body["error"] == "survei_ditutup"
    assert scheduled(client, "skm_dispatch")["ditutup"] == ["2026-Q3"]

    results = client.http.get("/skm/results?period=2026-Q3").json_body
    assert results["status"] == "ditutup" and results["final"] is True
    [unit] = results["unit"]
    assert unit["unit"] == KEL and unit["nama"] == "Kelurahan Gambir"
    assert (unit["populasi"], unit["sampel_minimal"], unit["diundang"], unit["responden"]) == (
        5, 5, 4, 3)
    assert unit["tingkat_respons"] == 0.75 and unit["sampel_terpenuhi"] is False
    # NRR: U1-U8 (4 + 3 + 2) / 3 = 3, U9 (4 + 3 + 1) / 3 = 2.6667; IKM = 26.6667 / 9.
    assert unit["nrr"]["U1"] == 3.0 and unit["nrr"]["U9"] == 2.6667
    assert unit["ikm"] == 2.963 and unit["ikm_konversi"] == 74.07
    assert (unit["mutu"], unit["kinerja"]) == ("C", "Kurang Baik")
    assert unit["unsur_terlemah"][0] == "U9"
    assert results["jakarta"]["ikm_konversi"] == 74.07
    assert results["jakarta"]["populasi"] == 5

    table = client.http.get("/skm/results?period=2026-Q3&format=csv").body.decode()
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["unit"] for r in rows] == ["jakarta", KEL] and rows[1]["U9"] == "2.6667"

    # The IKM feeds the kinerja score of the next quarter's ranking.
    ranking = client.http.get("/kinerja?level=kelurahan&period=2026-Q4").json_body
    assert ranking["unit"][KEL]["ikm"] == 74.07

    admin = token_of(client, "admin")
    audit = call(client, "get", "/skm/audit?period=2026-Q3", token=admin).json_body
    assert audit["sesuai"] is True and audit["masalah"] == [] and audit["diundang"] == 4
