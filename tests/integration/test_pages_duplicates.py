"""One problem, one report on the pages: nearby reports to support on the form, supporters
and "Masalah muncul lagi" (reopen) on tracking, duplicate candidates with their reasons and
a one-click merge on the officer's report page."""

from __future__ import annotations

import json
import re

import pytest
from chalice.test import Client

from app import app
from tests.integration.pages_support import csrf_of, get, html, post_form, sign_in
from tests.integration.test_pages import finish
from tests.integration.test_sla_sweep import Stream

MONAS = {"lat": "-6.175392", "lon": "106.827153"}
LIGHT = {"category": "lampu-jalan", "kelurahan_code": "31.71.01.1001", **MONAS}


@pytest.fixture
def client(deps):
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def officers(cognito, deps):
    with Client(app) as test_client:
        yield test_client


def file_report(client, stream, description, **fields):
    form = {"kunci": fields.pop("kunci", description), "description": description,
            "name": "Budi Santoso", "phone": "081234567890", **fields}
    answer = post_form(client, "/lapor", form)
    assert answer.status_code == 303, html(answer)
    ticket, token = re.match(r"/lapor/terkirim/([^?]+)\?token=(.+)",
                             answer.headers["Location"]).groups()
    stream.pump()
    return ticket, token


def support(client, ticket, **contact):
    return client.http.post(f"/reports/{ticket}/support", body=json.dumps(contact),
                            headers={"Content-Type": "application/json"})


def nearby_config(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="konfigurasi-sekitar">(.*?)</script>',
                      page, re.S)
    assert found, "no nearby configuration on the form"
    return json.loads(found.group(1))


@pytest.mark.parametrize("lang, button", [("id", "Dukung laporan ini"),
                                          ("en", "Support this report")])
def test_the_form_has_the_nearby_reports_panel_and_its_words(client, lang, button):
    page = html(client.http.get(f"/lapor?lang={lang}"))
    assert 'id="laporan-sekitar"' in page and 'data-source="/nearby/reports"' in page
    config = nearby_config(page)
    assert config["lang"] == lang and config["text"]["dukung"] == button
    assert "{ticket}" in config["text"]["dukung_terima_kasih"]
    assert set(config["status"]) >= {"Menunggu", "Proses"}
    assert not re.search(r"\son[a-z]+\s*=", page)


def test_the_form_lists_what_the_panel_shows_and_support_counts_once(client):
    stream = Stream(client)
    ticket, _ = file_report(client, stream, "Lampu jalan mati <b>gelap</b>", **LIGHT)
    near = client.http.get("/nearby/reports?lat=-6.17541&lon=106.82716&category=lampu-jalan")
    items = json.loads(near.body)["items"]
    assert [i["ticket"] for i in items] == [ticket]
    assert items[0]["description"] == "Lampu jalan mati <b>gelap</b>"  # the script sets text
    assert "Budi" not in near.body.decode() and "0812" not in near.body.decode()
    assert support(client, ticket, phone="0813-1111-2222").json_body["supporter_count"] == 1
    assert support(client, ticket, phone="+6281311112222").status_code == 409


def test_tracking_shows_supporters_and_offers_reopening_for_14_days(officers, clock):
    stream = Stream(officers)
    ticket, token = file_report(officers, stream, "Lampu jalan mati", **LIGHT)
    track = f"/lacak/{ticket}?token={token}"
    assert support(officers, ticket, email="tetangga@example.id").status_code == 201
    page = html(officers.http.get(track))
    assert re.search(r'id="jumlah-pendukung">1<', page)
    assert 'id="form-buka-kembali"' not in page  # still open: nothing to reopen

    finish(officers, ticket)
    page = html(officers.http.get(track))
    assert 'id="form-buka-kembali"' in page and "Masalah muncul lagi" in page
    assert f'action="/lacak/{ticket}/buka-kembali?token={token}"' in page
    english = html(officers.http.get(track + "&lang=en"))
    assert "The problem is back" in english and "Citizens supporting this report" in english

    reopen = f"/lacak/{ticket}/buka-kembali?token={token}"
    empty = post_form(officers, reopen, {"note": "  "})
    assert empty.status_code == 400 and "alert-error" in html(empty)
    # the language toggle of a page answering a POST leads to the tracking page (a GET)
    assert f'href="/lacak/{ticket}?token={token}&amp;lang=en"' in html(empty)
    assert "Selesai" in re.findall(r'class="status-line"><span class="badge s-\w+">([^<]+)',
                                   html(empty))
    wrong = post_form(officers, f"/lacak/{ticket}/buka-kembali?token=palsu", {"note": "Lagi"})
    assert wrong.status_code == 404

    clock.advance(days=3)
    done = post_form(officers, reopen, {"note": "Lampu <i>mati</i> lagi sejak semalam"})
    assert done.status_code == 303 and done.headers["Location"] == track + "&pesan=dibuka"
    page = html(officers.http.get(done.headers["Location"]))
    assert "Laporan dibuka kembali" in page and "Lampu &lt;i&gt;mati&lt;/i&gt; lagi" in page
    assert 'id="tambah-foto"' in page  # open again: the reporter may add a recent photo
    assert 'id="form-buka-kembali"' not in page

    stream.pump()
    finish(officers, ticket)
    clock.advance(days=15)
    page = html(officers.http.get(track))
    assert 'id="form-buka-kembali"' not in page  # the 14 days are over
    late = post_form(officers, reopen, {"note": "Mati lagi"})
    assert late.status_code == 409 and "14 hari" in html(late)


def test_the_officer_sees_candidates_with_reasons_and_merges_in_one_click(officers):
    stream = Stream(officers)
    parent, _ = file_report(officers, stream, "Lampu jalan di depan Monas mati", **LIGHT)
    child, _ = file_report(officers, stream, "PJU mati dekat Monas",
                           **{**LIGHT, "lat": "-6.17545", "phone": "081355556666"})
    jar = sign_in(officers, "lurah.gambir")
    page = html(get(officers, f"/petugas/laporan/{child}", jar))
    assert "Kemungkinan laporan yang sama" in page
    assert f'href="/petugas/laporan/{parent}"' in page
    assert re.search(r"lokasi berjarak [\d.]+ m, kategori sama", page)
    assert f'name="parent_ticket" value="{parent}"' in page
    assert re.search(r'id="jumlah-pendukung">0<', page)

    merged = post_form(officers, f"/petugas/laporan/{child}/aksi", {
        "csrf": csrf_of(page), "action": "duplikat", "parent_ticket": parent,
        "note": f"Masalah yang sama sudah dilaporkan dengan tiket {parent}."}, jar)
    assert merged.status_code == 303, html(merged)
    after = html(get(officers, merged.headers["Location"], jar))
    assert "Duplikat" in re.findall(r'class="status-line"><span class="badge s-[\w-]+">([^<]+)',
                                    after)
    stream.pump()
    parent_page = html(get(officers, f"/petugas/laporan/{parent}", jar))
    assert re.search(r'id="jumlah-pendukung">1<', parent_page)  # the merged reporter follows
