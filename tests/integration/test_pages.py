"""The web pages through chalice.test and moto: status, escaping, security headers,
language, the officer session and its CSRF protection."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html import unescape

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.config import settings
from chalicelib.domain.kinerja import KinerjaCounters, KinerjaDelta
from chalicelib.domain.sketch import DurationSketch
from chalicelib.handlers import session
from chalicelib.registry import demo_officers
from chalicelib.services.directory import subscribe_officer
from chalicelib.services.kinerja_deps import kinerja_deps
from chalicelib.services.kinerja_report import send_weekly_summary
from chalicelib.ui_text import catalogue
from tests.integration import sent
from tests.integration.pages_support import (
    cookie_header,
    csrf_of,
    get,
    hidden,
    html,
    post_form,
    set_cookies,
    sign_in,
)
from tests.integration.streams import drain_stream_event

HOSTILE = "<script>alert('xss')</script> Jalan berlubang & \"licin\""
GAMBIR = "31.71.01.1001"


@pytest.fixture
def client(deps):
    """Public pages need no user pool (creating one in moto takes seconds)."""
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def officers(cognito, deps):
    with Client(app) as test_client:
        yield test_client


def file_report(client, description=HOSTILE, **fields):
    form = {"kunci": fields.pop("kunci", "kunci-1"), "description": description,
            "kelurahan_code": GAMBIR, "name": "Budi Santoso", "phone": "081234567890",
            **fields}
    answer = post_form(client, "/lapor", form)
    assert answer.status_code == 303, html(answer)
    location = answer.headers["Location"]
    ticket, token = re.match(r"/lapor/terkirim/([^?]+)\?token=(.+)", location).groups()
    client.lambda_.invoke("route_reports", drain_stream_event())
    return ticket, token


def assert_secure_headers(response):
    csp = response.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                 "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/", "/lapor", "/lacak", "/petugas", "/survei/abc"])
def test_public_pages_render_with_security_headers_and_no_inline_script(client, path):
    response = client.http.get(path)
    assert response.status_code == 200
    assert_secure_headers(response)
    page = html(response)
    assert "<html lang=\"id\">" in page
    # CSP forbids inline code: every script has a src, no element has an event handler
    # attribute or a style attribute.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert not re.search(r"\sstyle\s*=", page)


def test_the_csp_allows_the_photo_storage_origin_from_settings(client):
    csp = client.http.get("/").headers["Content-Security-Policy"]
    media = re.search(r"img-src 'self' data: blob: (\S+);", csp).group(1)
    assert media.startswith("https://") and settings().bucket in media
    assert f"connect-src 'self' {media}" in csp


def test_english_toggle_by_query_then_by_cookie(client):
    english = client.http.get("/?lang=en")
    assert "<html lang=\"en\">" in html(english)
    assert "Report a problem" in html(english)
    jar = set_cookies(english)
    assert jar[session.LANGUAGE] == "en"
    again = get(client, "/lapor", jar)
    assert "Send report" in html(again) and "Kirim laporan" not in html(again)
    # the toggle link leads back to Bahasa Indonesia and keeps other parameters
    assert 'href="/lacak?ticket=X&amp;lang=id"' in html(get(client, "/lacak?ticket=X", jar))


def test_every_catalogue_string_has_both_languages():
    for key, value in catalogue().items():
        assert set(value) == {"id", "en"} and all(value.values()), key


def test_the_form_files_a_report_and_the_confirmation_shows_the_tracking_link(client):
    ticket, token = file_report(client, "Lampu jalan mati di Jl. Kebon Sirih")
    confirmation = client.http.get(f"/lapor/terkirim/{ticket}?token={token}")
    page = html(confirmation)
    assert confirmation.status_code == 200 and ticket in page
    assert f"/lacak/{ticket}?token={token}" in page
    assert f"{settings().public_base_url}/lacak/{ticket}?token={token}" in page


def test_a_resubmitted_form_files_one_report(client):
    first = post_form(client, "/lapor", {"kunci": "sama", "description": "Sampah menumpuk"})
    second = post_form(client, "/lapor", {"kunci": "sama", "description": "Sampah menumpuk"})
    assert first.headers["Location"] == second.headers["Location"]


def test_a_form_lost_to_a_dynamodb_5xx_says_it_may_be_saved_and_a_resend_files_once(
        client, monkeypatch):
    from botocore.exceptions import ClientError
    from pynamodb.connection.base import Connection

    real = Connection._make_api_call

    def commit_then_fail(self, operation, kwargs):
        answer = real(self, operation, kwargs)
        if operation == "TransactWriteItems":  # applied, but the answer is lost
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}},
                              operation)
        return answer

    form = {"kunci": "terputus", "description": "Got mampet di Jl. Abdul Muis"}
    monkeypatch.setattr(Connection, "_make_api_call", commit_then_fail)
    lost = post_form(client, "/lapor", form)
    assert lost.status_code == 503
    assert "mungkin sudah tersimpan" in html(lost) and "muat ulang" in html(lost)
    monkeypatch.setattr(Connection, "_make_api_call", real)
    resent = post_form(client, "/lapor", form)
    assert resent.status_code == 303
    records = drain_stream_event()["Records"]
    filed = [r for r in records
             if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["sk"]["S"] == "A"]
    assert len(filed) == 1  # the first attempt was committed; the resend found it
    assert filed[0]["dynamodb"]["Keys"]["pk"]["S"].endswith(
        resent.headers["Location"].split("/")[-1].split("?")[0])


def test_form_errors_are_shown_next_to_the_fields_and_keep_the_values(client):
    answer = post_form(client, "/lapor", {"kunci": "k", "description": "", "phone": "12",
                                          "name": "<b>Budi</b>"})
    page = html(answer)
    assert answer.status_code == 400
    assert 'id="err-description"' in page and 'id="err-phone"' in page
    assert "&lt;b&gt;Budi&lt;/b&gt;" in page and "<b>Budi</b>" not in page
    assert hidden(page, "kunci") == "k"


def test_tracking_escapes_hostile_text_and_never_shows_the_reporter(client):
    ticket, token = file_report(client, address="<img src=x onerror=alert(1)>")
    response = client.http.get(f"/lacak/{ticket}?token={token}")
    page = html(response)
    assert response.status_code == 200
    assert_secure_headers(response)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;xss&#39;)" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Budi" not in page and "081234567890" not in page and "+6281234567890" not in page
    assert "s-merah" in page  # Menunggu is red on the timeline
    assert "Kelurahan Gambir" in page


def test_tracking_with_a_wrong_token_is_a_404_page(client):
    ticket, _ = file_report(client)
    assert client.http.get(f"/lacak/{ticket}?token=%C3%B1").status_code == 404  # non-ASCII
    response = client.http.get(f"/lacak/{ticket}?token=salah")
    assert response.status_code == 404
    assert "Laporan tidak ditemukan" in html(response)
    assert_secure_headers(response)


def test_the_track_form_redirects_to_the_tracking_page(client):
    response = client.http.get("/lacak?ticket=ABCD-1234&token=t0k")
    assert response.status_code == 303
    assert response.headers["Location"] == "/lacak/ABCD-1234?token=t0k"


def officer_token(officers, username):
    answer = officers.http.post("/auth/login", headers={"Content-Type": "application/json"},
                                body=json.dumps({"username": username,
                                                 "password": "Demo-Password-2026"}))
    return answer.json_body["id_token"]


def finish(officers, ticket):
    """lurah.gambir finishes with an after photo, the validator accepts (JSON API)."""
    lurah = officer_token(officers, "lurah.gambir")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {lurah}"}
    form = officers.http.post(f"/officer/reports/{ticket}/photos", headers=headers,
                              body=json.dumps({"kind": "after", "content_type": "image/jpeg"}))
    key = form.json_body["key"]
    boto3.client("s3").put_object(Bucket=settings().bucket, Key=key, Body=b"\xff\xd8jpeg",
                                  ContentType="image/jpeg")
    done = officers.http.post(f"/officer/reports/{ticket}/actions", headers=headers,
                              body=json.dumps({"action": "selesai", "note": "Sudah diperbaiki",
                                               "photos": [{"key": key, "kind": "after"}]}))
    assert done.status_code == 200, done.json_body
    validator = officer_token(officers, "validator.biropem")
    accepted = officers.http.post(
        f"/officer/reports/{ticket}/actions", body=json.dumps({"action": "validasi"}),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {validator}"})
    assert accepted.status_code == 200


def test_the_rating_form_appears_once_done_and_records_the_rating(officers):
    ticket, token = file_report(officers)
    assert 'name="stars"' not in html(officers.http.get(f"/lacak/{ticket}?token={token}"))
    finish(officers, ticket)
    page = html(officers.http.get(f"/lacak/{ticket}?token={token}"))
    assert 'name="stars"' in page and "s-hijau" in page
    assert page.count("<img") == 1  # the after photo
    bad = post_form(officers, f"/lacak/{ticket}/nilai?token={token}", {"stars": "9"})
    assert bad.status_code == 400 and "1-5" in html(bad)
    rated = post_form(officers, f"/lacak/{ticket}/nilai?token={token}",
                      {"stars": "4", "comment": "Terima kasih"})
    assert rated.status_code == 303 and rated.headers["Location"].endswith("&pesan=dinilai")
    after = html(officers.http.get(rated.headers["Location"]))
    assert "★★★★☆" in after and 'name="stars"' not in after


def test_the_survey_page_lists_the_nine_elements(client):
    page = html(client.http.get("/survei/tok-123"))
    assert all(f'name="U{i}"' in page for i in range(1, 10))
    assert 'data-token="tok-123"' in page


def test_hostile_survey_token_is_escaped(client):
    page = html(client.http.get('/survei/%22%3E%3Cscript%3E'))
    assert '"><script>' not in page


# -- officers ------------------------------------------------------------------------------

def test_officer_pages_send_an_anonymous_visitor_to_sign_in(client):
    for path in ("/petugas/laporan", "/petugas/laporan/ABCD-1234", "/petugas/peta",
                 "/pimpinan"):
        response = client.http.get(path)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/petugas?next=")


def test_sign_in_sets_an_httponly_session_cookie_and_shows_the_queue(officers):
    ticket, _ = file_report(officers)
    login_page = officers.http.get("/petugas")
    pre = set_cookies(login_page)
    assert "HttpOnly" in str(login_page.headers["Set-Cookie"])
    answer = post_form(officers, "/petugas/masuk", {
        "csrf": csrf_of(html(login_page)), "username": "lurah.gambir",
        "password": "Demo-Password-2026", "next": "/petugas/laporan"}, pre)
    assert answer.status_code == 303 and answer.headers["Location"] == "/petugas/laporan"
    cookie = next(c for c in answer.headers["Set-Cookie"] if c.startswith(session.SESSION))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    jar = set_cookies(answer)
    queue = get(officers, "/petugas/laporan", jar)
    assert queue.status_code == 200
    assert_secure_headers(queue)
    page = html(queue)
    assert ticket in page and "&lt;script&gt;" in page and "<script>alert" not in page


def test_sign_in_refuses_a_form_without_its_pre_session(officers):
    login_page = officers.http.get("/petugas")
    answer = post_form(officers, "/petugas/masuk", {
        "csrf": csrf_of(html(login_page)), "username": "lurah.gambir",
        "password": "Demo-Password-2026"})
    assert answer.status_code == 403 and session.SESSION not in set_cookies(answer)


def test_a_wrong_password_shows_the_form_again(officers):
    login_page = officers.http.get("/petugas")
    answer = post_form(officers, "/petugas/masuk", {
        "csrf": csrf_of(html(login_page)), "username": "lurah.gambir", "password": "salah"},
        set_cookies(login_page))
    assert answer.status_code == 401 and "kata sandi salah" in html(answer)


def test_sign_in_never_redirects_off_site(officers):
    login_page = officers.http.get("/petugas?next=//evil.example/x")
    assert hidden(html(login_page), "next") == "/petugas/laporan"


def test_queue_filters_and_overdue_highlighting(officers, clock):
    ticket, _ = file_report(officers)
    jar = sign_in(officers, "lurah.gambir")
    assert ticket in html(get(officers, "/petugas/laporan?status=Menunggu", jar))
    assert ticket not in html(get(officers, "/petugas/laporan?status=Proses", jar))
    assert ticket not in html(get(officers, "/petugas/laporan?overdue=true", jar))
    clock.advance(hours=30)
    late = html(get(officers, "/petugas/laporan?overdue=true", jar))
    assert ticket in late and "queue-item overdue" in late and "Terlambat" in late
    bad = get(officers, "/petugas/laporan?status=Nope", jar)
    assert bad.status_code == 400 and "Status tidak dikenal" in html(bad)


def test_the_report_page_shows_every_allowed_action_as_a_button(officers):
    ticket, _ = file_report(officers)
    jar = sign_in(officers, "lurah.gambir")
    page = html(get(officers, f"/petugas/laporan/{ticket}", jar))
    buttons = re.findall(r'name="action" value="([a-z_]+)"', page)
    assert set(buttons) == {"proses", "koordinasi", "selesai", "tolak", "bukan_kewenangan",
                            "duplikat", "foto"}
    assert "Budi Santoso" in page  # officers see the reporter's contact
    assert 'data-csrf="' in page and "<script>alert" not in page


def test_an_action_needs_the_csrf_token(officers):
    ticket, _ = file_report(officers)
    jar = sign_in(officers, "lurah.gambir")
    refused = post_form(officers, f"/petugas/laporan/{ticket}/aksi",
                        {"action": "proses", "csrf": "palsu"}, jar)
    assert refused.status_code == 403
    page = html(get(officers, f"/petugas/laporan/{ticket}", jar))
    assert "Menunggu" in page and "Proses" not in re.findall(r"badge s-\w+\">([^<]+)", page)


def test_actions_from_the_report_page_and_their_errors(officers):
    ticket, _ = file_report(officers)
    jar = sign_in(officers, "lurah.gambir")
    csrf = csrf_of(html(get(officers, f"/petugas/laporan/{ticket}", jar)))
    moved = post_form(officers, f"/petugas/laporan/{ticket}/aksi",
                      {"action": "proses", "note": "Meluncur", "csrf": csrf}, jar)
    assert moved.status_code == 303 and moved.headers["Location"].endswith("?pesan=aksi")
    page = html(get(officers, moved.headers["Location"], jar))
    assert "Tindakan tersimpan" in page and "Meluncur" in page
    # selesai without an after photo: refused with the reason, on the same page
    refused = post_form(officers, f"/petugas/laporan/{ticket}/aksi",
                        {"action": "selesai", "note": "beres", "csrf": csrf}, jar)
    assert refused.status_code == 400 and "alert-error" in html(refused)
    assert f'href="/petugas/laporan/{ticket}?lang=en"' in html(refused)  # not .../aksi


def test_the_page_session_works_for_the_json_api_with_csrf_for_changes(officers):
    ticket, _ = file_report(officers)
    jar = sign_in(officers, "lurah.gambir")
    cookie = {"Cookie": cookie_header(jar)}
    listed = officers.http.get("/officer/reports", headers=cookie)
    assert listed.status_code == 200 and listed.json_body["items"][0]["ticket"] == ticket
    body = json.dumps({"kind": "after", "content_type": "image/jpeg"})
    json_type = {"Content-Type": "application/json"}
    without = officers.http.post(f"/officer/reports/{ticket}/photos", body=body,
                               headers={**cookie, **json_type})
    assert without.status_code == 403 and without.json_body["error"] == "csrf_tidak_sah"
    csrf = session.csrf_token(settings(), jar[session.SESSION])
    presigned = officers.http.post(f"/officer/reports/{ticket}/photos", body=body,
                                 headers={**cookie, **json_type, "X-CSRF-Token": csrf})
    assert presigned.status_code == 201


def test_an_expired_session_goes_back_to_sign_in(officers):
    response = get(officers, "/petugas/laporan", {session.SESSION: "not-a-jwt"})
    assert response.status_code == 303
    assert f"{session.SESSION}=;" in str(response.headers["Set-Cookie"])


def test_sign_out_clears_the_session(officers):
    jar = sign_in(officers, "lurah.gambir")
    csrf = csrf_of(html(get(officers, "/petugas/laporan", jar)))
    answer = post_form(officers, "/petugas/keluar", {"csrf": csrf}, jar)
    assert answer.status_code == 303 and answer.headers["Location"] == "/petugas"
    assert set_cookies(answer)[session.SESSION] == ""


def test_leaders_and_map_pages_render_for_signed_in_officers(officers):
    jar = sign_in(officers, "walikota.jakpus")
    for path in ("/pimpinan", "/petugas/peta"):
        response = get(officers, path, jar)
        assert response.status_code == 200, path
        assert_secure_headers(response)
    page = html(get(officers, "/pimpinan?lang=en", jar))
    config = json.loads(re.search(r'id="konfigurasi">(.*?)</script>', page).group(1))
    assert config["lang"] == "en" and config["text"]["belum_ada_data"].startswith("No data")
    assert config["unsur"]["U1"] == "Requirements"  # SKM element names for the chart
    assert [level["id"] for level in config["levels"]][0] == "kelurahan"
    map_page = html(get(officers, "/petugas/peta?lang=en", jar))
    labels = json.loads(re.search(r'id="nama-status">(.*?)</script>', map_page).group(1))
    assert labels["Menunggu"] == catalogue()["status.Menunggu"]["en"]


def test_leaders_page_shows_the_areas_distribution_of_finish_times_without_js(officers, deps):
    # Q4 2026 (the clock's quarter): follow-ups of two Gambir kelurahan and one outside.
    hours = {"31.71.01.1001": [2, 6, 6, 20], "31.71.01.1002": [30, 7 * 24, 10 * 24],
             "31.71.06.1001": [1, 1]}  # Kelurahan Menteng: another kecamatan
    for unit, durations in hours.items():
        finish = DurationSketch.of([h * 3600 for h in durations])
        kinerja_deps(deps).counters.apply(f"seed#{unit}", [KinerjaDelta(
            f"seed#{unit}", unit, date(2026, 11, 2), KinerjaCounters(finish=finish))],
            deps.clock())
    jar = sign_in(officers, "camat.gambir")
    response = get(officers, "/pimpinan", jar)
    assert response.status_code == 200
    assert_secure_headers(response)
    page = html(response)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", page)
    assert "Kecamatan Gambir, Triwulan IV 2026" in page
    assert distribution(page) == [("≤ 6 jam", "3"), ("6–24 jam", "1"), ("1–3 hari", "1"),
                                  ("3–7 hari", "1"), ("> 7 hari", "1"), ("Jumlah", "7")]
    config = json.loads(re.search(r'id="konfigurasi">(.*?)</script>', page).group(1))
    assert config["wilayah"] == {"unit": "31.71.01", "nama": "Kecamatan Gambir"}
    # The same numbers the script reads for its chart.
    api = officers.http.get("/kinerja?level=kelurahan&period=2026-Q4&unit=31.71.01")
    assert api.json_body["unit"]["31.71.01"]["sebaran_selesai"] == {
        "sd_6_jam": 3, "6_24_jam": 1, "1_3_hari": 1, "3_7_hari": 1, "lebih_7_hari": 1}
    # Without JavaScript the form asks for another period; English labels on the toggle.
    other = html(get(officers, "/pimpinan?period=2026-Q3&lang=en", jar))
    assert '<option value="2026-Q3" selected>' in other
    assert distribution(other)[0] == ("≤ 6 hours", "0") and distribution(other)[-1] == (
        "Total", "0")


def seed_counters(deps, unit: str, day: date, *, received: int = 0,
                  finish_hours: tuple[float, ...] = ()) -> None:
    source = f"seed#{unit}#{day}"
    counters = KinerjaCounters({"received": received} if received else {},
                               finish=DurationSketch.of([h * 3600 for h in finish_hours]))
    kinerja_deps(deps).counters.apply(source, [KinerjaDelta(source, unit, day, counters)],
                                      deps.clock())


def period_select(page: str) -> str:
    return re.search(r'<select id="period".*?</select>', page, re.S).group(0)


def selected_period(page: str) -> tuple[str, str]:
    return re.search(r'<option value="([^"]+)" selected>([^<]*)</option>',
                     period_select(page)).groups()


def period_options(page: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', period_select(page))


def test_the_weekly_emails_link_opens_the_leaders_page_on_that_week(officers, deps, clock):
    for officer in demo_officers():
        subscribe_officer(deps, officer)
    clock.now = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # Monday 07:00 WIB: W48 just ended
    # Week 48 is 23-29 November; the follow-ups of 17 November are the week before.
    seed_counters(deps, "31.71.01.1001", date(2026, 11, 24), received=4,
                  finish_hours=(2, 30))
    seed_counters(deps, "31.71.01.1002", date(2026, 11, 29), received=1, finish_hours=(200,))
    seed_counters(deps, "31.71.01.1001", date(2026, 11, 17), received=9,
                  finish_hours=(1, 1, 1))
    assert send_weekly_summary(deps) == {"periode": "2026-W48", "sent": True}
    [alert] = sent.unit_alerts("unit-biro-pemerintahan")
    link = re.search(r"(\S+/pimpinan\?\S+)", alert["email"]).group(1)
    base = settings().public_base_url
    assert link == f"{base}/pimpinan?period=2026-W48"
    jar = sign_in(officers, "camat.gambir")
    response = get(officers, link.removeprefix(base), jar)
    assert response.status_code == 200
    page = html(response)
    assert selected_period(page) == ("2026-W48", "Minggu ke-48 2026")
    assert "Kecamatan Gambir, Minggu ke-48 2026" in page
    # The figures are the week's, not those of the week before.
    assert distribution(page) == [("≤ 6 jam", "1"), ("6–24 jam", "0"), ("1–3 hari", "1"),
                                  ("3–7 hari", "0"), ("> 7 hari", "1"), ("Jumlah", "3")]
    assert density_rows(page) == [("Kelurahan Gambir", "4"), ("Kelurahan Cideng", "1"),
                                  ("Jumlah di 6 kelurahan", "5")]
    # Recent ISO weeks are offered next to quarters and months, newest first.
    options = period_options(page)
    assert options[:2] == ["2026-Q4", "2026-Q3"] and "2026-11" in options
    assert [o for o in options if "-W" in o] == [f"2026-W{n}" for n in range(49, 41, -1)]
    assert '<optgroup label="Minggu (ISO)">' in page
    # Emails sent before carry `periode=`: still understood.
    assert selected_period(html(get(officers, "/pimpinan?periode=2026-W48", jar))) == (
        "2026-W48", "Minggu ke-48 2026")
    # An older week than those listed is added to the choice (an old email still works)...
    old = html(get(officers, "/pimpinan?period=2026-W20&lang=en", jar))
    assert selected_period(old) == ("2026-W20", "Week 20 of 2026")
    assert period_options(old)[-1] == "2026-W20"
    # ... a period not begun yet, a year or nonsense falls back to the current quarter.
    for asked in ("2026-W50", "2026", "minggu-lalu"):
        assert selected_period(html(get(officers, f"/pimpinan?period={asked}", jar))) == (
            "2026-Q4", "Triwulan IV 2026"), asked


def test_leaders_page_shows_reports_per_kelurahan_of_the_area_for_the_period(officers, deps):
    # Q4 2026 (the clock's quarter) in Kecamatan Gambir, and Menteng (another kecamatan).
    seed_counters(deps, "31.71.01.1001", date(2026, 10, 6), received=5)
    seed_counters(deps, "31.71.01.1003", date(2026, 11, 2), received=2)
    seed_counters(deps, "31.71.01.1002", date(2026, 11, 3), received=2)
    seed_counters(deps, "31.71.06.1001", date(2026, 11, 2), received=9)
    seed_counters(deps, "31.71.01.1002", date(2026, 9, 30), received=7)  # Q3
    jar = sign_in(officers, "camat.gambir")
    store = kinerja_deps(deps).counters
    requests = store.requests
    page = html(get(officers, "/pimpinan", jar))
    # One Query of the running quarter's counters serves both the finish times and the
    # density (no report is read).
    assert store.requests - requests == 1
    assert "Kepadatan laporan per kelurahan" in page and "terbuka maupun" in page
    assert density_rows(page) == [("Kelurahan Gambir", "5"), ("Kelurahan Cideng", "2"),
                                  ("Kelurahan Petojo Utara", "2"),
                                  ("Jumlah di 6 kelurahan", "9")]
    assert "3 kelurahan dengan laporan terbanyak · Kecamatan Gambir, Triwulan IV 2026" in page
    assert 'data-source="/kinerja/kepadatan?unit=31.71.01"' in page
    assert "seluruh kelurahan di DKI Jakarta" not in page
    # The script reads the same numbers (and refills the table when the period changes).
    api = officers.http.get("/kinerja/kepadatan?unit=31.71.01&period=2026-Q4").json_body
    assert {k: v for k, v in api["kelurahan"].items() if v} == {
        "31.71.01.1001": 5, "31.71.01.1002": 2, "31.71.01.1003": 2}
    # Without JavaScript, the form asks for another period.
    q3 = html(get(officers, "/pimpinan?period=2026-Q3&lang=en", jar))
    assert density_rows(q3) == [("Kelurahan Cideng", "7"), ("Total in 6 kelurahan", "7")]
    assert "Reports received by each kelurahan" in q3
    empty = html(get(officers, "/pimpinan?period=2026-W30", jar))
    assert density_rows(empty) == [("Jumlah di 6 kelurahan", "0")]
    assert re.search(r'id="kepadatan-status" role="status">Belum ada data', empty)
    # A reader whose unit has no kelurahan under it (a dinas) sees all of Jakarta.
    dinas = html(get(officers, "/pimpinan", sign_in(officers, "dinas.binamarga")))
    assert "seluruh kelurahan di DKI Jakarta" in dinas
    rows = density_rows(dinas)
    assert rows[0] == ("Kelurahan Menteng", "9") and rows[-1][1] == "18"
    assert "DKI Jakarta, Triwulan IV 2026" in dinas


def density_rows(page: str) -> list[tuple[str, str]]:
    table = re.search(r'<table class="data" id="tabel-kepadatan">(.*?)</table>', page, re.S)
    return [(unescape(label), count) for label, count in re.findall(
        r'<th scope="row">([^<]*)</th><td[^>]*>([^<]*)</td>', table.group(1))]


def distribution(page: str) -> list[tuple[str, str]]:
    table = re.search(r'<table class="data" id="tabel-sebaran">(.*?)</table>', page, re.S)
    return [(unescape(label), count) for label, count in re.findall(
        r'<th scope="row">([^<]*)</th><td[^>]*>([^<]*)</td>', table.group(1))]


# -- static files, the map layer, citizen photos ------------------------------------------------

@pytest.mark.parametrize("path, content_type", [
    ("/static/app/site.css", "text/css"), ("/static/app/maps.js", "text/javascript"),
    ("/static/app/favicon.svg", "image/svg+xml")])
def test_static_files_have_types_and_cache_headers(client, path, content_type):
    plain = client.http.get(path)
    assert plain.status_code == 200
    assert plain.headers["Content-Type"].startswith(content_type)
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    versioned = client.http.get(path + "?v=abc")
    assert "immutable" in versioned.headers["Cache-Control"]


@pytest.mark.parametrize("path", [
    "/static/app/..%2F..%2Fconfig.py", "/static/app/.hidden.js", "/static/templates/base.html",
    "/static/app/nothing.js", "/static/app/site.exe", "/static/..%2Fhandlers/web.py"])
def test_static_files_refuse_traversal_and_unknown_files(client, path):
    assert client.http.get(path).status_code == 404


def test_pages_link_assets_by_content_hash(client):
    page = html(client.http.get("/"))
    assert re.search(r'href="/static/app/site\.css\?v=[0-9a-f]{12}"', page)


def test_the_kelurahan_layer_is_404_without_boundaries(client, monkeypatch):
    from chalicelib.adapters import map_layer

    monkeypatch.delenv("CRM_BOUNDARIES", raising=False)
    map_layer.clear_cache()
    assert client.http.get("/peta/kelurahan.geojson").status_code == 404
    map_layer.clear_cache()


def test_the_kelurahan_layer_is_a_light_sketch_of_the_configured_boundaries(client, tmp_path,
                                                                           monkeypatch):
    from chalicelib.adapters import map_layer

    square = [[106.80, -6.18], [106.84, -6.18], [106.84, -6.16], [106.80, -6.16],
              [106.80, -6.18]]
    layer = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": GAMBIR, "name": "Gambir", "extra": "x"},
        "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    path = tmp_path / "kelurahan.geojson"
    path.write_text(json.dumps(layer))
    monkeypatch.setenv("CRM_BOUNDARIES", str(path))
    map_layer.clear_cache()
    answer = client.http.get("/peta/kelurahan.geojson")
    map_layer.clear_cache()
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/geo+json"
    feature = json.loads(answer.body)["features"][0]
    assert feature["properties"] == {"code": GAMBIR, "name": "Gambir"}


def test_a_reporter_adds_a_photo_with_the_tracking_token(client):
    ticket, token = file_report(client)
    presign = client.http.post(f"/reports/{ticket}/photos?token={token}",
                               headers={"Content-Type": "application/json"},
                               body=json.dumps({"content_type": "image/png"}))
    assert presign.status_code == 201
    key = presign.json_body["key"]
    assert key.startswith(f"reports/{ticket}/citizen-") and key.endswith(".png")
    attach = f"/reports/{ticket}/photos/attach?token={token}"
    json_type = {"Content-Type": "application/json"}
    not_uploaded = client.http.post(attach, headers=json_type, body=json.dumps({"key": key}))
    assert not_uploaded.status_code == 400
    boto3.client("s3").put_object(Bucket=settings().bucket, Key=key, Body=b"\x89PNG",
                                  ContentType="image/png")
    done = client.http.post(attach, headers=json_type, body=json.dumps({"key": key}))
    assert done.status_code == 200 and done.json_body["photos"] == 1
    again = client.http.post(attach, headers=json_type, body=json.dumps({"key": key}))
    assert again.json_body["photos"] == 1  # recorded once
    other = client.http.post(attach, headers=json_type,
                             body=json.dumps({"key": "reports/ZZZZ-ZZZZ/citizen-x.png"}))
    assert other.status_code == 400
    wrong_token = client.http.post(f"/reports/{ticket}/photos?token=x", headers=json_type,
                                   body=json.dumps({"content_type": "image/png"}))
    assert wrong_token.status_code == 404
    page = html(client.http.get(f"/lacak/{ticket}?token={token}"))
    assert "Dari pelapor" in page and page.count("<img") == 1
