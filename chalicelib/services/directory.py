"""The officer directory: sign-in accounts and who receives each unit's alerts."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.user_pool import create_officer
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
