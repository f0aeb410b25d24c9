"""moto as AWS, in a child process: `AwsProcess` starts it, `main` is what runs inside.

A child rather than a thread: moto and the app each get a core (the GIL would otherwise make
them share one), and a crash in one cannot corrupt the other. The child replays the journal
before it opens its port, so nobody sees half-restored state, and it dies with its parent.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.config import ACCOUNT_ID, PROJECT_DIR, REGION

log = logging.getLogger(__name__)

# Backends the stack uses, created before replay: a backend built lazily during a replayed
# write could draw from moto's seeded random generator and shift that write's ids.
WARM_SERVICES = ("dynamodb", "dynamodbstreams", "s3", "sqs", "sns", "ses", "sesv2", "sts")


class AwsProcessError(Exception):
    """The moto process could not start; the message says why."""


@dataclass(frozen=True)
class ReadyInfo:
    replayed: int
    rejected: int
    seconds: float


class AwsProcess:
    """Parent-side handle on the moto child."""

    def __init__(self, host: str, port: int, data_dir: Path, inherit_fds: tuple[int, ...] = ()):
        self.host, self.port, self.data_dir = host, port, data_dir
        self._inherit_fds = inherit_fds
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 120.0) -> ReadyInfo:
        """Spawn the child and wait until it has replayed the journal and listens.

        Call from the main thread: PR_SET_PDEATHSIG fires when the spawning *thread* exits.
        """
        read_fd, write_fd = os.pipe()
        command = [sys.executable, "-m", "infra.local.aws_process",
                   "--host", self.host, "--port", str(self.port),
                   "--data-dir", str(self.data_dir), "--parent-pid", str(os.getpid()),
                   "--ready-fd", str(write_fd)]
        try:
            self._proc = subprocess.Popen(command, cwd=PROJECT_DIR,
                                          pass_fds=(write_fd, *self._inherit_fds))
        finally:
            os.close(write_fd)
        try:
            status = self._read_status(read_fd, timeout)
        finally:
            os.close(read_fd)
        if not status.get("ok"):
            self.stop()
            raise AwsProcessError(status.get("error") or "the moto process failed to start")
        return ReadyInfo(status["replayed"], status["rejected"], status["seconds"])

    def __enter__(self) -> AwsProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _read_status(self, fd: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return {"ok": False, "error": f"moto did not start within {timeout:.0f} s"}
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:  # the child exited without reporting
                    code = self._proc.wait() if self._proc else None
                    return {"ok": False, "error": f"the moto process exited (code {code}); "
                                                  "see its output above"}
                data += chunk
        return json.loads(data)

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- inside the child --------------------------------------------------------------------


def _die_with_parent(parent_pid: int) -> None:
    """Exit as soon as the stack process is gone, however it went (even SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watchdog() -> None:  # for systems without prctl, and as a second line on Linux
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watchdog, name="parent-watchdog", daemon=True).start()


def _report(fd: int, status: dict[str, Any]) -> None:
    os.write(fd, json.dumps(status).encode() + b"\n")
    os.close(fd)


def serve(host: str, port: int, data_dir: Path, ready_fd: int) -> None:
    from moto.backends import get_backend
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from infra.local import moto_patches
    from infra.local.journal import AppendLog, read_entries
    from infra.local.outbox import OUTBOX_FILE
    from infra.local.recorder import JOURNAL_FILE, Recorder

    moto_patches.install()
    for service in WARM_SERVICES:
        backends = get_backend(service)[ACCOUNT_ID]  # type: ignore[index]
        try:
            backends[REGION]
        except KeyError:  # global services (S3, STS) live under the partition name
            backends["aws"]

    journal = AppendLog(data_dir / JOURNAL_FILE)  # opening first cuts a torn tail off
    outbox_log = AppendLog(data_dir / OUTBOX_FILE)
    recorder = Recorder(DomainDispatcherApplication(create_backend_app), journal, outbox_log)
    started = time.monotonic()
    replayed, rejected = recorder.replay(read_entries(data_dir / JOURNAL_FILE))
    seconds = round(time.monotonic() - started, 3)

    try:
        server = make_server(host, port, recorder, threaded=True,
                             request_handler=MotoRequestHandler)
    except OSError as exc:
        _report(ready_fd, {"ok": False, "error": f"cannot listen on {host}:{port}: {exc}"})
        sys.exit(1)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    _report(ready_fd, {"ok": True, "replayed": replayed, "rejected": rejected,
                       "seconds": seconds})
    server.serve_forever(poll_interval=0.1)  # notice shutdown() quickly
    server.server_close()
    journal.close()
    outbox_log.close()
    # Everything is on disk; skip tearing down moto's thousands of objects (~0.5 s).
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--ready-fd", type=int, required=True)
    args = parser.parse_args(argv)

    _die_with_parent(args.parent_pid)
    # Ctrl-C reaches the whole process group; the parent decides when moto stops (SIGTERM).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [aws] %(message)s",
                        datefmt="%H:%M:%S")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    try:
        serve(args.host, args.port, args.data_dir, args.ready_fd)
    except Exception as exc:
        log.exception("the moto process failed")
        # If ready was already reported the fd is closed; the traceback above says it all.
        with contextlib.suppress(OSError):
            _report(args.ready_fd, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        sys.exit(1)


if __name__ == "__main__":
    main()
