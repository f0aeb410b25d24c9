"""Scheduled functions (EventBridge in AWS; the local stack's scheduler locally)."""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.services.deps import default_deps
from chalicelib.services.sla_sweep import sweep

log = logging.getLogger("crm.schedules")
bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="sla_sweep",
             description="SLA warnings, breaches and escalations")
def sla_sweep(event: CloudWatchEvent) -> dict[str, Any]:
    result = sweep(default_deps()).as_dict()
    log.info("SLA sweep: %s", result)
    return result
