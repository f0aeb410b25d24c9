"""The report lifecycle of CRM / JAKI (DESIGN section 4) as a transition table.

Statuses and actions are the words officers and citizens see. The table below is
the single source of truth: an action not allowed from the current status is an
`IllegalTransition`, never a silent change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    MENUNGGU = "Menunggu"
    KOORDINASI = "Koordinasi"
    DISPOSISI = "Disposisi"
    PROSES = "Proses"
    MENUNGGU_VALIDASI = "Menunggu Validasi"
    TL_DITOLAK = "TL Ditolak"
    SELESAI = "Selesai"
    # Closed with a reason the reporter can read.
    DITOLAK = "Ditolak"
    BUKAN_KEWENANGAN = "Bukan Kewenangan"
    DUPLIKAT = "Duplikat"
    DI_LUAR_WILAYAH = "Di Luar Wilayah"


# Work is still owed to the citizen in these statuses.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {
        Status.MENUNGGU,
        Status.KOORDINASI,
        Status.DISPOSISI,
        Status.PROSES,
        Status.MENUNGGU_VALIDASI,
        Status.TL_DITOLAK,
    }
)
CLOSED_STATUSES: frozenset[Status] = frozenset(Status) - OPEN_STATUSES

# Colours of the JAKI timeline: red waits for a unit, yellow is being handled,
# green is done; closed-with-reason is grey.
STATUS_COLOUR: dict[Status, str] = {
    Status.MENUNGGU: "merah",
    Status.TL_DITOLAK: "merah",
    Status.KOORDINASI: "kuning",
    Status.DISPOSISI: "kuning",
    Status.PROSES: "kuning",
    Status.MENUNGGU_VALIDASI: "kuning",
    Status.SELESAI: "hijau",
    Status.DITOLAK: "abu-abu",
    Status.BUKAN_KEWENANGAN: "abu-abu",
    Status.DUPLIKAT: "abu-abu",
    Status.DI_LUAR_WILAYAH: "abu-abu",
}


class Action(StrEnum):
    TERIMA = "terima"  # intake: the report exists
    TUGASKAN = "tugaskan"  # routing assigned (or re-assigned) the responsible unit
    PROSES = "proses"
    KOORDINASI = "koordinasi"
    DISPOSISI = "disposisi"
    EWS = "ews"
    SELESAI = "selesai"
    VALIDASI = "validasi"
    TL_DITOLAK = "tl_ditolak"
    TOLAK = "tolak"
    BUKAN_KEWENANGAN = "bukan_kewenangan"
    DUPLIKAT = "duplikat"
    LUAR_WILAYAH = "luar_wilayah"
    BUKA_KEMBALI = "buka_kembali"
    FOTO = "foto"  # photos attached, status unchanged
    NILAI = "nilai"  # the reporter rated the result
    TINJAU = "tinjau"  # a validator reviewed a poor rating and let the result stand
    SLA = "sla"  # an SLA warning or escalation was sent (the sweep), status unchanged


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[Status]
    # None: the action leaves the status as it is (assignment, EWS).
    to: Status | None
    # The reporter must be told why (shown on tracking).
    needs_reason: bool = False


_BEFORE_VALIDATION = frozenset(
    {Status.MENUNGGU, Status.KOORDINASI, Status.DISPOSISI, Status.PROSES, Status.TL_DITOLAK}
)
_HANDLING = frozenset({Status.KOORDINASI, Status.DISPOSISI, Status.PROSES, Status.TL_DITOLAK})

TRANSITIONS: dict[Action, Transition] = {
    Action.TUGASKAN: Transition(frozenset({Status.MENUNGGU}), None),
    Action.PROSES: Transition(
        frozenset({Status.MENUNGGU, Status.KOORDINASI, Status.DISPOSISI, Status.TL_DITOLAK}),
        Status.PROSES,
    ),
    Action.KOORDINASI: Transition(_BEFORE_VALIDATION, Status.KOORDINASI),
    Action.DISPOSISI: Transition(
        frozenset({Status.MENUNGGU, Status.KOORDINASI, Status.PROSES}), Status.DISPOSISI
    ),
    Action.EWS: Transition(_HANDLING, None, needs_reason=True),
    Action.SELESAI: Transition(_BEFORE_VALIDATION, Status.MENUNGGU_VALIDASI),
    Action.VALIDASI: Transition(frozenset({Status.MENUNGGU_VALIDASI}), Status.SELESAI),
    Action.TL_DITOLAK: Transition(
        frozenset({Status.MENUNGGU_VALIDASI}), Status.TL_DITOLAK, needs_reason=True
    ),
    Action.TOLAK: Transition(_BEFORE_VALIDATION, Status.DITOLAK, needs_reason=True),
    Action.BUKAN_KEWENANGAN: Transition(
        _BEFORE_VALIDATION, Status.BUKAN_KEWENANGAN, needs_reason=True
    ),
    Action.DUPLIKAT: Transition(_BEFORE_VALIDATION, Status.DUPLIKAT, needs_reason=True),
    Action.LUAR_WILAYAH: Transition(
        frozenset({Status.MENUNGGU}), Status.DI_LUAR_WILAYAH, needs_reason=True
    ),
    Action.BUKA_KEMBALI: Transition(frozenset({Status.SELESAI}), Status.PROSES, needs_reason=True),
    Action.FOTO: Transition(OPEN_STATUSES, None),
    Action.NILAI: Transition(frozenset({Status.SELESAI}), None),
    Action.TINJAU: Transition(frozenset({Status.SELESAI}), None, needs_reason=True),
    Action.SLA: Transition(OPEN_STATUSES - {Status.MENUNGGU_VALIDASI}, None),
}


def next_status(current: Status, action: Action) -> Status | None:
    """The status after `action`, or None when the action is not allowed from `current`.

    Actions that keep the status (assignment, EWS) return `current`.
    """
    transition = TRANSITIONS.get(action)
    if transition is None or current not in transition.allowed_from:
        return None
    return transition.to or current


def allowed_actions(current: Status) -> list[Action]:
    return [a for a, t in TRANSITIONS.items() if current in t.allowed_from]
