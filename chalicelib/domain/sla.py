"""The SLA clock of DESIGN section 5: deadlines, warnings and escalations.

One clock runs at a time. Before the first action (proses / koordinasi / disposisi
/ selesai) it is the first-action clock, from intake to `first_action_due`; after
it the finish clock, from intake (or from a TL Ditolak or reopening) to
`finish_due`. No clock runs in `Menunggu Validasi` (the validator's time is not
the unit's) or once the report is closed.

Each running clock has steps: a warning at `warn_fraction` of the time, the breach
at the deadline, then escalations `escalation_hours` after it. A step's key names
its clock, its deadline and its level, so a moved deadline (EWS, TL Ditolak)
starts fresh steps while a step already sent is never sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.report import SYSTEM_ACTOR, HistoryEvent, Report, apply_action
from chalicelib.domain.status import Action, Status
from chalicelib.domain.timefmt import utc_iso

FIRST_ACTION = "first_action"
FINISH = "finish"


def next_due(report: Report) -> datetime | None:
    """The deadline the responsible unit is working against, or None if no clock runs."""
    clock = running_clock(report)
    return clock[2] if clock else None


def running_clock(report: Report) -> tuple[str, datetime, datetime] | None:
    """(clock name, start, deadline) of the clock running now, if any."""
    if not report.is_open or report.status == Status.MENUNGGU_VALIDASI:
        return None
    if report.first_action_at is None:
        if report.first_action_due is None:
            return None
        return FIRST_ACTION, report.created_at, report.first_action_due
    if report.finish_due is None:
        return None
    return FINISH, report.finish_started_at or report.created_at, report.finish_due


@dataclass(frozen=True)
class SlaStep:
    clock: str
    level: int  # 0 warning, 1 breach, 2.. further escalations
    at: datetime
    deadline: datetime

    @property
    def key(self) -> str:
        return f"{self.clock}@{utc_iso(self.deadline)}#{self.level}"

    @property
    def kind(self) -> str:
        return "peringatan" if self.level == 0 else "pelanggaran" if self.level == 1 else (
            "eskalasi")


def sla_steps(report: Report, policy: SlaPolicy) -> list[SlaStep]:
    """Every step of the running clock, in time order (sent or not)."""
    clock = running_clock(report)
    if clock is None:
        return []
    name, start, deadline = clock
    steps = [SlaStep(name, 0, policy.fraction_point(start, deadline, policy.warn_fraction),
                     deadline)]
    for level, hours in enumerate(policy.escalation_hours, start=1):
        steps.append(SlaStep(name, level, deadline + timedelta(hours=hours), deadline))
    return steps


def pending_steps(report: Report, policy: SlaPolicy, now: datetime) -> list[SlaStep]:
    """Steps whose time has come and that were not sent yet."""
    return [s for s in sla_steps(report, policy) if s.at <= now and s.key not in report.sla_sent]


def next_check(report: Report, policy: SlaPolicy) -> datetime | None:
    """When the sweep must next look at this report (None: never, until it changes)."""
    times = [s.at for s in sla_steps(report, policy) if s.key not in report.sla_sent]
    return min(times) if times else None


def step_recipients(chain: list[str], level: int, last_level: int) -> list[str]:
    """Units told at a step. `chain` is the responsible unit and its ancestors, nearest first.

    A warning goes to the unit; the breach to the unit and its parent; each further
    escalation one level up; the last always to the Biro Pemerintahan (chain's root).
    """
    if not chain:
        return []
    if level == 0:
        return [chain[0]]
    if level == last_level:
        return [chain[-1]]
    above = chain[min(level, len(chain) - 1)]
    return list(dict.fromkeys([chain[0], above])) if level == 1 else [above]


def time_left(report: Report, now: datetime) -> timedelta | None:
    """Time until the running deadline, never negative (see `overdue_by`); None if no clock."""
    due = next_due(report)
    return max(due - now, timedelta()) if due else None


def overdue_by(report: Report, now: datetime) -> timedelta | None:
    """How late the running deadline is, or None when it has not passed (or no clock runs)."""
    due = next_due(report)
    return now - due if due is not None and now > due else None


def record_steps(report: Report, policy: SlaPolicy, chain: list[str],
                 now: datetime) -> tuple[Report, list[HistoryEvent]]:
    """The report with every due step recorded once, and one history event per step.

    `chain` is the responsible unit and its ancestors, nearest first (who is told).
    """
    events: list[HistoryEvent] = []
    last_level = len(policy.escalation_hours)
    for step in pending_steps(report, policy, now):
        report, event = apply_action(
            report, Action.SLA, actor=SYSTEM_ACTOR, now=now,
            internal_note=f"SLA {step.kind} ({step.clock}), batas {utc_iso(step.deadline)}",
            data={"clock": step.clock, "level": step.level, "kind": step.kind,
                  "deadline": step.deadline.isoformat(),
                  "recipients": step_recipients(chain, step.level, last_level)},
            changes={"sla_sent": [*report.sla_sent, step.key]},
        )
        events.append(event)
    return report, events
