"""The SLA clock of DESIGN section 5: which deadline a report is running against now."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.report import Report
from chalicelib.domain.status import Status


def next_due(report: Report) -> datetime | None:
    """The deadline the responsible unit is working against, or None if no clock runs.

    Before the first action it is the first-action deadline, after it the finish
    deadline. Time in `Menunggu Validasi` is the validator's, not the unit's.
    """
    if not report.is_open or report.status == Status.MENUNGGU_VALIDASI:
        return None
    if report.first_action_at is None:
        return report.first_action_due
    return report.finish_due
