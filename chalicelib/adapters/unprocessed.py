"""BatchGetItem / BatchWriteItem until DynamoDB has processed every key or item.

DynamoDB answers a batch it could only partly serve (throttling, a 16 MB or 1 MB cap)
with `UnprocessedKeys` / `UnprocessedItems`. Resending them at once, in a loop, is what
turns throttling into a storm: AWS asks for exponential backoff, so each resend waits
longer (full jitter), and after a bounded number of tries the caller gets
`StoreUnavailable` (a 503 with Retry-After, or a retried Lambda) instead of a spin.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from chalicelib.adapters.store import StoreUnavailable

ATTEMPTS = 8
BASE_DELAY_S = 0.05
MAX_DELAY_S = 2.0


def until_processed(call: Callable[[dict[str, Any]], dict[str, Any]],
                    request_items: dict[str, Any], leftover: str, *,
                    attempts: int = ATTEMPTS, sleep: Callable[[float], None] = time.sleep,
                    jitter: Callable[[float, float], float] = random.uniform,
                    ) -> Iterator[dict[str, Any]]:
    """Yield each answer of `call(RequestItems)`, resending the answer's `leftover`
    (`UnprocessedKeys` or `UnprocessedItems`) until nothing is left."""
    pending = request_items
    for attempt in range(attempts):
        if attempt:
            sleep(jitter(0, min(MAX_DELAY_S, BASE_DELAY_S * 2 ** attempt)))
        answer = call(pending)
        yield answer
        pending = answer.get(leftover) or {}
        if not pending:
            return
    raise StoreUnavailable(f"DynamoDB left {leftover} after {attempts} tries")
