"""Partner systems (JAKI, LAPOR!): their report JSON in, our status updates out.

In: {"id", "text", "category"?, "lat"?, "lon"?, "address"?, "kelurahan_code"?,
"photos": [https urls]?, "reporter": {"name", "phone", "email"}?}. The partner answers its
own users, so there is no reply address: the ticket travels back in the HTTP answer and
every later change of the report is sent to the partner (`status_update`).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.channel_payloads.base import (
    MAX_PHOTO_URLS,
    InboundMessage,
    identifier,
    malformed,
    mapping,
    photo_url,
)
from chalicelib.domain.intake import MAX_DESCRIPTION
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.status import Action
from chalicelib.domain.timefmt import utc_iso

_PLACE_FIELDS = ("category", "lat", "lon", "address", "kelurahan_code")
_REPORTER_FIELDS = ("name", "phone", "email")
# Internal steps a partner has no use for: intake (the partner got the ticket in the
# answer) and SLA warnings (internal, as on public tracking).
NOT_SYNCED = frozenset({Action.TERIMA, Action.SLA})


def parse_partner(payload: Any) -> InboundMessage:
    body = mapping(payload, "body")
    external_id = identifier(body.get("id"), "id")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise malformed("text", "'text' wajib diisi dengan uraian laporan",
                        "'text' must hold the report's description")
    if len(text.strip()) > MAX_DESCRIPTION:
        raise malformed("text", f"'text' paling panjang {MAX_DESCRIPTION} karakter",
                        f"'text' must be at most {MAX_DESCRIPTION} characters")
    photos = body.get("photos") or []
    if not isinstance(photos, list) or len(photos) > MAX_PHOTO_URLS:
        raise malformed("photos", f"'photos' harus daftar berisi paling banyak "
                        f"{MAX_PHOTO_URLS} tautan https",
                        f"'photos' must be a list of at most {MAX_PHOTO_URLS} https links")
    urls = tuple(photo_url(p) for p in photos)
    if None in urls:
        raise malformed("photos", "setiap foto harus tautan https (maks. 2048 karakter)",
                        "every photo must be an https link (at most 2048 characters)")
    reporter = body.get("reporter")
    reporter = mapping(reporter, "reporter") if reporter is not None else {}
    fields = {"description": text, **{k: body.get(k) for k in _PLACE_FIELDS},
              **{k: reporter.get(k) for k in _REPORTER_FIELDS}}
    return InboundMessage(external_id=external_id,
                          fields={k: v for k, v in fields.items() if v is not None},
                          photo_urls=tuple(u for u in urls if u))


def status_update(report: Report, event: HistoryEvent, unit_name: str | None) -> dict[str, Any]:
    """What the partner is told about one history event of a report it sent us.

    `seq` orders updates: deliveries may arrive out of order or twice, so a partner keeps
    the update with the highest seq. Officers' internal notes are never sent.
    """
    return {
        "id": report.external_id,
        "ticket": report.ticket,
        "seq": event.seq,
        "at": utc_iso(event.at),
        "action": str(event.action),
        "status": str(event.status),
        "unit": {"code": event.unit, "name": unit_name or event.unit} if event.unit else None,
        "note": event.note,
    }
