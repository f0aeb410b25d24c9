"""Queries in moto that cost what they cost in DynamoDB, not O(table size) (moto 5.2.5 pinned).

moto's `Table.query` walks `Table.all_items()`, which builds and *sorts* a list of every item
in the table, on every Query, even one on the table's own partition key. The local stack
keeps a growing table (a day of test reports is tens of thousands of items), so reading one
report's history slowed with every report ever filed, the stream handlers' queries took the
CPU that intake needed (py-spy on bench/intake.py: 17% of moto's time in `all_items`), and
an SLA sweep of 100,000 open reports took 70 s although it reads 50 items.

What changes, only for the duration of one `Table.query` call and only in its thread:
- a Query on the table's own key reads just that partition (`Table.items[hash]`), which is
  what DynamoDB does;
- a Query on an index reads the items of its partition from an index map: index partition
  key values -> {primary key: item}. A table's maps are built at its first write or Query
  (when it is nearly always empty) and then kept up to date by every write (put, delete,
  update in place, and the local stack's transaction rollback through `restored`), as
  DynamoDB keeps its GSIs. Writes and map changes happen under one lock so a map never
  misses a write.
moto's `query` still checks every key condition on what it is given and sorts it, so the
maps only ever narrow its input. Scans are untouched: their order decides pagination.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from decimal import Decimal
from typing import Any

from sortedcontainers import SortedList

_scope = threading.local()
_lock = threading.RLock()
_installed = False


def _sort_value(value: Any) -> tuple[Any, ...]:
    """A DynamoType as an orderable tuple: numbers as numbers, strings and bytes as text."""
    if value.type == "N":
        return (value.type, Decimal(value.value))
    return (value.type, value.value)


class _Partition:
    """The items of one index partition, also kept in index sort key order (when the index
    has one) so that a sort key condition reads only its range, as DynamoDB does."""

    __slots__ = ("by_entry", "members", "order")

    def __init__(self) -> None:
        self.members: dict[tuple[Any, Any], tuple[tuple[Any, ...] | None, Any]] = {}
        self.order = SortedList()  # (type, value, 1, hash, range) entries
        self.by_entry: dict[tuple[Any, ...], Any] = {}

    def items(self) -> list[Any]:
        return [item for _, item in self.members.values()]


class _IndexMap:
    """One index's partitions: (partition key values) -> _Partition."""

    def __init__(self, names: tuple[str, ...], sort_name: str | None,
                 items: list[Any]) -> None:
        self.names = names
        self.sort_name = sort_name
        self.partitions: dict[tuple[Any, ...], _Partition] = {}
        for item in items:
            self.add(item)

    def key_of(self, item: Any) -> tuple[Any, ...] | None:
        values = tuple(item.attrs.get(name) for name in self.names)
        return values if all(value is not None for value in values) else None

    def add(self, item: Any) -> None:
        key = self.key_of(item)
        if key is None:
            return
        primary = (item.hash_key, item.range_key)
        partition = self.partitions.setdefault(key, _Partition())
        self._remove(partition, primary)
        entry = None
        sort_value = item.attrs.get(self.sort_name) if self.sort_name else None
        if sort_value is not None:
            entry = (*_sort_value(sort_value), 1, str(item.hash_key.value),
                     "" if item.range_key is None else str(item.range_key.value))
            partition.order.add(entry)
            partition.by_entry[entry] = item
        partition.members[primary] = (entry, item)

    def discard(self, key: tuple[Any, ...] | None, primary: tuple[Any, Any]) -> None:
        if key is not None and key in self.partitions:
            self._remove(self.partitions[key], primary)

    @staticmethod
    def _remove(partition: _Partition, primary: tuple[Any, Any]) -> None:
        entry, _ = partition.members.pop(primary, (None, None))
        if entry is not None:
            partition.order.remove(entry)
            del partition.by_entry[entry]

    def in_range(self, partition: _Partition, comparison: str,
                 values: list[Any]) -> list[Any] | None:
        """The partition's items whose sort key meets the condition, or None if unsure
        (moto checks the condition again on what it is given, so this only narrows)."""
        op = _OPERATORS.get(comparison.upper())
        if op is None or not values or not self.sort_name:
            return None
        low = _sort_value(values[0])
        if op == "BETWEEN":
            if len(values) != 2:
                return None
            entries = partition.order.irange((*low, 0), (*_sort_value(values[1]), 2))
        elif op == "BEGINS_WITH":
            entries = []
            for entry in partition.order.irange((*low, 0), None):
                if entry[0] != low[0] or not str(entry[1]).startswith(str(low[1])):
                    break
                entries.append(entry)
        else:
            bounds = {"EQ": ((*low, 0), (*low, 2)), "LT": (None, (*low, 0)),
                      "LE": (None, (*low, 2)), "GT": ((*low, 2), None),
                      "GE": ((*low, 0), None)}[op]
            entries = partition.order.irange(*bounds)
        return [partition.by_entry[entry] for entry in entries]


_OPERATORS = {"=": "EQ", "EQ": "EQ", "<": "LT", "LT": "LT", "<=": "LE", "LE": "LE",
              ">": "GT", "GT": "GT", ">=": "GE", "GE": "GE", "BETWEEN": "BETWEEN",
              "BEGINS_WITH": "BEGINS_WITH"}


def _maps(table: Any) -> dict[str, _IndexMap]:
    """The table's index maps, building any that is missing (call with the lock held)."""
    maps = table.__dict__.setdefault("_crm_index_maps", {})
    for index in table.all_indexes():
        if index.name not in maps:
            names = tuple(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
            sorts = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            maps[index.name] = _IndexMap(names, sorts[0] if len(sorts) == 1 else None,
                                         _unsorted_items(table))
    return maps


def restored(table: Any, primary: tuple[Any, Any], replaced: Any, item: Any) -> None:
    """Call after putting `item` (None: nothing) back at `primary` behind the wrapped
    methods' back, where `replaced` (None: nothing) was stored."""
    with _lock:
        for index_map in _maps(table).values():
            if replaced is not None:
                index_map.discard(index_map.key_of(replaced), primary)
            if item is not None:
                index_map.add(item)


def _unsorted_items(table: Any) -> list[Any]:
    # list() first: other threads may add partitions while we copy.
    buckets = list(table.items.values())
    if not table.range_key_attr:
        return buckets
    return [item for bucket in buckets for item in list(bucket.values())]


def _stored(table: Any, hash_key: Any, range_key: Any) -> Any:
    """The item at a key, without touching the defaultdict (moto's get_item adds keys)."""
    bucket = table.items.get(hash_key)
    if bucket is None or not table.range_key_attr:
        return bucket
    return bucket.get(range_key)


def _index_partition(table: Any, index_name: str, conditions: Any,
                     sort_conditions: Any) -> list[Any] | None:
    """The items whose index partition key equals the query's (and, with one sort key
    condition, whose sort key meets it), or None to scan as moto does."""
    if not conditions:
        return None
    wanted = dict(conditions)
    with _lock:
        index_map = _maps(table).get(index_name)
        if index_map is None or set(wanted) != set(index_map.names):
            return None
        partition = index_map.partitions.get(tuple(wanted[n] for n in index_map.names))
        if partition is None:
            return []
        if sort_conditions and len(sort_conditions) == 1 \
                and sort_conditions[0][0] == index_map.sort_name:
            _, comparison, values = sort_conditions[0]
            narrowed = index_map.in_range(partition, comparison, list(values))
            if narrowed is not None:
                return narrowed
        return partition.items()


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items
    original_put = Table.put_item
    original_delete = Table.delete_item
    original_update = DynamoDBBackend.update_item
    signature = inspect.signature(original_query)

    @functools.wraps(original_all_items)
    def all_items(self: Any) -> list[Any]:
        if getattr(_scope, "table", None) is not self:
            return original_all_items(self)
        if _scope.partition is not None:
            return _scope.partition
        return _unsorted_items(self)

    @functools.wraps(original_query)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        partition = None
        if arguments.get("index_name"):
            partition = _index_partition(self, arguments["index_name"],
                                         arguments.get("hash_key_conditions"),
                                         arguments.get("range_key_conditions"))
        elif hash_key is not None:
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

    @functools.wraps(original_put)
    def put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        with _lock:
            maps = _maps(self)
            if not maps:
                return original_put(self, item_attrs, *args, **kwargs)
            old = None
            with contextlib.suppress(Exception):  # a malformed key: moto raises below
                range_key = (DynamoType(item_attrs[self.range_key_attr])
                             if self.range_key_attr else None)
                old = _stored(self, DynamoType(item_attrs[self.hash_key_attr]), range_key)
            item = original_put(self, item_attrs, *args, **kwargs)
            for index_map in maps.values():
                if old is not None:
                    index_map.discard(index_map.key_of(old), (old.hash_key, old.range_key))
                index_map.add(item)
            return item

    @functools.wraps(original_delete)
    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        with _lock:
            item = original_delete(self, hash_key, range_key)
            if item is not None:
                for index_map in _maps(self).values():
                    index_map.discard(index_map.key_of(item), (item.hash_key, item.range_key))
            return item

    @functools.wraps(original_update)
    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any,
                    **kwargs: Any) -> Any:
        # An update changes the stored item in place: note its index keys before, fix after.
        with _lock:
            table, maps, before = None, {}, {}
            with contextlib.suppress(Exception):  # unknown table or bad key: moto answers
                table = self.get_table(table_name)
                hash_key, range_key = self.get_keys_value(table, key)
                maps = _maps(table)
                old = _stored(table, hash_key, range_key)
                if old is not None:
                    before = {name: m.key_of(old) for name, m in maps.items()}
            try:
                return original_update(self, table_name, key, *args, **kwargs)
            finally:
                if maps:
                    current = _stored(table, hash_key, range_key)
                    for name, index_map in maps.items():
                        index_map.discard(before.get(name), (hash_key, range_key))
                        if current is not None:
                            index_map.add(current)

    Table.all_items = all_items
    Table.query = query
    Table.put_item = put_item
    Table.delete_item = delete_item
    DynamoDBBackend.update_item = update_item
    _installed = True
