"""Start the local stack for a benchmark: free ports, a throwaway data dir, stopped after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from infra.local.preflight import free_port  # noqa: E402


@contextmanager
def local_stack(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Yields the app's base URL of a fresh stack; prints its log if it fails to start."""
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as data:
        port, aws_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CRM_"))}
        env.update(CRM_PORT=str(port), CRM_AWS_PORT=str(aws_port), CRM_DATA_DIR=data,
                   **(extra_env or {}))
        log = Path(data) / "stack.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "infra.local", "run"],
                                    cwd=PROJECT_DIR, env=env, stdout=out,
                                    stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"local stack did not start:\n{log.read_text()[-3000:]}")
                try:
                    if requests.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.2)
            yield url
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
