"""Who is told what when a report changes (DESIGN sections 3-4, issue 5).

`notices_for` turns one history event into the messages it calls for: an alert to
the unit that must now act (email + one-segment SMS through its SNS topic) and a
word to the citizen through their channel. Each notice carries an idempotency key
(ticket + event + recipient) so a redelivered stream record sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, StrictUndefined

from chalicelib.domain.categories import Categories
from chalicelib.domain.report import HistoryEvent, Report
from chalicelib.domain.sla import next_due
from chalicelib.domain.sms import fit_one_sms, fits_one_sms
from chalicelib.domain.status import Action
from chalicelib.domain.timefmt import WIB, wib_text
from chalicelib.domain.units import UnitDirectory

CLOCK_NAMES = {  # how each SLA clock is named in messages: (id, en, short for SMS)
    "first_action": ("tindak lanjut pertama", "first action", "TL pertama"),
    "finish": ("penyelesaian", "completion", "selesai"),
}

# Which template each action sends, to the unit that now holds the report and to the citizen.
UNIT_TEMPLATE = {
    Action.TUGASKAN: "unit_assigned",
    Action.KOORDINASI: "unit_coordinated",
    Action.DISPOSISI: "unit_disposed",
    Action.TL_DITOLAK: "unit_followup_rejected",
    Action.BUKA_KEMBALI: "unit_reopened",
}
CITIZEN_TEMPLATE = {
    Action.TUGASKAN: "citizen_assigned",
    Action.PROSES: "citizen_in_process",
    Action.KOORDINASI: "citizen_coordinated",
    Action.DISPOSISI: "citizen_coordinated",
    Action.VALIDASI: "citizen_done",
    Action.TOLAK: "citizen_rejected",
    Action.BUKAN_KEWENANGAN: "citizen_rejected",
    Action.DUPLIKAT: "citizen_merged",
    Action.LUAR_WILAYAH: "citizen_outside",
}

_env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


@dataclass(frozen=True)
class Notice:
    audience: str  # "unit" | "citizen"
    recipient: str  # unit code, or "reporter" (the channel decides the address)
    template: str
    subject: str
    email: str
    sms: str
    key: str  # idempotency key: ticket#event seq#recipient


@dataclass(frozen=True)
class Links:
    """Where people open things; pages are served by the app (issue 8)."""

    public_base_url: str
    tracking_token: str
    photo_url: str | None = None

    def officer(self, ticket: str) -> str:
        return f"{self.public_base_url}/petugas/laporan/{ticket}"

    def tracking(self, ticket: str) -> str:
        return f"{self.public_base_url}/lacak/{ticket}?token={self.tracking_token}"


def _render(templates: dict[str, Any], name: str, values: dict[str, Any]) -> tuple[str, str, str]:
    spec = templates[name]
    subject = _env.from_string(spec["subject"]).render(values)
    email = _env.from_string(spec["email"]).render(values)
    sms = _env.from_string(spec["sms"]).render(values)
    if not fits_one_sms(sms):
        # The place is the only free-length part worth shortening; then cut the rest.
        for length in (40, 25, 15):
            values = {**values, "place": values["place"][:length]}
            sms = _env.from_string(spec["sms"]).render(values)
            if fits_one_sms(sms):
                break
        sms = fit_one_sms(sms)
    return subject, email, sms


def _place(report: Report, units: UnitDirectory) -> str:
    if report.kelurahan_code:
        unit = units.get(report.kelurahan_code)
        if unit:
            return unit.name.replace("Kelurahan ", "Kel. ")
    return (report.address or "lokasi tidak disebut")[:80]


def may_notify(event: HistoryEvent) -> bool:
    """Whether an event can call for any notice (so most events need no report lookup)."""
    return event.action in UNIT_TEMPLATE or event.action in CITIZEN_TEMPLATE or (
        event.action == Action.SLA)


def notices_for(report: Report, event: HistoryEvent, *, units: UnitDirectory,
                categories: Categories, templates: dict[str, Any], links: Links,
                previous_unit: str | None = None) -> list[Notice]:
    """The notices one history event calls for (none for most internal steps)."""
    category = categories.get(report.category) if report.category else None
    unit = units.get(event.unit) if event.unit else None
    due = next_due(report)
    from_unit = units.get(previous_unit) if previous_unit else None
    values = {
        "ticket": report.ticket,
        "category": category.name if category else "Pengaduan umum",
        "category_en": category.name_en if category else "General complaint",
        "place": _place(report, units),
        "description": report.description[:500],
        "unit_name": unit.name if unit else "Pemprov DKI Jakarta",
        "from_unit_name": from_unit.name if from_unit else "Pemprov DKI Jakarta",
        "due": wib_text(due) if due else "-",
        "due_short": due.astimezone(WIB).strftime("%d/%m %H:%M") if due else "-",
        "note": event.note or "-",
        "link": links.officer(report.ticket),
        "track": links.tracking(report.ticket),
        "parent": report.parent_ticket or "-",
        "photo": links.photo_url,
    }
    if event.action == Action.SLA:
        return _sla_notices(report, event, units, templates, values)
    notices = []
    unit_template = UNIT_TEMPLATE.get(event.action)
    if unit_template and event.unit:
        subject, email, sms = _render(templates, unit_template, values)
        notices.append(Notice("unit", event.unit, unit_template, subject, email, sms,
                              f"{report.ticket}#{event.seq}#unit:{event.unit}"))
    citizen_template = CITIZEN_TEMPLATE.get(event.action)
    if citizen_template:
        subject, email, sms = _render(templates, citizen_template, values)
        notices.append(Notice("citizen", "reporter", citizen_template, subject, email, sms,
                              f"{report.ticket}#{event.seq}#reporter"))
    return notices


def _sla_notices(report: Report, event: HistoryEvent, units: UnitDirectory,
                 templates: dict[str, Any], values: dict[str, Any]) -> list[Notice]:
    """One alert per unit the SLA step names (warning, breach or escalation)."""
    data = event.data
    deadline = datetime.fromisoformat(data["deadline"])
    clock_id, clock_en, clock_short = CLOCK_NAMES[data["clock"]]
    responsible = units.get(report.unit) if report.unit else None
    responsible_name = responsible.name if responsible else "-"
    template = f"sla_{data['kind']}"
    notices = []
    for recipient in data["recipients"]:
        unit = units.get(recipient)
        subject, email, sms = _render(templates, template, {
            **values,
            "unit_name": unit.name if unit else recipient,
            "responsible_name": responsible_name,
            "responsible_short": responsible_name.replace("Kelurahan ", "Kel. ")[:30],
            "clock_name": clock_id, "clock_name_en": clock_en, "clock_short": clock_short,
            "due": wib_text(deadline),
            "due_short": deadline.astimezone(WIB).strftime("%d/%m %H:%M"),
        })
        notices.append(Notice("unit", recipient, template, subject, email, sms,
                              f"{report.ticket}#{event.seq}#unit:{recipient}"))
    return notices
