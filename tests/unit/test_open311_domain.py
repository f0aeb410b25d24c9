"""Open311 mapping without AWS: statuses, query windows, XML escaping, formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import open311 as o311
from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.report import GeoPoint, Reporter, open_report
from chalicelib.domain.status import Status
from chalicelib.registry import registry

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def report(**changes):
    made, _ = open_report(ticket="K7Q4-M9XD", channel="open311", description="Lubang <b>",
                          now=NOW, policy=SlaPolicy(), category="jalan-rusak",
                          point=GeoPoint(lat=-6.17, lon=106.82), kelurahan_code="31.71.01.1001",
                          reporter=Reporter(name="Siti", phone="+6281298765432"))
    return made.model_copy(update=changes)


def view(**kwargs):
    reg = registry()
    return o311.request_view(report(**kwargs.pop("changes", {})), categories=reg.categories,
                             units=reg.units, wilayah=reg.wilayah, **kwargs)


@pytest.mark.parametrize("status, expected", [
    (Status.MENUNGGU, "open"), (Status.MENUNGGU_VALIDASI, "open"), (Status.TL_DITOLAK, "open"),
    (Status.SELESAI, "closed"), (Status.DUPLIKAT, "closed"), (Status.DITOLAK, "closed")])
def test_status_maps_to_open_or_closed(status, expected):
    assert o311.open311_status(status) == expected


def test_a_request_carries_no_reporter_and_the_crm_status_in_notes():
    seen = view(extensions=True, changes={"status": Status.DUPLIKAT,
                                          "parent_ticket": "ABCD-1234",
                                          "supporter_count": 3})
    assert "Siti" not in str(seen) and "6281298765432" not in str(seen)
    assert seen["status"] == "closed" and seen["status_notes"] == "Duplikat"
    assert seen["extended_attributes"]["duplicate_parent"] == "ABCD-1234"
    assert seen["extended_attributes"]["supporters"] == 3
    assert "extended_attributes" not in view(extensions=False)
    assert seen["requested_datetime"] == "2026-11-28T10:00:00+07:00"
    assert seen["expected_datetime"] is None  # closed: nothing more is expected


def test_an_estimate_made_before_closing_is_not_expected_any_more():
    ews = NOW + timedelta(days=20)
    closed = view(changes={"status": Status.SELESAI, "ews_at": ews, "finish_due": ews})
    assert closed["expected_datetime"] is None
    working = view(changes={"status": Status.PROSES, "ews_at": ews, "finish_due": ews,
                            "first_action_at": NOW})
    assert working["expected_datetime"] == "2026-12-18T10:00:00+07:00"


@pytest.mark.parametrize("params, fragment", [
    ({"end_date": "0001-01-01T00:00:00+07:00"}, "between the years"),
    ({"end_date": "0001-01-05T00:00:00Z"}, "between the years"),
    ({"start_date": "9999-12-31T23:00:00-07:00"}, "between the years"),
    ({"page": "\u00b2"}, "page must be a whole number"),
    ({"page_size": "\u0663"}, "page_size must be a whole number"),  # Arabic-Indic 3
    ({"page": "51", "page_size": "200"}, "at most 10000 requests may come before"),
])
def test_out_of_range_dates_odd_digits_and_deep_pages_are_400(params, fragment):
    with pytest.raises(o311.Open311Error) as refused:
        o311.parse_request_query(params, registry().categories, NOW)
    assert refused.value.status == 400 and fragment in refused.value.description


def test_ids_ignore_the_other_filters_and_are_listed_once():
    query = o311.parse_request_query(
        {"service_request_id": "K7Q4-M9XD, K7Q4-M9XD ,ZZZZ-ZZZZ", "start_date": "bad",
         "status": "nonsense", "extensions": "true"}, registry().categories, NOW)
    assert query.ids == ("K7Q4-M9XD", "ZZZZ-ZZZZ") and query.extensions


def test_a_start_still_to_come_is_an_empty_window_not_an_error():
    query = o311.parse_request_query({"start_date": "2026-12-27T00:00:00Z"},
                                     registry().categories, NOW)
    assert query.start == query.end == datetime(2026, 12, 27, tzinfo=UTC)


def test_the_window_defaults_to_90_days_and_may_not_be_longer():
    cats = registry().categories
    query = o311.parse_request_query({}, cats, NOW)
    assert query.end == NOW and query.start == NOW - timedelta(days=90)
    started = o311.parse_request_query({"start_date": "2026-11-01T00:00:00"}, cats, NOW)
    assert started.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # WIB midnight
    assert started.end == NOW  # capped at now
    with pytest.raises(o311.Open311Error) as too_long:
        o311.parse_request_query({"start_date": "2026-01-01T00:00:00Z",
                                  "end_date": "2026-06-01T00:00:00Z"}, cats, NOW)
    assert too_long.value.status == 400
    spaced = o311.parse_request_query({"end_date": "2026-11-20T00:00:00 07:00"}, cats, NOW)
    assert spaced.end == datetime(2026, 11, 19, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize("status, included, excluded", [
    ("open", {"Menunggu", "Disposisi", "Proses", "TL Ditolak"}, {"Selesai", "Duplikat"}),
    ("closed", {"Selesai", "Ditolak", "Duplikat", "Bukan Kewenangan"}, {"Menunggu", "Proses"}),
])
def test_crm_statuses_a_status_filter_stands_for(status, included, excluded):
    query = o311.parse_request_query({"status": status}, registry().categories, NOW)
    statuses = set(o311.crm_statuses(query))
    assert included <= statuses and not excluded & statuses


@pytest.mark.parametrize("status", ["", "open,closed"])
def test_no_status_filter_or_both_filters_nothing(status):
    query = o311.parse_request_query({"status": status}, registry().categories, NOW)
    assert o311.crm_statuses(query) == ()


def test_xml_is_escaped_and_lists_repeat_their_item_element():
    text = o311.to_xml("service_requests", [{"description": "a <b> & \x07 c", "lat": None,
                                             "flag": True}])
    root = ET.fromstring(text)
    assert root.find("request/description").text == "a <b> &  c"
    assert root.find("request/lat").text is None and root.find("request/flag").text == "true"
    assert "<b>" not in text


@pytest.mark.parametrize("name, expected", [
    ("requests.json", ("requests", "json")), ("services.xml", ("services", "xml")),
    ("K7Q4-M9XD.json", ("K7Q4-M9XD", "json"))])
def test_split_format(name, expected):
    assert o311.split_format(name) == expected


@pytest.mark.parametrize("name", ["requests", "requests.yaml", ".json"])
def test_unknown_formats_are_404(name):
    with pytest.raises(o311.Open311Error) as refused:
        o311.split_format(name)
    assert refused.value.status == 404


def test_intake_payload_maps_the_open311_fields():
    payload = o311.intake_payload({
        "service_code": "sampah", "description": "x", "lat": "-6.1", "long": "106.8",
        "address_string": "Jl. A", "first_name": "Siti", "last_name": "R",
        "attribute[kelurahan_code]": "31.71.01.1001", "api_key": "k"})
    assert payload == {"category": "sampah", "description": "x", "lat": "-6.1",
                       "lon": "106.8", "address": "Jl. A", "kelurahan_code": "31.71.01.1001",
                       "name": "Siti R"}


def test_reopening_drops_the_old_estimate():
    from chalicelib.domain.workflow import reopen_changes

    done = report(status=Status.SELESAI, ews_at=NOW + timedelta(days=20), rating=2)
    changes = reopen_changes(done, SlaPolicy(), NOW + timedelta(days=21))
    assert changes["ews_at"] is None and changes["rating"] is None
    assert changes["finish_due"] > NOW + timedelta(days=21)
