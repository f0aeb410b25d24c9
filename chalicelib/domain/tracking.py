"""Tracking tokens: the citizen's proof that they may follow a report.

The token is an HMAC of the ticket with a server secret, so it is never stored and
a redelivered channel message can be answered with the same token again. Without
the secret nobody can derive a token from a ticket number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def tracking_token(secret: bytes, ticket: str) -> str:
    digest = hmac.new(secret, f"track:{ticket}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()  # 144 bits, 24 characters


def token_matches(secret: bytes, ticket: str, token: str | None) -> bool:
    if not token:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    return hmac.compare_digest(tracking_token(secret, ticket).encode(), token.encode())
