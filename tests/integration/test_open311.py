"""Open311 GeoReport v2 through chalice.test and moto: JSON and XML, filters, errors,
creating with and without an API key, and no reporter identity anywhere."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from app import app
from chalicelib.services.open311 import LOCAL_API_KEY, api_keys
from tests.integration.streams import drain_stream_event

BASE = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REPORTER = {"first_name": "Siti", "last_name": "Rahayu", "email": "siti@example.com",
            "phone": "081298765432"}


@pytest.fixture
def client(deps):
    with Client(app) as test_client:
        yield test_client


def create(client, fmt="json", **fields):
    form = {"api_key": LOCAL_API_KEY, "service_code": "jalan-rusak",
            "description": "Jalan berlubang <b>besar</b>", "lat": "-6.1754", "long": "106.8272",
            "attribute[kelurahan_code]": "31.71.01.1001", **REPORTER, **fields}
    return client.http.post(f"{BASE}/requests.{fmt}", headers=FORM,
                            body=urlencode({k: v for k, v in form.items() if v is not None}))


def created_id(client, **fields):
    answer = create(client, **fields)
    assert answer.status_code == 201, answer.body
    client.lambda_.invoke("route_reports", drain_stream_event())
    return answer.json_body[0]["service_request_id"]


def xml(response):
    assert response.headers["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.body)


def test_discovery_in_both_formats(client):
    body = client.http.get(f"{BASE}/discovery.json").json_body
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    assert client.http.get(BASE).json_body == body
    root = xml(client.http.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]


def test_services_are_the_categories(client, deps):
    services = client.http.get(f"{BASE}/services.json").json_body
    codes = [s["service_code"] for s in services]
    assert codes == [c.id for c in deps.registry.categories.all()]
    roads = services[0]
    assert roads["metadata"] is True and roads["type"] == "realtime"
    assert roads["group"] == "Dinas Bina Marga"
    root = xml(client.http.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(codes)
    assert root.find("service/metadata").text == "true"


def test_a_service_definition_lists_its_attributes(client):
    body = client.http.get(f"{BASE}/services/jalan-rusak.json").json_body
    assert body["service_code"] == "jalan-rusak"
    assert body["attributes"][0]["code"] == "kelurahan_code"
    root = xml(client.http.get(f"{BASE}/services/jalan-rusak.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/code").text == "kelurahan_code"
    missing = client.http.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404 and missing.json_body[0]["code"] == 404


def test_creating_needs_a_valid_api_key(client):
    for key in (None, "", "wrong"):
        refused = create(client, api_key=key)
        assert refused.status_code == 403
        assert refused.json_body == [{"code": 403,
                                      "description": "api_key is missing or not valid"}]
    refused_xml = create(client, "xml", api_key="wrong")
    assert refused_xml.status_code == 403
    assert xml(refused_xml).find("error/code").text == "403"


def test_create_then_read_it_back_without_the_reporter(client):
    answer = create(client)
    assert answer.status_code == 201
    created = answer.json_body[0]
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    client.lambda_.invoke("route_reports", drain_stream_event())
    one = client.http.get(f"{BASE}/requests/{created['service_request_id']}.json")
    assert one.status_code == 200
    request = one.json_body[0]
    assert request["status"] == "open" and request["status_notes"].startswith("Menunggu")
    assert request["service_code"] == "jalan-rusak"
    assert request["agency_responsible"] == "Kelurahan Gambir"
    assert request["requested_datetime"].endswith("+07:00")
    assert request["lat"] == -6.1754 and request["long"] == 106.8272
    text = json.dumps(one.json_body) + one.body.decode()
    for private in ("Siti", "Rahayu", "siti@example.com", "081298765432", "6281298765432"):
        assert private not in text
    token = client.http.get(f"{BASE}/tokens/{created['token']}.json").json_body
    assert token == [{"service_request_id": created["service_request_id"],
                      "token": created["token"]}]


def test_create_in_xml_and_validation_errors(client):
    root = xml(create(client, "xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text
    no_code = create(client, service_code="")
    assert no_code.status_code == 400 and "service_code" in no_code.json_body[0]["description"]
    unknown = create(client, service_code="nope")
    assert unknown.status_code == 400 and "category" in unknown.json_body[0]["description"]
    nowhere = create(client, lat=None, long=None, **{"attribute[kelurahan_code]": None})
    assert nowhere.status_code == 400 and "location" in nowhere.json_body[0]["description"]
    no_text = create(client, description="")
    assert no_text.status_code == 400 and "description" in no_text.json_body[0]["description"]


def test_the_request_list_filters_and_pages(client, clock):
    first = created_id(client)
    clock.advance(days=1)
    second = created_id(client, service_code="sampah")
    listed = client.http.get(f"{BASE}/requests.json").json_body
    assert [r["service_request_id"] for r in listed] == [second, first]  # newest first
    by_service = client.http.get(f"{BASE}/requests.json?service_code=sampah").json_body
    assert [r["service_request_id"] for r in by_service] == [second]
    by_ids = client.http.get(f"{BASE}/requests.json?service_request_id={first},ZZZZ-ZZZZ")
    assert [r["service_request_id"] for r in by_ids.json_body] == [first]
    first_page = client.http.get(f"{BASE}/requests.json?page_size=1&status=open")
    assert [r["service_request_id"] for r in first_page.json_body] == [second]
    link = first_page.headers["Link"]
    assert link.endswith('; rel="next"') and "page=2" in link and "status=open" in link
    assert "start_date=" in link and "end_date=" in link  # the same window on every page
    next_url = link[link.index("<") + 1:link.index(">")]
    paged = client.http.get(next_url.removeprefix(next_url.split(BASE)[0]))
    assert [r["service_request_id"] for r in paged.json_body] == [first]
    assert "Link" not in paged.headers  # the last page
    assert client.http.get(f"{BASE}/requests.json?status=closed").json_body == []
    assert len(client.http.get(f"{BASE}/requests.json?status=open").json_body) == 2
    window = "start_date=2026-11-29T00:00:00%2B07:00&end_date=2026-12-01T00:00:00%2B07:00"
    dated = client.http.get(f"{BASE}/requests.json?{window}").json_body
    assert [r["service_request_id"] for r in dated] == [second]
    root = xml(client.http.get(f"{BASE}/requests.xml"))
    assert [r.find("service_request_id").text for r in root.findall("request")] == [
        second, first]


def test_extensions_add_the_crm_attributes(client):
    request_id = created_id(client)
    plain = client.http.get(f"{BASE}/requests/{request_id}.json").json_body[0]
    assert "extended_attributes" not in plain
    extended = client.http.get(
        f"{BASE}/requests/{request_id}.json?extensions=true").json_body[0]
    assert extended["extended_attributes"] == {
        "channel": "open311", "kelurahan": "31.71.01.1001", "kelurahan_name": "Gambir",
        "crm_status": "Menunggu", "duplicate_parent": None, "supporters": 0}
    supported = client.http.post(f"/reports/{request_id}/support",
                                 headers={"Content-Type": "application/json"},
                                 body=json.dumps({"phone": "081311112222"}))
    assert supported.status_code == 201, supported.body
    root = xml(client.http.get(f"{BASE}/requests.xml?extensions=true"))
    assert root.find("request/extended_attributes/crm_status").text == "Menunggu"
    assert root.find("request/extended_attributes/supporters").text == "1"


@pytest.mark.parametrize("query, fragment", [
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", "90 days"),
    ("start_date=kemarin", "start_date"),
    ("status=pending", "status"),
    ("page_size=0", "page_size"),
    ("service_code=nope", "service_code"),
])
def test_bad_filters_are_400_in_open311_form(client, query, fragment):
    answer = client.http.get(f"{BASE}/requests.json?{query}")
    assert answer.status_code == 400
    assert answer.json_body[0]["code"] == 400 and fragment in answer.json_body[0]["description"]


def test_unknown_ids_resources_and_formats_are_404(client):
    assert client.http.get(f"{BASE}/requests/ZZZZ-ZZZZ.json").status_code == 404
    assert client.http.get(f"{BASE}/tokens/nope.xml").status_code == 404
    assert client.http.get(f"{BASE}/nothing.json").status_code == 404
    assert client.http.get(f"{BASE}/services.yaml").status_code == 404
    assert xml(client.http.get(f"{BASE}/requests/ZZZZ-ZZZZ.xml")).tag == "errors"


def test_xml_escapes_text_and_drops_characters_xml_cannot_carry(client):
    request_id = created_id(client, description="a < b & c \x0b</description><x>")
    answer = client.http.get(f"{BASE}/requests/{request_id}.xml")
    root = xml(answer)
    assert root.find("request/description").text == "a < b & c </description><x>"


def test_deployed_stages_have_no_default_key():
    assert api_keys("prod", {}) == ()
    assert api_keys("local", {}) == (LOCAL_API_KEY,)
    assert api_keys("prod", {"CRM_OPEN311_API_KEYS": "a, b"}) == ("a", "b")


def test_history_notes_never_reach_the_public_request(client, deps):
    from chalicelib.domain.report import apply_action
    from chalicelib.domain.status import Action

    request_id = created_id(client)
    loaded = deps.store.load(request_id)
    merged, event = apply_action(loaded.report, Action.DUPLIKAT, actor="lurah.gambir",
                                 now=deps.clock(), data={"parent": "ABCD-1234"},
                                 changes={"parent_ticket": "ABCD-1234"},
                                 note="Sama dengan laporan Siti 0811-1111-1111")
    deps.store.update(loaded, merged, [event])
    for path in (f"/requests/{request_id}.xml", f"/requests/{request_id}.json?extensions=true",
                 "/requests.json?extensions=true"):
        answer = client.http.get(BASE + path)
        assert answer.status_code == 200
        body = answer.body.decode()
        assert "0811" not in body and "Siti" not in body and "Sama dengan" not in body, path
    [seen] = client.http.get(f"{BASE}/requests/{request_id}.json").json_body
    assert seen["status_notes"] == "Duplikat" and seen["status"] == "closed"


def test_a_number_typed_into_the_description_is_hidden_from_the_public(client):
    request_id = created_id(client, description="Pohon tumbang, hubungi saya 0812-9876-5432 "
                                                "atau siti.r@example.id")
    [seen] = client.http.get(f"{BASE}/requests/{request_id}.json").json_body
    assert seen["description"] == ("Pohon tumbang, hubungi saya [kontak disembunyikan] atau "
                                   "[kontak disembunyikan]")


@pytest.mark.parametrize("content_type", ["application/json", "text/xml",
                                          "multipart/form-data; boundary=x"])
def test_a_post_that_is_not_a_form_is_refused_in_open311_form(client, content_type):
    answer = client.http.post(f"{BASE}/requests.xml", headers={"Content-Type": content_type},
                              body='{"api_key": "x"}')
    assert answer.status_code == 400
    assert xml(answer).find("error/description").text.startswith("POST requests.xml takes")


def test_other_methods_are_405_in_open311_form(client):
    answer = client.http.put(f"{BASE}/requests.json", body="")
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET, POST"
    assert answer.json_body == [{"code": 405, "description":
                                 "PUT is not supported here: GET, or POST requests"}]


def test_a_list_too_costly_to_read_is_a_400_naming_the_fix(client, deps, monkeypatch):
    from chalicelib.adapters.store import WindowTooBroad

    def too_broad(*args, **kwargs):
        raise WindowTooBroad(20_000)

    monkeypatch.setattr(deps.store, "created_between", too_broad)
    answer = client.http.get(f"{BASE}/requests.json?service_code=sampah&status=closed")
    assert answer.status_code == 400
    assert "narrow start_date/end_date" in answer.json_body[0]["description"]
