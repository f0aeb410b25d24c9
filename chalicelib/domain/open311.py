"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the mapping, no I/O.

- Services are the CRM categories; each has one optional attribute, the kelurahan code.
- A request is the public view of a report: never the reporter's name, phone or email.
  Open311 knows two statuses; the CRM status goes in `status_notes` and, with
  `extensions=true`, in `extended_attributes` (channel, kelurahan, CRM status,
  duplicate parent, supporters: citizens who said "me too").
- Times are ISO 8601 with the WIB offset (+07:00), as the spec's examples carry a zone.
- XML is built with xml.etree (text is escaped by the library); characters XML 1.0
  cannot carry (control characters a citizen may paste) are dropped first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.categories import Categories, Category
from chalicelib.domain.contact_mask import mask_contacts
from chalicelib.domain.report import Report
from chalicelib.domain.sla import next_due
from chalicelib.domain.status import OPEN_STATUSES, Status
from chalicelib.domain.timefmt import WIB, wib_iso
from chalicelib.domain.units import UnitDirectory
from chalicelib.domain.wilayah import Wilayah

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_DEPTH = 10_000  # requests before a page (page - 1) * page_size
KELURAHAN_ATTRIBUTE = "kelurahan_code"
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Plural element -> the element of each item in XML.
_ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute",
          "values": "value", "endpoints": "endpoint", "formats": "format", "errors": "error"}


@dataclass(frozen=True)
class Open311Error(Exception):
    """An Open311 error: answered as [{code, description}] with this HTTP status."""

    status: int
    description: str

    def body(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": self.description}]


def open311_status(status: Status) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


# -- services ------------------------------------------------------------------------------

def service(category: Category, group: str | None) -> dict[str, Any]:
    return {"service_code": category.id, "service_name": category.name,
            "description": category.name_en, "metadata": True, "type": "realtime",
            "keywords": category.id.replace("-", ","), "group": group}


def service_definition(category: Category) -> dict[str, Any]:
    return {"service_code": category.id, "attributes": [{
        "variable": True, "code": KELURAHAN_ATTRIBUTE, "datatype": "string", "required": False,
        "datatype_description": "Kode kelurahan Kemendagri, mis. 31.71.01.1001 / "
                                "Kemendagri kelurahan code, e.g. 31.71.01.1001",
        "order": 1,
        "description": "Kelurahan lokasi masalah (bila tidak ada lat/long) / "
                       "Kelurahan of the problem (when there is no lat/long)",
    }]}


# -- requests ------------------------------------------------------------------------------

def request_view(report: Report, *, categories: Categories, units: UnitDirectory,
                 wilayah: Wilayah, extensions: bool = False) -> dict[str, Any]:
    """One report as an Open311 request.

    The description is the citizen's text with any phone number or email address they
    typed into it hidden. `status_notes` is the CRM status, never the text of a history
    note: notes are
    written for the reporter or between officers (a reopening citizen's own words, "same
    as Siti's report, 0811..."), and Open311 is public. `media_url` stays empty: photos
    are shown only with the reporter's tracking token or to officers (faces, house
    numbers, plates), not to anyone who knows the ticket.
    """
    category = categories.get(report.category) if report.category else None
    unit = units.get(report.unit) if report.unit else None
    # The deadline the unit works to now (an EWS estimate moves it); none once closed.
    expected = next_due(report) if report.is_open else None
    view: dict[str, Any] = {
        "service_request_id": report.ticket,
        "status": open311_status(report.status),
        "status_notes": str(report.status),
        "service_name": category.name if category else None,
        "service_code": category.id if category else None,
        "description": mask_contacts(report.description),
        "agency_responsible": unit.name if unit else None,
        "service_notice": None,
        "requested_datetime": wib_iso(report.created_at),
        "updated_datetime": wib_iso(report.updated_at),
        "expected_datetime": wib_iso(expected) if expected else None,
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.point.lat if report.point else None,
        "long": report.point.lon if report.point else None,
        "media_url": None,
    }
    if extensions:
        kelurahan = wilayah.kelurahan(report.kelurahan_code) if report.kelurahan_code else None
        view["extended_attributes"] = {
            "channel": report.channel,
            "kelurahan": report.kelurahan_code,
            "kelurahan_name": kelurahan.name if kelurahan else None,
            "crm_status": str(report.status),
            "duplicate_parent": report.parent_ticket,
            "supporters": report.supporter_count,
        }
    return view


def parse_time(text: str, name: str) -> datetime:
    """A W3C/ISO 8601 time; one without a zone is read as WIB (Jakarta)."""
    # An unencoded "+07:00" in a query string arrives as " 07:00".
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        return moment.astimezone(UTC)
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time, e.g. "
                                f"2026-11-01T00:00:00+07:00") from None
    except OverflowError:
        raise Open311Error(400, f"{name} must be between the years 1 and 9999") from None


@dataclass(frozen=True)
class RequestQuery:
    """The filters of GET requests, checked."""

    ids: tuple[str, ...]
    service_code: str | None
    start: datetime
    end: datetime
    statuses: tuple[str, ...]  # "open" / "closed"
    page: int
    page_size: int
    extensions: bool


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Open311Error(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _window(params: Mapping[str, str], now: datetime) -> tuple[datetime, datetime]:
    end = parse_time(params["end_date"], "end_date") if params.get("end_date") else None
    start = parse_time(params["start_date"], "start_date") if params.get("start_date") else None
    try:
        if start is None and end is None:
            end, start = now, now - MAX_WINDOW
        elif start is None:
            start = end - MAX_WINDOW  # type: ignore[operator]
        elif end is None:
            # Up to now; a start still to come is an empty window, not an error.
            end = max(start, min(start + MAX_WINDOW, now))
    except OverflowError:
        raise Open311Error(400, "start_date and end_date must be between the years 1 and "
                                "9999") from None
    assert start is not None and end is not None
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_WINDOW:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    return start, end


def parse_request_query(params: Mapping[str, str], categories: Categories,
                        now: datetime) -> RequestQuery:
    ids = tuple(dict.fromkeys(i.strip() for i in (params.get("service_request_id") or "")
                              .split(",") if i.strip()))
    extensions = (params.get("extensions") or "").lower() == "true"
    if ids:  # the spec: with service_request_id, every other filter is ignored
        return RequestQuery(ids=ids, service_code=None, start=now - MAX_WINDOW, end=now,
                            statuses=(), page=1, page_size=MAX_PAGE_SIZE,
                            extensions=extensions)
    code = params.get("service_code") or None
    if code and categories.get(code) is None:
        raise Open311Error(400, f"unknown service_code {code!r}")
    start, end = _window(params, now)
    statuses = tuple(s.strip().lower() for s in (params.get("status") or "").split(",")
                     if s.strip())
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open, closed or open,closed")
    page = _int(params, "page", 1, 1, 100_000)
    page_size = _int(params, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    if (page - 1) * page_size >= MAX_DEPTH:
        # Each page is read by counting past the ones before it: keep that bounded.
        raise Open311Error(400, f"at most {MAX_DEPTH} requests may come before a page; "
                                f"narrow start_date/end_date to reach older requests")
    return RequestQuery(ids=ids, service_code=code, start=start, end=end, statuses=statuses,
                        page=page, page_size=page_size, extensions=extensions)


def crm_statuses(query: RequestQuery) -> tuple[str, ...]:
    """The CRM statuses a `status` filter stands for; () when it filters nothing."""
    if not query.statuses or set(query.statuses) == {"open", "closed"}:
        return ()
    return tuple(sorted(str(s) for s in Status if open311_status(s) in query.statuses))


# -- creating ------------------------------------------------------------------------------

def intake_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """A POST requests form as the CRM intake fields (names as parse_intake reads them)."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    has_point = bool(form.get("lat") or form.get("long"))
    if not (has_point or form.get("address_string") or form.get(
            f"attribute[{KELURAHAN_ATTRIBUTE}]")):
        raise Open311Error(400, "a location is required: lat and long, address_string, or "
                                f"attribute[{KELURAHAN_ATTRIBUTE}]")
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p) or None
    payload = {
        "category": code,
        "description": form.get("description"),
        "lat": form.get("lat"),
        "lon": form.get("long"),
        "address": form.get("address_string"),
        "kelurahan_code": form.get(f"attribute[{KELURAHAN_ATTRIBUTE}]"),
        "name": name,
        "phone": form.get("phone"),
        "email": form.get("email"),
    }
    return {k: v for k, v in payload.items() if v not in (None, "")}


# -- formats -------------------------------------------------------------------------------

def clean_text(value: str) -> str:
    return _XML_INVALID.sub("", value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        child = _ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = clean_text(str(value))


def to_xml(root: str, value: Any) -> str:
    """`<root>` holding `value` (lists repeat their item element, None is empty)."""
    element = ET.Element(root)
    _fill(element, value)
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + ET.tostring(element, "unicode")


def split_format(name: str) -> tuple[str, str]:
    """`requests.json` -> ("requests", "json"); an unknown format is a 404 (no such file)."""
    stem, dot, form = name.rpartition(".")
    if not dot or form not in FORMATS or not stem:
        raise Open311Error(404, f"unknown resource {name!r}: use .json or .xml")
    return stem, form
