"""Batch resends: what DynamoDB leaves unprocessed is sent again with growing, jittered
waits, and a batch that never gets through ends in StoreUnavailable, not a spin."""

from __future__ import annotations

import pytest

from chalicelib.adapters.dynamodb_calls import ATTEMPTS, until_processed
from chalicelib.adapters.store import StoreUnavailable


class Throttled:
    """A BatchWriteItem that processes one item per call."""

    def __init__(self) -> None:
        self.sent: list[list[str]] = []

    def __call__(self, pending):
        items = pending["t"]
        self.sent.append(list(items))
        rest = items[1:]
        return {"UnprocessedItems": {"t": rest}} if rest else {}


def test_the_leftover_is_resent_until_nothing_is_left_with_growing_waits():
    call, waits = Throttled(), []
    answers = list(until_processed(call, {"t": ["a", "b", "c"]}, "UnprocessedItems",
                                   sleep=waits.append, jitter=lambda low, high: high))
    assert call.sent == [["a", "b", "c"], ["b", "c"], ["c"]]
    assert len(answers) == 3
    assert waits == [0.1, 0.2]  # none before the first send, then doubling


def test_a_batch_that_never_gets_through_is_store_unavailable():
    waits = []

    def refused(pending):
        return {"UnprocessedKeys": pending}

    with pytest.raises(StoreUnavailable):
        list(until_processed(refused, {"t": {"Keys": [1]}}, "UnprocessedKeys",
                             sleep=waits.append, jitter=lambda low, high: high))
    assert len(waits) == ATTEMPTS - 1 and max(waits) <= 2.0


def test_jitter_draws_between_zero_and_the_cap():
    drawn = []

    def jitter(low, high):
        drawn.append((low, high))
        return low

    list(until_processed(Throttled(), {"t": ["a", "b"]}, "UnprocessedItems",
                         sleep=lambda s: None, jitter=jitter))
    assert drawn == [(0, 0.1)]


def test_busy_answers_are_store_unavailable_and_mistakes_stay_errors():
    from botocore.exceptions import ClientError

    from chalicelib.adapters.dynamodb_calls import call

    class Client:
        def __init__(self, code):
            self.code = code

        def get_item(self, **kwargs):
            raise ClientError({"Error": {"Code": self.code, "Message": "m"}}, "GetItem")

    with pytest.raises(StoreUnavailable):
        call(Client("ThrottlingException"), "get_item", TableName="t")
    with pytest.raises(ClientError):
        call(Client("ValidationException"), "get_item", TableName="t")
