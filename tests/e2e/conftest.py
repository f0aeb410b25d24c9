"""A running local stack for end-to-end tests: `python -m infra.local run` on free ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.config import PROJECT_DIR
from infra.local.preflight import free_port

KELURAHAN_GAMBIR = "31.71.01.1001"


class RunningStack:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.extra_env: dict[str, str] = {}  # e.g. CRM_BOUNDARIES for a test
        self.port, self.aws_port = free_port(), free_port()
        self.data_dir, self.log = data_dir, log
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CRM_"))}
        env.update(CRM_PORT=str(self.port), CRM_AWS_PORT=str(self.aws_port),
                   CRM_DATA_DIR=str(self.data_dir), **self.extra_env)
        return env

    def start(self, timeout: float = 30) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "infra.local", "run"],
                                         cwd=PROJECT_DIR, env=self.env(), stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the stack exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the stack did not come up in {timeout} s:\n{self.output()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(20)
        self.proc = None
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def file_report(self, text: str) -> dict[str, Any]:
        answer = requests.post(f"{self.url}/channels/balai-warga", timeout=30, json={
            "description": text, "kelurahan_code": KELURAHAN_GAMBIR})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def read(self, filed: dict[str, Any]) -> dict[str, Any]:
        answer = requests.get(f"{self.url}/reports/{filed['ticket']}", timeout=10,
                              params={"token": filed["tracking_token"]})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def wait_routed(self, filed: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            report = self.read(filed)
            if assignments(report):
                return report
            if time.monotonic() > deadline:
                pytest.fail(f"{filed['ticket']} never routed:\n{self.output()}")
            time.sleep(0.05)

    def wait_pumps_idle(self, timeout: float = 10) -> None:
        """Until a full poll interval passes with no new record handled."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            pumps = requests.get(f"{self.url}/_local/status", timeout=5).json()["pumps"]
            positions = [(p["after"], p["retrying"]) for p in pumps]
            if positions == last and not any(retrying for _, retrying in positions):
                return
            last = positions
            time.sleep(0.5)
        pytest.fail(f"the stream pumps did not settle:\n{self.output()}")


def assignments(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [event for event in report["history"] if event["action"] == "tugaskan"]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[RunningStack]:
    """A stack with its own ports and data dir; killed after the test if still running."""
    running = RunningStack(tmp_path / "data", tmp_path / "stack.log")
    yield running
    if running.proc is not None:
        running.proc.kill()
        running.proc.wait()


def get_json(stack: RunningStack, path: str, **params: str) -> dict[str, Any]:
    answer = requests.get(f"{stack.url}{path}", params=params, timeout=30)
    answer.raise_for_status()
    return answer.json()
