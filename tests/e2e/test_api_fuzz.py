"""Schemathesis fuzzes the JSON API on the local stack from /openapi.json.

A bounded run (a few examples per operation, deterministic): no answer may be a 5xx,
and every answer must match its documented schema. It runs signed in as lurah.gambir
(bearer token) after filing a few reports, so officer operations get past 401 too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.stack_support import PASSWORD, start_with_officers

ST = Path(sys.executable).parent / "st"
EXAMPLES = 15

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not ST.exists(), reason="schemathesis not installed")]


def test_the_api_survives_fuzzing_and_keeps_to_its_schema(stack: Any, tmp_path: Path):
    start_with_officers(stack)
    for text in ("Jalan berlubang", "Sampah menumpuk di pasar"):
        filed = requests.post(f"{stack.url}/channels/balai-warga", timeout=30, json={
            "description": text, "kelurahan_code": "31.71.01.1001", "lat": -6.1754,
            "lon": 106.8272})
        assert filed.status_code == 201
    login = requests.post(f"{stack.url}/auth/login", timeout=30,
                          json={"username": "lurah.gambir", "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = login.json()["id_token"]
    run = subprocess.run(
        [str(ST), "run", f"{stack.url}/openapi.json", "--url", stack.url,
         "--checks", "not_a_server_error,response_schema_conformance",
         "--phases", "examples,fuzzing", "--max-examples", str(EXAMPLES),
         "--generation-deterministic", "--request-timeout", "30", "--workers", "2",
         "--header", f"Authorization: Bearer {token}", "--no-color"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, f"{report}\n--- stack log ---\n{stack.output()}"
    assert " passed" in run.stdout, report
