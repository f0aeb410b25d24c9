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
