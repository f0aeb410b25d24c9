"""`make package` preconditions that need the package registry (CI has it)."""

from __future__ import annotations

from infra.package import preflight


def test_runtime_requirements_have_lambda_wheels() -> None:
    """Every pinned runtime dependency (and what it pulls in) ships a wheel Lambda can load.

    Otherwise `chalice package` compiles it here for many minutes and then leaves it out of
    the zip with a mere warning. The message names the packages to re-pin.
    """
    preflight()
