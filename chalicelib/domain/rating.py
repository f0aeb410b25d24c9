"""The reporter's rating of the result (1-5 stars), once the report is Selesai."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import FieldProblem, IllegalTransition, ValidationFailed
from chalicelib.domain.report import HistoryEvent, Rating, Report, apply_action
from chalicelib.domain.status import Action, Status

# A rating this low sends the report to the validator for review (DESIGN section 4).
LOW_RATING_MAX = 2
MAX_COMMENT = 1000
REPORTER_ACTOR = "pelapor"


def parse_rating(payload: Any) -> tuple[int, str | None]:
    if not isinstance(payload, Mapping):
        raise ValidationFailed.of([FieldProblem("body", "Isi permintaan harus berupa objek JSON.",
                                                "The request body must be a JSON object.")])
    stars = payload.get("stars")
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationFailed.of([FieldProblem("stars", "Nilai 'stars' harus bilangan bulat 1-5.",
                                                "'stars' must be a whole number from 1 to 5.")])
    comment = payload.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
        raise ValidationFailed.of([FieldProblem(
            "comment", f"Komentar harus teks, paling panjang {MAX_COMMENT} karakter.",
            f"The comment must be text of at most {MAX_COMMENT} characters.")])
    return stars, (comment.strip() or None) if comment else None


def rate(report: Report, stars: int, comment: str | None,
         now: datetime) -> tuple[Report, HistoryEvent]:
    if report.status != Status.SELESAI:
        raise IllegalTransition(
            code="belum_selesai",
            message_id="Laporan hanya dapat dinilai setelah berstatus Selesai.",
            message_en="A report can be rated only once it is Selesai (done).",
        )
    if report.rating is not None:
        raise IllegalTransition(
            code="sudah_dinilai",
            message_id="Laporan ini sudah Anda nilai; penilaian hanya sekali.",
            message_en="You have already rated this report; a rating is given once.",
        )
    low = stars <= LOW_RATING_MAX
    note = (
        "Terima kasih. Penilaian rendah Anda akan ditinjau oleh Biro Pemerintahan. / "
        "Thank you. Your low rating will be reviewed by the Biro Pemerintahan."
        if low else "Terima kasih atas penilaian Anda. / Thank you for your rating."
    )
    return apply_action(
        report, Action.NILAI, actor=REPORTER_ACTOR, now=now, note=note,
        data={"stars": stars, "review": low},
        changes={"rating": Rating(stars=stars, comment=comment, at=now),
                 "review_requested": low},
    )
