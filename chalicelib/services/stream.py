"""What happens after the table changes: one processor per item type and change.

The stream handler calls `process_change` for each record. Processors must be
idempotent: Lambda delivers every record at least once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.store import report_from_image
from chalicelib.services.deps import Deps
from chalicelib.services.routing import route_report


@dataclass(frozen=True)
class Change:
    """One stream record, reduced to what processors need."""

    event_name: str  # INSERT | MODIFY | REMOVE
    item_type: str | None
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None


Processor = Callable[[Deps, Change], None]
PROCESSORS: dict[tuple[str, str], list[Processor]] = {}


def processor(item_type: str, event_name: str) -> Callable[[Processor], Processor]:
    """Register a function to run for every `event_name` change of items of `item_type`."""

    def register(func: Processor) -> Processor:
        PROCESSORS.setdefault((item_type, event_name), []).append(func)
        return func

    return register


def change_from(event_name: str, new_image: dict[str, Any] | None,
                old_image: dict[str, Any] | None) -> Change:
    image = new_image or old_image or {}
    return Change(event_name, image.get("type", {}).get("S"), new_image, old_image)


# Modules whose processors register on import, besides this one. Everything that handles
# stream records (the Lambda handler, `crm redrive`) calls `process_change`, which loads
# them first: a process that forgot one would skip its work without a sound.
PROCESSOR_MODULES = ("chalicelib.services.duplicates", "chalicelib.services.kinerja_stream",
                     "chalicelib.services.notifications")


def load_processors() -> None:
    for name in PROCESSOR_MODULES:
        importlib.import_module(name)


def process_change(deps: Deps, change: Change) -> None:
    load_processors()  # cheap after the first call: the modules are in sys.modules
    for func in PROCESSORS.get((change.item_type or "", change.event_name), []):
        func(deps, change)


@processor("report", "INSERT")
def route_new_report(deps: Deps, change: Change) -> None:
    report = report_from_image(change.new_image or {})
    if report is not None:
        route_report(deps, report.ticket)
