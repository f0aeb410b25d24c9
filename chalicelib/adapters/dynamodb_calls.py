"""How the adapters call DynamoDB's low-level API: which failures mean "busy, try again"
(`StoreUnavailable`, answered 503 with Retry-After or retried by Lambda), and batches
resent until DynamoDB has processed every key or item.

DynamoDB answers a batch it could only partly serve (throttling, a 16 MB or 1 MB cap)
with `UnprocessedKeys` / `UnprocessedItems`. Resending them at once, in a loop, is what
turns throttling into a storm: AWS asks for exponential backoff, so each resend waits
longer (full jitter), and after a bounded number of tries the caller gets
`StoreUnavailable` instead of a spin.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

# DynamoDB answers with these when it is overloaded or failing; the client may retry.
RETRYABLE = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflict",
})


class StoreUnavailable(Exception):
    """DynamoDB is throttling or failing; try again shortly.

    `maybe_written`: a write failed in a way that does not tell whether it was applied (a
    5xx or a lost connection after sending). Resending with the same idempotency key is
    then safe; saying "nothing was saved" would not be true.
    """

    retry_after_seconds = 2

    def __init__(self, message: str = "", maybe_written: bool = False) -> None:
        super().__init__(message)
        self.maybe_written = maybe_written


def call(client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    """`client.<operation>(**kwargs)`, with DynamoDB's busy answers as StoreUnavailable."""
    try:
        return getattr(client, operation)(**kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in RETRYABLE:
            raise StoreUnavailable(str(exc)) from exc
        raise
    except BotoCoreError as exc:
        raise StoreUnavailable(str(exc)) from exc


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
