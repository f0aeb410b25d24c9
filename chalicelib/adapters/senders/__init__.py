"""Senders: one per platform, each speaking that platform's real API.

`Senders.send(message)` picks the sender by the message's medium and returns the
platform's id of what was sent (or raises a SendError, see base.py).
"""

from __future__ import annotations

from typing import Protocol

from chalicelib.adapters.senders.base import PermanentSendError
from chalicelib.domain.replies import Outgoing


class Sender(Protocol):
    def send(self, message: Outgoing) -> str: ...


class Senders:
    def __init__(self, by_medium: dict[str, Sender]) -> None:
        self._by_medium = by_medium

    def send(self, message: Outgoing) -> str:
        sender = self._by_medium.get(message.medium)
        if sender is None:
            raise PermanentSendError(f"no sender for medium {message.medium!r}")
        return sender.send(message)
