"""The collaborators a use case needs, built once per Lambda container.

Tests build their own `Deps` (with a fixed clock, a moto-backed store) instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from chalicelib.adapters import clock
from chalicelib.adapters.identity import CognitoIdentity
from chalicelib.adapters.login_guard import LoginGuard
from chalicelib.adapters.media import Media
from chalicelib.adapters.notify import Notifier
from chalicelib.adapters.sent_log import SentLog
from chalicelib.adapters.store import ReportStore
from chalicelib.config import Settings, settings
from chalicelib.registry import Registry, registry


def system_clock() -> datetime:
    return clock.now()


@dataclass(frozen=True)
class Deps:
    store: ReportStore
    registry: Registry
    settings: Settings
    media: Media
    login_guard: LoginGuard
    notifier: Notifier
    sent_log: SentLog
    # None where no Cognito pool is configured: officer routes then answer 503.
    identity: CognitoIdentity | None = None
    clock: Callable[[], datetime] = system_clock


def build_deps(config: Settings, clock: Callable[[], datetime] = system_clock) -> Deps:
    reg = registry()
    identity = None
    if config.user_pool_id and config.user_pool_client_id:
        identity = CognitoIdentity(config.region, config.user_pool_id,
                                   config.user_pool_client_id, endpoint_url=config.endpoint_url)
    return Deps(
        store=ReportStore(config.table_name, config.region, reg.units, reg.sla_policy,
                          host=config.endpoint_url, due_shards=config.due_shards),
        registry=reg,
        settings=config,
        media=Media(config.bucket, config.region, endpoint_url=config.endpoint_url),
        login_guard=LoginGuard(config.table_name, config.region, host=config.endpoint_url),
        notifier=Notifier(config.stage, config.region, config.sender_email,
                          endpoint_url=config.endpoint_url),
        sent_log=SentLog(config.table_name, config.region, host=config.endpoint_url),
        identity=identity,
        clock=clock,
    )


_override: Deps | None = None


@cache
def _from_environment() -> Deps:
    return build_deps(settings())


def default_deps() -> Deps:
    """The Deps of this process: built from the environment, unless a test installed its own."""
    return _override if _override is not None else _from_environment()


def override_deps(deps: Deps | None) -> None:
    """Install (or with None, remove) the Deps that handlers use. For tests."""
    global _override
    _override = deps
