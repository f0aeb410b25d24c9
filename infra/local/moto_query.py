"""Queries in moto that cost what they cost in DynamoDB, not O(table size) (moto 5.2.5 pinned).

moto's `Table.query` walks `Table.all_items()`, which builds and *sorts* a list of every item
in the table, on every Query, even one on the table's own partition key. The local stack
keeps a growing table (a day of test reports is tens of thousands of items), so reading one
report's history slowed with every report ever filed, and the stream handlers' queries took
the CPU that intake needed (py-spy on bench/intake.py: 17% of moto's time in `all_items`).

Two changes, both only for the duration of one `Table.query` call and only in its thread:
- a Query on the table's own key reads just that partition (`Table.items[hash]`), which is
  what DynamoDB does;
- a Query on an index still has to look at every item (moto keeps no index structures),
  but skips `all_items`' sort: `query` sorts the matching items itself by the index keys.
Scans are untouched: their order decides pagination.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any

_scope = threading.local()
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    signature = inspect.signature(original_query)

    @functools.wraps(original_all_items)
    def all_items(self: Any) -> list[Any]:
        if getattr(_scope, "table", None) is not self:
            return original_all_items(self)
        if _scope.partition is not None:
            return _scope.partition
        # list() first: other threads may add partitions while we copy.
        buckets = list(self.items.values())
        if not self.range_key_attr:
            return buckets
        return [item for bucket in buckets for item in list(bucket.values())]

    @functools.wraps(original_query)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        partition = None
        if not arguments.get("index_name") and hash_key is not None:
            bucket = self.items.get(hash_key)  # .get: items is a defaultdict
            if bucket is None:
                partition = []
            elif self.range_key_attr:
                partition = list(bucket.values())
            else:
                partition = [bucket]
        previous = getattr(_scope, "table", None), getattr(_scope, "partition", None)
        _scope.table, _scope.partition = self, partition
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _scope.table, _scope.partition = previous

    Table.all_items = all_items
    Table.query = query
    _installed = True
