"""Where each stream pump has got to, persisted so a restart neither re-delivers nor skips.

Keyed by table name and handler name, not by stream ARN: moto gives the stream a new label
(and so a new ARN) every time the journal is replayed, while the sequence numbers, which
moto derives from the record's position in the shard, come back identical.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from infra.local.journal import write_json_atomically

CHECKPOINTS_FILE = "stream-checkpoints.json"


@dataclass(frozen=True)
class Checkpoint:
    # Last sequence number fully handled (delivered, or sent to the DLQ); None = start of shard.
    after: str | None


class CheckpointStore:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / CHECKPOINTS_FILE
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, dict[str, str | None]]] = (
            json.loads(self._path.read_text()) if self._path.exists() else {}
        )

    def get(self, table: str, handler: str) -> Checkpoint | None:
        with self._lock:
            entry = self._data.get(table, {}).get(handler)
        return None if entry is None else Checkpoint(entry.get("after"))

    def set(self, table: str, handler: str, after: str | None) -> None:
        """Record progress durably (fsync + atomic rename) before the pump moves on."""
        with self._lock:
            self._data.setdefault(table, {})[handler] = {
                "after": after,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            }
            write_json_atomically(self._path, self._data)
