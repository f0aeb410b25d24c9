"""What every sender shares: the two kinds of failure and a careful HTTP POST.

A sender either returns the platform's id of what it sent or raises:
- `PermanentSendError`: retrying cannot help (bad address, refused content, missing
  configuration); the outbox marks the message failed at once;
- `TemporarySendError` (or any other exception): the platform is busy or unreachable;
  the outbox counts the attempt and the stream retries, up to a limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

# Connect, read. The sender runs inside the stream handler: a hanging platform must not
# eat the batch's time limit.
TIMEOUT = (3.05, 10)
_RETRYABLE_STATUS = {408, 409, 425, 429}


class SendError(Exception):
    """A message could not be sent."""


class PermanentSendError(SendError):
    """Sending again will fail again."""


class NotConfiguredError(PermanentSendError):
    """The sender lacks its token or URL (normal in the local stack, a fault in AWS)."""


class TemporarySendError(SendError):
    """Sending again later may work."""


def _describe(response: requests.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:300]}"


def post_json(session: requests.Session, url: str, body: Any, *,
              headers: dict[str, str] | None = None, data: bytes | None = None,
              temporary: Callable[[requests.Response], bool] | None = None
              ) -> requests.Response:
    """POST JSON (or pre-encoded `data`); raise the right SendError for a failed answer.

    `temporary` recognises failures the platform itself calls temporary in a 4xx answer
    (Meta's `is_transient`, its rate-limit codes).
    """
    try:
        response = session.post(url, json=None if data is not None else body, data=data,
                                headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc
    if response.ok:
        return response
    if (response.status_code >= 500 or response.status_code in _RETRYABLE_STATUS
            or (temporary is not None and temporary(response))):
        raise TemporarySendError(_describe(response))
    raise PermanentSendError(_describe(response))


def json_of(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
