"""What the browser and fuzz tests add to the local stack of tests/e2e/conftest.py."""

from __future__ import annotations

from typing import Any

from infra.local.config import PROJECT_DIR

PASSWORD = "Jakarta-Demo-2026"
BOUNDARIES = PROJECT_DIR.parent / "shared" / "geo" / "jakarta-kelurahan-partial.geojson"


def start_with_officers(stack: Any) -> None:
    """Start the conftest's stack with the demo officers' password and, when the shared
    layer is there, the kelurahan boundaries (the maps draw them, routing uses them)."""
    stack.extra_env.update(CRM_DEMO_PASSWORD=PASSWORD,
                           CRM_LOCAL_APP="tests.e2e.browser_app:app_with_demo_officers")
    if BOUNDARIES.exists():
        stack.extra_env["CRM_BOUNDARIES"] = str(BOUNDARIES)
    stack.start(timeout=40)
