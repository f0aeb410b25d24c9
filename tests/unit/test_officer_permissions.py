"""Every (role, status, action) combination, generated: allowed exactly when the role may take
the action AND the status machine allows it from that status; refused otherwise with the
right error. Plus the unit scopes of each role."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.errors import DomainError, IllegalTransition
from chalicelib.domain.officers import Forbidden, Officer, Role, can_view
from chalicelib.domain.report import Photo, Report, open_report
from chalicelib.domain.status import TRANSITIONS, Action, Status
from chalicelib.domain.ticket import new_ticket
from chalicelib.domain.workflow import (
    NOT_OFFICER_ACTIONS,
    ActionCommand,
    ActionContext,
    NotInReview,
    decide_action,
)
from chalicelib.registry import demo_officers, registry

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
REG = registry()
OFFICER_ACTIONS = [a for a in Action if a not in NOT_OFFICER_ACTIONS]

# One officer per role, each responsible (directly or through the hierarchy) for the report.
UNIT_FOR_ROLE = {
    Role.PETUGAS: "31.71.01.1001", Role.LURAH: "31.71.01.1001", Role.CAMAT: "31.71.01",
    Role.WALIKOTA: "31.71", Role.SUDIN: "sudin:bina-marga:31.71", Role.DINAS: "opd:bina-marga",
    Role.VALIDATOR: "biro-pemerintahan", Role.ADMIN: "biro-pemerintahan",
}
REPORT_UNIT_FOR_ROLE = {Role.SUDIN: "sudin:bina-marga:31.71", Role.DINAS: "opd:bina-marga"}
PARENT_TICKET = new_ticket(random.Random(1).randrange)
PARENT, _ = open_report(ticket=PARENT_TICKET, channel="jaki", description="induk", now=T0,
                        policy=SlaPolicy())


def report(status: Status, unit: str) -> Report:
    base, _ = open_report(ticket="K7Q4-M9XD", channel="jaki", description="Jalan rusak",
                          now=T0, policy=SlaPolicy(), kelurahan_code="31.71.01.1001")
    return base.model_copy(update={"status": status, "unit": unit, "review_requested": True,
                                   "photos": [Photo(key="reports/K7Q4-M9XD/after-1.jpg",
                                                    kind="after", at=T0, by="x")]})


def complete_command(action: Action, current_unit: str) -> ActionCommand:
    """The command with every field the action needs, so only permission and status decide."""
    target = {Action.DISPOSISI: "sudin:bina-marga:31.71",
              Action.KOORDINASI: "opd:sumber-daya-air"}.get(action)
    if current_unit == target:
        target = "opd:lingkungan-hidup"
    return ActionCommand(
        action=action, note="alasan yang jelas", target_unit=target,
        parent_ticket=PARENT_TICKET if action == Action.DUPLIKAT else None,
        ews_at=T0 + timedelta(days=30) if action == Action.EWS else None)


def context(action: Action) -> ActionContext:
    photos = [Photo(key="reports/K7Q4-M9XD/before-2.jpg", kind="before", at=T0, by="x")]
    return ActionContext(now=T0 + timedelta(hours=1), units=REG.units,
                         policies=REG.role_policies, sla=SlaPolicy(),
                         verified_photos=photos if action == Action.FOTO else [],
                         parent=PARENT)


@pytest.mark.parametrize("role", list(Role))
def test_every_status_and_action_for_a_role(role):
    officer = Officer(username=f"test.{role}", role=role, unit=UNIT_FOR_ROLE[role])
    mismatches = []
    for status in Status:
        for action in OFFICER_ACTIONS:
            # A disposisi starts at a dinas; every other action at the role's own unit.
            unit = ("opd:bina-marga" if action == Action.DISPOSISI
                    else REPORT_UNIT_FOR_ROLE.get(role, "31.71.01.1001"))
            subject = report(status, unit)
            in_scope = officer.unit in {unit, "biro-pemerintahan"} or (
                unit == "31.71.01.1001" and officer.unit in {"31.71.01", "31.71"})
            role_may = action in REG.role_policies[role].actions and in_scope
            status_may = status in TRANSITIONS[action].allowed_from
            command = complete_command(action, unit)
            try:
                updated, event = decide_action(subject, officer, command, context(action))
                outcome = "allowed"
                assert event.action == action and event.actor == officer.username
            except Forbidden:
                outcome = "forbidden"
            except IllegalTransition:
                outcome = "illegal"
            except NotInReview:
                outcome = "illegal"
            except DomainError as exc:
                outcome = f"invalid:{exc.problems[0].field if exc.problems else exc.code}"
            expected = "forbidden" if not role_may else "allowed" if status_may else "illegal"
            if outcome != expected:
                mismatches.append((str(status), str(action), outcome, expected))
    assert mismatches == []


def test_the_roles_follow_the_pergub_division_of_work():
    actions = {role: REG.role_policies[role].actions for role in Role}
    assert Action.VALIDASI in actions[Role.VALIDATOR] - actions[Role.LURAH]
    assert Action.DISPOSISI in actions[Role.DINAS] - actions[Role.SUDIN]
    assert Action.KOORDINASI not in actions[Role.PETUGAS]
    assert actions[Role.ADMIN] >= set().union(*(a for r, a in actions.items() if r != Role.ADMIN))


@pytest.mark.parametrize(("username", "visible"), [
    ("lurah.gambir", True), ("petugas.gambir", True), ("camat.gambir", True),
    ("walikota.jakpus", True), ("admin", True), ("validator.biropem", True),
    ("lurah.menteng", False), ("dinas.binamarga", False), ("sudin.binamarga.jakpus", False),
])
def test_who_sees_a_report_of_kelurahan_gambir(username, visible):
    officer = next(o for o in demo_officers() if o.username == username)
    assert can_view(officer, report(Status.MENUNGGU, "31.71.01.1001"), REG.units) is visible


def test_demo_officers_have_roles_that_fit_their_units():
    for officer in demo_officers():
        kind = REG.units.get(officer.unit).kind
        assert kind in REG.role_policies[officer.role].unit_kinds, officer.username


def test_the_officer_who_entered_a_walk_in_may_attach_its_photos_before_routing():
    from chalicelib.domain.officers import check_can_act

    entered = report(Status.MENUNGGU, None).model_copy(update={"entered_by": "lurah.menteng"})
    menteng = next(o for o in demo_officers() if o.username == "lurah.menteng")
    check_can_act(menteng, entered, Action.FOTO, REG.units, REG.role_policies)
    with pytest.raises(Forbidden):
        check_can_act(menteng, entered, Action.PROSES, REG.units, REG.role_policies)
