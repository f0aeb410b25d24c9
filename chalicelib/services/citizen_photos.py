"""A citizen adds photos to their own report (the Balai Warga form, the tracking page).

The tracking token proves the report is theirs. The browser uploads straight to S3
with a presigned form (S3 itself limits the key, type and size), then asks us to
record the photo: we check the object exists, belongs to this report and is an
image, and add it as a `citizen` photo with one history event. A handful per
report at most, and only while the report is open.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chalicelib.adapters.media import MAX_PHOTO_BYTES
from chalicelib.domain.errors import ConcurrentUpdate, FieldProblem, ValidationFailed
from chalicelib.domain.report import Photo, apply_action
from chalicelib.domain.status import Action
from chalicelib.domain.ticket import normalise_ticket
from chalicelib.domain.tracking import token_matches
from chalicelib.services.deps import Deps
from chalicelib.services.officer_work import PHOTO_TYPES
from chalicelib.services.tracking import NOT_FOUND

MAX_CITIZEN_PHOTOS = 5
SOURCE = "pelapor"  # HistoryEvent.data["source"] of photos the reporter added later
_ATTEMPTS = 3  # routing may update a fresh report at the same moment


def _invalid(name: str, id_: str, en: str) -> ValidationFailed:
    return ValidationFailed.of([FieldProblem(name, id_, en)])


def _own_report(deps: Deps, ticket_text: str, token: str | None) -> str:
    ticket = normalise_ticket(ticket_text)
    if ticket is None or not token_matches(deps.settings.token_secret, ticket, token):
        raise NOT_FOUND
    return ticket


def _citizen_count(photos: list[Photo]) -> int:
    return sum(1 for p in photos if p.kind == "citizen")


def presign(deps: Deps, ticket_text: str, token: str | None, payload: Any) -> dict[str, Any]:
    ticket = _own_report(deps, ticket_text, token)
    loaded = deps.store.load(ticket)
    if loaded is None:
        raise NOT_FOUND
    content_type = payload.get("content_type") if isinstance(payload, Mapping) else None
    if content_type not in PHOTO_TYPES:
        raise _invalid("content_type",
                       f"Jenis berkas harus salah satu dari: {', '.join(PHOTO_TYPES)}.",
                       f"The file type must be one of: {', '.join(PHOTO_TYPES)}.")
    _check_room(loaded.report)
    key = f"reports/{ticket}/citizen-{uuid.uuid4().hex}.{PHOTO_TYPES[content_type]}"
    return deps.media.presign_upload(key, content_type)


def _check_room(report: Any) -> None:
    if not report.is_open:
        raise _invalid("photos", "Laporan sudah ditutup; foto tidak dapat ditambahkan.",
                       "The report is closed; photos can no longer be added.")
    if _citizen_count(report.photos) >= MAX_CITIZEN_PHOTOS:
        raise _invalid("photos", f"Paling banyak {MAX_CITIZEN_PHOTOS} foto per laporan.",
                       f"At most {MAX_CITIZEN_PHOTOS} photos per report.")


def attach(deps: Deps, ticket_text: str, token: str | None, payload: Any) -> dict[str, Any]:
    ticket = _own_report(deps, ticket_text, token)
    key = payload.get("key") if isinstance(payload, Mapping) else None
    prefix = f"reports/{ticket}/citizen-"
    if not isinstance(key, str) or not key.startswith(prefix) or ".." in key or "//" in key:
        raise _invalid("key", "Foto ini bukan milik laporan ini.",
                       "This photo does not belong to this report.")
    meta = deps.media.describe(key)
    if meta is None:
        raise _invalid("key", "Foto belum diunggah.", "The photo has not been uploaded.")
    if meta[0] not in PHOTO_TYPES or meta[1] > MAX_PHOTO_BYTES:
        raise _invalid("key", "Foto harus gambar (JPEG/PNG/WebP/HEIC) <= 10 MB.",
                       "The photo must be an image (JPEG/PNG/WebP/HEIC) <= 10 MB.")
    for _ in range(_ATTEMPTS):
        loaded = deps.store.load(ticket)
        if loaded is None:
            raise NOT_FOUND
        report = loaded.report
        if any(p.key == key for p in report.photos):
            return {"ticket": ticket, "photos": _citizen_count(report.photos)}
        _check_room(report)
        now = deps.clock()
        updated, event = apply_action(
            report, Action.FOTO, actor=SOURCE, now=now,
            note="Pelapor menambahkan foto. / The reporter added a photo.",
            data={"source": SOURCE, "photos": [key]},
            changes={"photos": [*report.photos, Photo(key=key, kind="citizen", at=now,
                                                      by=SOURCE)]})
        try:
            deps.store.update(loaded, updated, [event])
        except ConcurrentUpdate:
            continue
        return {"ticket": ticket, "photos": _citizen_count(updated.photos)}
    raise ConcurrentUpdate(
        code="konflik_pembaruan",
        message_id="Laporan sedang diperbarui; coba lagi sebentar lagi.",
        message_en="The report is being updated; please try again shortly.")
