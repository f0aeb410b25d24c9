"""The officer directory: sign-in accounts and who receives each unit's alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from chalicelib.adapters.user_pool import (
    attributes_match,
    create_officer,
    invite_officer,
    officer_account,
    reinvite_officer,
    update_officer,
)
from chalicelib.domain.officers import Officer
from chalicelib.services.deps import Deps


def register_officer(deps: Deps, cognito_client: Any, pool_id: str, officer: Officer,
                     password: str) -> None:
    """Create the sign-in account and subscribe the officer to their unit's alert topic."""
    unit = deps.registry.units.get(officer.unit)
    if unit is None:
        raise ValueError(f"unknown unit {officer.unit!r} for {officer.username}")
    create_officer(cognito_client, pool_id, officer, password)
    subscribe_officer(deps, officer)


def subscribe_officer(deps: Deps, officer: Officer) -> None:
    topic = deps.notifier.ensure_unit_topic(officer.unit)
    if "email" in officer.alerts and officer.email:
        deps.notifier.subscribe(topic, "email", officer.email)
    if "sms" in officer.alerts and officer.phone:
        deps.notifier.subscribe(topic, "sms", officer.phone)


@dataclass
class DirectoryLoad:
    """What `load_directory` did (or, with dry_run, would do)."""

    invited: list[str] = field(default_factory=list)  # new accounts, invitation mailed
    updated: list[str] = field(default_factory=list)  # existing accounts brought in line
    reinvited: list[str] = field(default_factory=list)  # never signed in, invitation expired
    unsubscribed: int = 0  # alert subscriptions removed (moved unit, changed contact)

    def as_dict(self) -> dict[str, Any]:
        return {"invited": len(self.invited), "updated": len(self.updated),
                "reinvited": len(self.reinvited), "unsubscribed": self.unsubscribed}


# The pool's TemporaryPasswordValidityDays (infra/aws/resources.yaml; a test compares).
INVITATION_VALID = timedelta(days=7)


def _alert_endpoints(unit: str | None, email: str | None, phone: str | None,
                     alerts: list[str]) -> set[tuple[str, str, str]]:
    wanted = set()
    if unit and email and "email" in alerts:
        wanted.add((unit, "email", email))
    if unit and phone and "sms" in alerts:
        wanted.add((unit, "sms", phone))
    return wanted


def load_directory(deps: Deps, cognito_client: Any, pool_id: str, officers: list[Officer],
                   *, dry_run: bool = False) -> DirectoryLoad:
    """Create or update every officer's account and alert subscriptions.

    Idempotent: loading the same file twice changes nothing the second time. An officer
    new to the pool is invited (Cognito mails a temporary password); one already there
    gets the file's role, unit, name and contacts, keeps their password, and stops
    receiving alerts of a unit or at a contact they no longer have. One invited more than
    7 days ago who never signed in (the temporary password has expired) is invited again.
    Accounts absent from the file are left as they are (disable them in Cognito when
    someone leaves).
    """
    done = DirectoryLoad()
    now = deps.clock()
    # Every alert the file wants: an address or number shared by two officers (a
    # kelurahan's mailbox) stays subscribed when one of them moves away.
    wanted = set().union(*(_alert_endpoints(o.unit, o.email, o.phone, o.alerts)
                           for o in officers))
    for officer in officers:
        account = officer_account(cognito_client, pool_id, officer.username)
        before = account.attributes if account is not None else None
        (done.updated if before is not None else done.invited).append(officer.username)
        expired = (account is not None and account.status == "FORCE_CHANGE_PASSWORD"
                   and now - account.last_modified > INVITATION_VALID)
        if expired:
            done.reinvited.append(officer.username)
        if dry_run:
            continue
        if before is None:
            invite_officer(cognito_client, pool_id, officer)
        else:
            # Only when something changed: an update moves the account's modification
            # time, from which an unused invitation's age is told.
            if not attributes_match(before, officer):
                update_officer(cognito_client, pool_id, officer)
            if expired:
                reinvite_officer(cognito_client, pool_id, officer.username)
            old = _alert_endpoints(before.get("custom:unit"), before.get("email"),
                                   before.get("phone_number"), ["email", "sms"])
            for unit, protocol, endpoint in sorted(old - wanted):
                done.unsubscribed += deps.notifier.unsubscribe(
                    deps.notifier.unit_topic_arn(unit), protocol, endpoint)
        subscribe_officer(deps, officer)
    return done
