"""Checks that turn the usual start-up failures into one clear sentence."""

from __future__ import annotations

import errno
import fcntl
import importlib.util
import os
import socket
import time
from pathlib import Path

# module -> what provides it
DEPENDENCIES = {
    "moto": "moto[server]",
    "flask": "moto[server]",
    "flask_cors": "moto[server]",
    "werkzeug": "moto[server]",
    "chalice": "chalice",
    "croniter": "croniter",
    "boto3": "boto3",
}
LOCK_FILE = "stack.lock"


class PreflightError(Exception):
    """Printed as is, then the stack exits non-zero."""


def check_dependencies() -> None:
    missing = sorted({package for module, package in DEPENDENCIES.items()
                      if importlib.util.find_spec(module) is None})
    if missing:
        raise PreflightError(
            f"missing Python package(s): {', '.join(missing)}. Run `make run`, which "
            "installs requirements-dev.txt into .venv (or: pip install -r requirements-dev.txt).")


def ensure_port_free(host: str, port: int, variable: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option as the real servers, so a port in TIME_WAIT does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PreflightError(
                    f"port {port} on {host} is already in use ({variable}={port}). Stop the "
                    f"other process (is a stack already running?) or choose another port, "
                    f"e.g. {variable}={port + 1} make run.") from None
            raise


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for tests and parallel stacks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def lock_data_dir(data_dir: Path, wait_seconds: float = 5.0) -> int:
    """Hold an exclusive lock on the data dir; returns the fd (keep it open, pass it to children).

    Two stacks appending to one journal would corrupt it. Waiting a little covers a restart
    right after a crash, while the old moto child is still on its way out.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise PreflightError(
                    f"{data_dir} is in use by another stack (pid {holder}). Stop it first, "
                    "or point CRM_DATA_DIR elsewhere.") from None
            time.sleep(0.1)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd
