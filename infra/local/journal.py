"""Append-only JSON-lines files made durable with group commit.

A writer appends a line (cheap, under whatever lock orders its writes) and later waits until
the line is on disk. One fdatasync covers every line appended before it started, so N
concurrent writers pay for about one sync, not N.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class JournalCorrupt(Exception):
    """A complete line in the middle of a journal is not JSON: refuse to guess."""


def read_entries(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the entries of a JSON-lines file.

    A crash can leave the last line half written. That line was never synced, so no caller
    was told it succeeded: it is skipped (and `AppendLog` cuts it off before appending).
    """
    if not path.exists():
        return
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                log.warning("%s: ignoring a torn last line (%d bytes)", path.name, len(raw))
                return
            try:
                yield json.loads(raw)
            except ValueError as exc:
                raise JournalCorrupt(f"{path}: line {number} is not JSON ({exc})") from exc


def _complete_length(path: Path) -> tuple[int, int]:
    """(bytes up to the end of the last complete line, number of complete lines)."""
    size = lines = 0
    if path.exists():
        with path.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break
                size += len(raw)
                lines += 1
    return size, lines


class AppendLog:
    """One JSON-lines file: `append` returns a position, `wait_durable(position)` syncs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        size, lines = _complete_length(path)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        if os.fstat(self._fd).st_size != size:
            os.ftruncate(self._fd, size)  # drop a torn tail so new lines start clean
            os.fsync(self._fd)
        self._cond = threading.Condition()
        self._appended = lines  # lines written to the file (maybe only in the page cache)
        self._durable = lines  # lines known to be on disk
        self._syncing = False
        self.syncs = 0

    @property
    def count(self) -> int:
        """Lines appended so far; the position the next `append` will return minus one."""
        with self._cond:
            return self._appended

    def append(self, entry: dict[str, Any]) -> int:
        """Write one line; return its position (1-based) for `wait_durable`."""
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        with self._cond:
            os.write(self._fd, line)  # O_APPEND: one write per line, never interleaved
            self._appended += 1
            return self._appended

    def wait_durable(self, position: int | None = None) -> None:
        """Return once every line up to `position` (default: all appended so far) is on disk."""
        with self._cond:
            target = self._appended if position is None else position
            while self._durable < target:
                if self._syncing:
                    self._cond.wait()  # someone else's sync may already cover us
                    continue
                self._syncing = True
                covered = self._appended
                self._cond.release()
                try:
                    os.fdatasync(self._fd)
                finally:
                    self._cond.acquire()
                    self._syncing = False
                    self.syncs += 1
                self._durable = max(self._durable, covered)
                self._cond.notify_all()

    def close(self) -> None:
        self.wait_durable()
        os.close(self._fd)


def write_json_atomically(path: Path, data: Any) -> None:
    """Replace `path` with `data` so a crash leaves either the old or the new content."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # make the rename itself durable
    finally:
        os.close(dir_fd)
