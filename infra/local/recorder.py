"""WSGI middleware that makes moto durable: journal each successful write, replay at start.

Per request:
- One apply lock serializes moto calls. moto's models are plain dicts iterated without locks
  (DynamoDB queries race with writes), and journal order must equal apply order. moto is
  pure Python under the GIL, so the lock costs little throughput; syncing happens outside it.
- Before a write runs, moto's random generator is seeded with the write's journal position,
  so replaying the same writes in the same order recreates the same ids (SNS subscription
  ARNs, SQS message ids, stream event ids), whatever reads happened in between.
- A write that moto accepted (2xx) is appended to the journal while the lock is held.
- Before any response leaves, every journal line that existed when the request finished is
  synced (group commit). A client therefore never sees state, its own write or anyone
  else's, that a crash could take back.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from infra.local import outbox
from infra.local.aws_calls import classify
from infra.local.faults import CONTROL_PATH, FaultPlan, error_response
from infra.local.journal import AppendLog
from infra.local.moto_patches import CAPTURE, OutboxCapture

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.jsonl"
# Hop-by-hop or recomputed headers; everything else is kept so replay sees the same request.
_SKIPPED_HEADERS = frozenset({"HTTP_CONNECTION", "HTTP_KEEP_ALIVE", "HTTP_TRANSFER_ENCODING",
                              "HTTP_CONTENT_LENGTH", "HTTP_EXPECT"})
_PRESERVED_NAMES = "moto.preserved_header_names"  # moto.core.request: S3 metadata header case

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Recorder:
    def __init__(self, app: WsgiApp, journal: AppendLog, outbox_log: AppendLog,
                 capture: OutboxCapture = CAPTURE, echo: Callable[[str], None] | None = None,
                 faults: FaultPlan | None = None):
        from moto.moto_api._internal import mock_random

        self._app = app
        self._journal = journal
        self._outbox = outbox_log
        self._capture = capture
        self._random = mock_random
        self._lock = threading.Lock()
        self._echo = echo or _print_line
        self.faults = faults or FaultPlan()  # local fault injection (infra/local/faults.py)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = _read_body(environ)
        if environ.get("PATH_INFO") == CONTROL_PATH:
            code, answer = self.faults.control(environ.get("REQUEST_METHOD", "GET"), body)
            start_response(f"{code} {'OK' if code == 200 else 'Refused'}",
                           [("Content-Type", "application/json")])
            return [json.dumps(answer).encode()]
        call = classify(environ, body)
        fault = self.faults.pick(call.service, call.action)
        if fault is not None and not fault.after:  # refused before moto: nothing applied
            status, headers, payload = error_response(fault, environ, call.service)
            start_response(status, headers)
            return [payload]
        sent: list[dict[str, Any]] = []
        if not call.needs_lock:
            status, headers, payload = _call(self._app, environ)
        else:
            with self._lock, self._capture.collecting() as captured:
                if call.journaled:
                    self._random.seed(self._journal.count)
                status, headers, payload = _call(self._app, environ)
                code = _status_code(status)
                if call.journaled and 200 <= code < 300:
                    sent = list(captured)
                    for message in sent:
                        self._outbox.append(message)
                    self._journal.append(_entry(environ, body))
                elif call.journaled and code >= 500:
                    # moto crashed inside a write it may have half applied; replay will not
                    # repeat that half, so a restart can differ from what clients saw.
                    log.warning("moto failed on %s %s (%s): %s", call.service, call.action or
                                environ.get("PATH_INFO"), status, payload[:300])
        # Synced up to what was appended when the call finished: that covers this request's
        # own write and every write it could have read.
        self._journal.wait_durable()
        if sent:
            self._outbox.wait_durable()
            for message in sent:
                self._echo(outbox.format_line(message))
        if fault is not None:  # applied (and durable), but the answer says it failed
            status, headers, payload = error_response(fault, environ, call.service)
        start_response(status, headers)
        return [payload]

    def replay(self, entries: Iterable[dict[str, Any]]) -> tuple[int, int]:
        """Apply journaled writes to a fresh moto; returns (applied, rejected)."""
        applied = rejected = 0
        for index, entry in enumerate(entries):
            self._random.seed(index)  # the same seed the write had when it first ran
            status, _headers, payload = _call(self._app, _environ_from(entry))
            if 200 <= _status_code(status) < 300:
                applied += 1
            else:
                rejected += 1
                log.warning("replay: entry %d (%s %s) now fails: %s %s", index, entry["m"],
                            entry["p"], status, payload[:200])
        return applied, rejected


def _print_line(line: str) -> None:
    print(line, flush=True)


def _status_code(status: str) -> int:
    return int(status.split(" ", 1)[0])


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the whole body (chunked or not) and put it back for moto."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _call(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    response: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        response["status"], response["headers"] = status, headers
        return lambda data: None  # moto never uses the legacy write() callable

    chunks = app(environ, start_response)
    try:
        payload = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return response["status"], response["headers"], payload


def _entry(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    headers = {key: value for key, value in environ.items()
               if (key.startswith("HTTP_") and key not in _SKIPPED_HEADERS)
               or key == "CONTENT_TYPE"}
    return {
        "t": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "m": environ["REQUEST_METHOD"],
        "p": environ.get("PATH_INFO", "/"),
        "q": environ.get("QUERY_STRING", ""),
        "h": headers,
        "n": environ.get(_PRESERVED_NAMES) or {},
        "b": base64.b64encode(body).decode("ascii"),
    }


def _environ_from(entry: dict[str, Any]) -> dict[str, Any]:
    body = base64.b64decode(entry["b"])
    environ: dict[str, Any] = {
        "REQUEST_METHOD": entry["m"],
        "SCRIPT_NAME": "",
        "PATH_INFO": entry["p"],
        "QUERY_STRING": entry["q"],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        _PRESERVED_NAMES: entry.get("n") or {},
    }
    environ.update(entry["h"])
    return environ
