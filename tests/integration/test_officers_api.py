"""Officers through the HTTP API: sign-in, tokens, scope, the workflow, photos, walk-ins, rating."""

from __future__ import annotations

import gzip
import json
import time
from importlib.resources import files

import boto3
import jwt
import pytest
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import rsa

from app import app
from chalicelib.config import settings
from tests.integration.conftest import DEMO_PASSWORD
from tests.integration.streams import drain_stream_event

GAMBIR = {"description": "Jalan berlubang di depan Stasiun Gambir", "category": "jalan-rusak",
          "kelurahan_code": "31.71.01.1001", "name": "Budi", "phone": "081234567890"}


@pytest.fixture
def client(cognito, deps):
    with Client(app) as test_client:
        yield test_client


def call(client, method, path, body=None, token=None, query=""):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    send = getattr(client.http, method)
    kwargs = {"headers": headers}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    return send(path + query, **kwargs)


def login(client, username, password=DEMO_PASSWORD):
    return call(client, "post", "/auth/login", {"username": username, "password": password})


def token_of(client, username):
    response = login(client, username)
    assert response.status_code == 200, response.json_body
    return response.json_body["id_token"]


def file_and_route(client, body=GAMBIR):
    filed = call(client, "post", "/channels/balai-warga", body).json_body
    client.lambda_.invoke("route_reports", drain_stream_event())
    return filed


def act(client, token, ticket, **body):
    return call(client, "post", f"/officer/reports/{ticket}/actions", body, token)


def upload_photo(client, token, ticket, kind="after"):
    form = call(client, "post", f"/officer/reports/{ticket}/photos",
                {"kind": kind, "content_type": "image/jpeg"}, token)
    assert form.status_code == 201, form.json_body
    upload = form.json_body
    assert upload["key"].startswith(f"reports/{ticket}/{kind}-")
    # The browser would POST the form to S3; here we put the object S3 would then hold.
    boto3.client("s3").put_object(Bucket=settings().bucket, Key=upload["key"],
                                  Body=b"\xff\xd8jpeg", ContentType="image/jpeg")
    return upload["key"]


def test_login_returns_cognito_tokens_and_the_officer(client):
    body = login(client, "lurah.gambir").json_body
    assert body["officer"] == {"username": "lurah.gambir", "role": "lurah",
                               "unit": "31.71.01.1001", "name": None, "email": None,
                               "phone": None, "alerts": ["email", "sms"]}
    assert body["id_token"] and body["access_token"] and body["expires_in"] > 0


def test_login_failures_do_not_reveal_the_user_and_are_slowed(client):
    wrong = login(client, "lurah.gambir", "wrong-password")
    unknown = login(client, "nobody.here", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json_body == unknown.json_body
    for _ in range(2):
        login(client, "nobody.here", "again")
    slowed = login(client, "nobody.here", "again")
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) >= 1
    # even the right password waits its turn for an account under attack
    for _ in range(3):
        login(client, "lurah.menteng", "bad")
    assert login(client, "lurah.menteng").status_code == 429


def _claims(client, username):
    token = token_of(client, username)
    return token, jwt.decode(token, options={"verify_signature": False}), jwt.get_unverified_header(
        token)


def test_missing_expired_and_forged_tokens_are_401(client):
    token, claims, header = _claims(client, "lurah.gambir")
    assert call(client, "get", "/officer/reports").status_code == 401
    assert call(client, "get", "/officer/reports", token="garbage").status_code == 401

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode({**claims, "custom:unit": "31.71.06.1001"}, forger, algorithm="RS256",
                        headers={"kid": header["kid"]})
    response = call(client, "get", "/officer/reports", token=forged)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")

    tampered = token.rsplit(".", 2)
    tampered[1] = jwt.utils.base64url_encode(json.dumps(
        {**claims, "custom:role": "admin"}).encode()).decode()
    assert call(client, "get", "/officer/reports", token=".".join(tampered)).status_code == 401


def _pool_signing_key():
    """moto's Cognito signs with a bundled key; a test can sign with it too."""
    raw = gzip.decompress(files("moto").joinpath("cognitoidp/resources/jwks-private.json.gz")
                          .read_bytes())
    return jwt.PyJWK.from_dict(json.loads(raw)).key


def test_an_expired_token_signed_by_the_pool_is_401(client):
    _token, claims, header = _claims(client, "lurah.gambir")
    now = int(time.time())
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, _pool_signing_key(),
                         algorithm="RS256", headers={"kid": header["kid"]})
    still_valid = jwt.encode({**claims, "iat": now, "exp": now + 600}, _pool_signing_key(),
                             algorithm="RS256", headers={"kid": header["kid"]})
    assert call(client, "get", "/officer/reports", token=still_valid).status_code == 200
    response = call(client, "get", "/officer/reports", token=expired)
    assert response.status_code == 401
    assert "kedaluwarsa" in response.json_body["message_id"]


def test_a_lurah_takes_a_report_to_selesai_and_the_validator_accepts_it(client, deps):
    filed = file_and_route(client)
    ticket = filed["ticket"]
    lurah = token_of(client, "lurah.gambir")

    queue = call(client, "get", "/officer/reports", token=lurah).json_body
    assert [i["ticket"] for i in queue["items"]] == [ticket]
    assert queue["items"][0]["due_at"]["wib"].endswith("WIB")

    detail = call(client, "get", f"/officer/reports/{ticket}", token=lurah).json_body
    assert detail["reporter"]["phone"] == "+6281234567890"  # officers see the contact
    assert "proses" in detail["allowed_actions"] and "validasi" not in detail["allowed_actions"]

    assert act(client, lurah, ticket, action="proses", note="Petugas PPSU meluncur").status_code \
        == 200
    before = upload_photo(client, lurah, ticket, "before")
    after = upload_photo(client, lurah, ticket, "after")
    done = act(client, lurah, ticket, action="selesai", note="Lubang sudah ditambal",
               photos=[{"key": before, "kind": "before"}, {"key": after, "kind": "after"}])
    assert done.status_code == 200, done.json_body
    assert done.json_body["status"] == "Menunggu Validasi"

    validator = token_of(client, "validator.biropem")
    waiting = call(client, "get", "/officer/reports", token=validator).json_body["items"]
    assert [i["ticket"] for i in waiting] == [ticket]
    accepted = act(client, validator, ticket, action="validasi", note="Sesuai")
    assert accepted.json_body["status"] == "Selesai"

    public = call(client, "get", f"/reports/{ticket}",
                  query=f"?token={filed['tracking_token']}").json_body
    assert [h["status"] for h in public["history"]] == [
        "Menunggu", "Menunggu", "Proses", "Menunggu Validasi", "Selesai"]
    assert {p["kind"] for p in public["photos"]} == {"before", "after"}
    assert "Budi" not in json.dumps(public)


def test_another_kelurahan_is_refused_but_the_hierarchy_above_is_not(client):
    ticket = file_and_route(client)["ticket"]
    menteng = token_of(client, "lurah.menteng")
    assert call(client, "get", f"/officer/reports/{ticket}", token=menteng).status_code == 403
    refused = act(client, menteng, ticket, action="proses")
    assert refused.status_code == 403
    assert refused.json_body["message_en"]
    assert call(client, "get", "/officer/reports", token=menteng).json_body["items"] == []
    for username in ("camat.gambir", "walikota.jakpus", "admin"):
        token = token_of(client, username)
        items = call(client, "get", "/officer/reports", token=token).json_body["items"]
        assert [i["ticket"] for i in items] == [ticket], username
    dinas = token_of(client, "dinas.binamarga")
    assert call(client, "get", f"/officer/reports/{ticket}", token=dinas).status_code == 403


def test_coordination_to_a_dinas_and_disposition_to_its_suku_dinas(client):
    ticket = file_and_route(client)["ticket"]
    lurah = token_of(client, "lurah.gambir")
    moved = act(client, lurah, ticket, action="koordinasi", target_unit="opd:bina-marga",
                note="Perlu alat berat")
    assert moved.json_body["status"] == "Koordinasi" and moved.json_body["unit"] == "opd:bina-marga"
    # visibility follows responsibility: the lurah may look but no longer act
    look = call(client, "get", f"/officer/reports/{ticket}", token=lurah).json_body
    assert look["allowed_actions"] == []
    assert act(client, lurah, ticket, action="proses").status_code == 403

    dinas = token_of(client, "dinas.binamarga")
    wrong = act(client, dinas, ticket, action="disposisi", target_unit="sudin:sosial:31.71")
    assert wrong.status_code == 400 and wrong.json_body["errors"][0]["field"] == "target_unit"
    sent = act(client, dinas, ticket, action="disposisi", target_unit="sudin:bina-marga:31.71")
    assert sent.json_body["status"] == "Disposisi"
    sudin = token_of(client, "sudin.binamarga.jakpus")
    assert act(client, sudin, ticket, action="proses").json_body["status"] == "Proses"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"action": "terbang"}, 400, "action"),
    ({"action": "koordinasi"}, 400, "target_unit"),
    ({"action": "koordinasi", "target_unit": "opd:tidak-ada"}, 400, "target_unit"),
    ({"action": "tolak"}, 400, "note"),
    ({"action": "proses", "note": "x" * 2001}, 400, "note"),
    ({"action": "selesai", "note": "beres"}, 400, "photos"),
    ({"action": "ews", "note": "aspal", "ews_at": "besok"}, 400, "ews_at"),
    ({"action": "foto", "photos": [{"key": "reports/ZZZZ-ZZZ0/after-x.jpg", "kind": "after"}]},
     400, "photos"),
    ({"action": "foto", "photos": [{"key": "../../etc/passwd", "kind": "after"}]}, 400, "photos"),
    ({"action": "validasi"}, 403, None),
    ({"action": "duplikat", "parent_ticket": "ZZZZ-ZZZ0", "note": "sama"}, 400,
     "parent_ticket"),
])
def test_bad_actions_are_refused_clearly_and_change_nothing(client, deps, body, status, field):
    ticket = file_and_route(client)["ticket"]
    lurah = token_of(client, "lurah.gambir")
    before = deps.store.load(ticket)
    response = act(client, lurah, ticket, **body)
    assert response.status_code == status, response.json_body
    assert response.json_body["message_id"] and response.json_body["message_en"]
    if field:
        assert response.json_body["errors"][0]["field"] == field
    assert deps.store.load(ticket) == before


def test_an_illegal_action_for_the_status_is_409(client):
    ticket = file_and_route(client)["ticket"]
    lurah = token_of(client, "lurah.gambir")
    act(client, lurah, ticket, action="tolak", note="Bukan pengaduan")
    again = act(client, lurah, ticket, action="proses")
    assert again.status_code == 409
    assert "Ditolak" in again.json_body["message_id"]


def test_two_officers_at_once_one_wins_the_other_gets_409(client, deps, monkeypatch):
    ticket = file_and_route(client)["ticket"]
    stale = deps.store.load(ticket)
    lurah = token_of(client, "lurah.gambir")
    camat = token_of(client, "camat.gambir")
    assert act(client, lurah, ticket, action="proses").status_code == 200
    # the camat's request read the report before the lurah's write landed
    monkeypatch.setattr(deps.store, "load", lambda t: stale)
    conflict = act(client, camat, ticket, action="tolak", note="Bukan kewenangan kecamatan")
    assert conflict.status_code == 409
    monkeypatch.undo()
    assert deps.store.load(ticket).report.status == "Proses"


def test_queue_filters_and_pagination(client, deps, clock):
    lurah = token_of(client, "lurah.gambir")
    tickets = []
    for i in range(5):
        body = {**GAMBIR, "category": "sampah" if i % 2 else "jalan-rusak"}
        tickets.append(file_and_route(client, body)["ticket"])
        clock.advance(minutes=10)
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = call(client, "get", "/officer/reports", token=lurah, query=query).json_body
        seen += [i["ticket"] for i in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert seen == tickets  # sorted by deadline, no repeats, nothing skipped
    rubbish = call(client, "get", "/officer/reports", token=lurah,
                   query="?category=sampah").json_body["items"]
    assert [i["ticket"] for i in rubbish] == tickets[1::2]
    assert call(client, "get", "/officer/reports", token=lurah,
                query="?overdue=true").json_body["items"] == []
    clock.advance(hours=7)  # first action was due 6 h after intake
    late = call(client, "get", "/officer/reports", token=lurah, query="?overdue=true").json_body
    assert len(late["items"]) == 5 and all(i["overdue"] for i in late["items"])
    bad = call(client, "get", "/officer/reports", token=lurah, query="?status=Hilang")
    assert bad.status_code == 400 and bad.json_body["errors"][0]["field"] == "status"


def test_walk_in_is_recorded_for_the_office_by_the_officer(client, deps):
    lurah = token_of(client, "lurah.gambir")
    response = call(client, "post", "/channels/kelurahan",
                    {"description": "Warga melapor pohon rawan tumbang", "category": "pohon"},
                    lurah)
    assert response.status_code == 201, response.json_body
    report = deps.store.load(response.json_body["ticket"]).report
    assert (report.channel, report.entered_by, report.kelurahan_code) == (
        "kelurahan", "lurah.gambir", "31.71.01.1001")
    wrong_office = call(client, "post", "/channels/walikota", {"description": "x"}, lurah)
    assert wrong_office.status_code == 403
    assert call(client, "post", "/channels/kecamatan", {"description": "x"}).status_code == 401


def test_rating_once_after_selesai_and_a_low_one_goes_to_review(client, deps):
    filed = file_and_route(client)
    ticket, token = filed["ticket"], filed["tracking_token"]
    rate = f"/reports/{ticket}/rating"
    early = call(client, "post", rate, {"stars": 5}, query=f"?token={token}")
    assert early.status_code == 409

    lurah = token_of(client, "lurah.gambir")
    after = upload_photo(client, lurah, ticket)
    act(client, lurah, ticket, action="selesai", note="Selesai",
        photos=[{"key": after, "kind": "after"}])
    validator = token_of(client, "validator.biropem")
    act(client, validator, ticket, action="validasi")

    assert call(client, "post", rate, {"stars": 9}, query=f"?token={token}").status_code == 400
    assert call(client, "post", rate, {"stars": 2}, query="?token=nope").status_code == 404
    low = call(client, "post", rate, {"stars": 2, "comment": "Masih berlubang"},
               query=f"?token={token}")
    assert low.status_code == 201 and low.json_body["review_requested"] is True
    assert call(client, "post", rate, {"stars": 5}, query=f"?token={token}").status_code == 409

    review = call(client, "get", "/officer/reports", token=validator).json_body["items"]
    assert [i["ticket"] for i in review] == [ticket] and review[0]["review_requested"]
    reopened = act(client, validator, ticket, action="buka_kembali", note="Perbaiki lagi")
    assert reopened.json_body["status"] == "Proses"
