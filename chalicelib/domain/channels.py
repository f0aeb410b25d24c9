"""The intake channels as data.

Adding a channel is a registry row plus, at most, one payload adapter.
"""

from __future__ import annotations

from pydantic import BaseModel


class Channel(BaseModel):
    id: str
    name: str
    kind: str  # partner | social | email | sms | web-form | walk-in
    auth: str  # how a delivery proves where it came from
    reply: str  # how the citizen is answered
    # External channels: which payload adapter reads the platform's native format
    # (partner | x | meta-page | meta-instagram | ses-email | sms); the handler module of
    # that format serves every row naming it, so another partner is one more row.
    payload: str | None = None
    # Walk-in channels: which officers may record a complaint on the channel.
    officer_unit_kinds: list[str] = []
    officer_units: list[str] = []

    def accepts_officer_unit(self, unit_code: str, unit_kind: str) -> bool:
        return unit_kind in self.officer_unit_kinds or unit_code in self.officer_units
