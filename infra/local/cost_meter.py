"""Count what AWS would bill while the local stack runs: `CRM_COST_METER=PATH` turns it on.

Off unless the variable is set (the stack calls `from_environment`, which returns None).
When on, the stack's process counts, per Lambda function (the API handler, each stream,
SNS and scheduled handler):
- invocations and their wall-clock duration (ms, and ms rounded up per invocation as Lambda
  bills), measured around the handler call;
- every AWS API call the function's code makes (botocore `BaseClient._make_api_call`,
  which boto3 clients and PynamoDB both go through), by `service.Operation`;
- DynamoDB read and write request units, computed from the sizes of the items read and
  written with DynamoDB's published sizing rules (see `item_size`, `read_units`,
  `write_units`). moto's own `ConsumedCapacity` is a constant per call (1.0, or 0.5 for
  GetItem) whatever the size, and ignores indexes, so it is not used. To see item sizes,
  UpdateItem/DeleteItem without `ReturnValues` are sent with ALL_NEW/ALL_OLD and the extra
  `Attributes` are removed before the app sees the answer. Updates inside transactions
  (no sizes returned) count 1 KB each and are tallied as `wru_estimated_items`;
- bytes the function logs at INFO or above (what CloudWatch Logs would ingest, without
  Lambda's own START/END/REPORT lines).
Calls made outside an invocation (the stack's pumps reading the stream, set-up) are not
counted: in AWS they are Lambda's event source mapping or deployment, not the app.
The counts are written as JSON to PATH after every invocation and when the stack stops.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ENV = "CRM_COST_METER"
API_HANDLER = "api_handler"  # chalice's name for the REST API's Lambda function
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
INDEX_ENTRY_OVERHEAD = 100  # bytes DynamoDB adds to each index entry
_WRITES_IN_TRANSACTIONS = ("Put", "Update", "Delete", "ConditionCheck")


# --- DynamoDB sizing rules (pure) -------------------------------------------------------------

def value_size(value: Mapping[str, Any]) -> int:
    """Bytes DynamoDB counts for one AttributeValue ({"S": ...}, {"N": ...}, {"M": ...}...)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in inner)
    if kind == "NS":
        return sum(_number_size(n) for n in inner)
    if kind == "BS":
        return sum(len(b) for b in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown AttributeValue type {kind!r}")


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return math.ceil(len(digits) / 2) + 1


def item_size(item: Mapping[str, Any]) -> int:
    """Attribute names plus values, in bytes: what DynamoDB rounds up to units."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int, transactional: bool = False) -> float:
    """Write request units for one item: 1 per KB started (at least 1), twice in a transaction."""
    units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
    return float(units * (2 if transactional else 1))


def read_units(size: int, consistent: bool = False, transactional: bool = False) -> float:
    """Read request units for `size` bytes read in one request (at least one 4 KB unit):
    0.5 per 4 KB eventually consistent, 1 strongly consistent, 2 transactional."""
    chunks = max(1, math.ceil(size / READ_UNIT_BYTES))
    factor = 2.0 if transactional else 1.0 if consistent else 0.5
    return chunks * factor


IndexKeys = tuple  # (hash key, range key or None[, attributes projected besides them])


def index_write_units(item: Mapping[str, Any] | None, indexes: Mapping[str, IndexKeys]) -> float:
    """Extra write units to put `item` into every index whose keys it carries.

    An index entry is the whole item for projection ALL; otherwise only the index keys
    and the attributes the index projects (for INCLUDE and KEYS_ONLY: the table's keys,
    plus INCLUDE's NonKeyAttributes), as DynamoDB sizes it.
    """
    if not item:
        return 0.0
    units = 0.0
    for keys in indexes.values():
        pk, sk = keys[0], keys[1]
        if pk not in item or (sk is not None and sk not in item):
            continue
        projected = keys[2] if len(keys) > 2 else None
        entry = item if projected is None else {
            name: value for name, value in item.items() if name in {pk, sk, *projected}}
        units += write_units(item_size(entry) + INDEX_ENTRY_OVERHEAD)
    return units


# --- the meter -------------------------------------------------------------------------------

class CostMeter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._local = threading.local()
        self._functions: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._indexes: dict[str, dict[str, IndexKeys]] = {}
        self._original_call: Callable[..., Any] | None = None
        self._log_handler: logging.Handler | None = None

    # -- attribution --------------------------------------------------------------------

    @property
    def current(self) -> str | None:
        return getattr(self._local, "function", None)

    def wrap(self, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`handler` counted as invocations of the Lambda function `name`."""
        def invoke(*args: Any, **kwargs: Any) -> Any:
            outer = self.current
            self._local.function = name
            started = time.perf_counter()
            try:
                return handler(*args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                self._local.function = outer
                with self._lock:
                    stats = self._functions[name]
                    stats["invocations"] += 1
                    stats["duration_ms"] += elapsed
                    stats["billed_ms"] += math.ceil(elapsed)
                self.flush()
        return invoke

    def instrument_app(self, app: Any) -> None:
        """Count the Chalice app's REST API calls (`app(event, context)`) as `api_handler`."""
        call = type(app).__call__
        wrapped = self.wrap(API_HANDLER, call)
        app.__class__ = type(type(app).__name__, (type(app),), {"__call__": wrapped})

    def add(self, counter: str, amount: float) -> None:
        name = self.current
        if name is not None:
            with self._lock:
                self._functions[name][counter] += amount

    # -- botocore -----------------------------------------------------------------------

    def install(self) -> None:
        from botocore.client import BaseClient

        if self._original_call is not None:
            return
        original = self._original_call = BaseClient._make_api_call
        meter = self

        def _make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if meter.current is None:
                return original(client, operation, params)
            return meter._metered_call(original, client, operation, params)

        BaseClient._make_api_call = _make_api_call
        self._log_handler = _LogBytes(self)
        logging.getLogger().addHandler(self._log_handler)

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original_call is not None:
            BaseClient._make_api_call = self._original_call
            self._original_call = None
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler = None

    def _metered_call(self, original: Callable[..., Any], client: Any, operation: str,
                      params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        name = self.current
        assert name is not None
        with self._lock:
            self._calls[name][f"{service}.{operation}"] += 1
        if service != "dynamodb":
            return original(client, operation, params)
        injected = None
        if operation in ("UpdateItem", "DeleteItem") and params.get("ReturnValues",
                                                                   "NONE") == "NONE":
            injected = "ALL_NEW" if operation == "UpdateItem" else "ALL_OLD"
            params = {**params, "ReturnValues": injected}
        try:
            response = original(client, operation, params)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
            self._count_failed(client, operation, params, code)
            raise
        self._count_dynamodb(client, operation, params, response)
        if injected is not None:
            response.pop("Attributes", None)
        return response

    def _table_indexes(self, client: Any, table: str) -> dict[str, IndexKeys]:
        if table not in self._indexes:
            assert self._original_call is not None
            described = self._original_call(client, "DescribeTable", {"TableName": table})
            indexes = {}
            table_keys = tuple(k["AttributeName"] for k in described["Table"]["KeySchema"])
            for index in described["Table"].get("GlobalSecondaryIndexes", []):
                keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
                projection = index.get("Projection", {})
                if projection.get("ProjectionType", "ALL") == "ALL":
                    indexes[index["IndexName"]] = (keys["HASH"], keys.get("RANGE"))
                else:
                    indexes[index["IndexName"]] = (keys["HASH"], keys.get("RANGE"), (
                        *table_keys, *projection.get("NonKeyAttributes", [])))
            self._indexes[table] = indexes
        return self._indexes[table]

    def _write(self, client: Any, table: str, item: Mapping[str, Any] | None,
               transactional: bool = False) -> None:
        if item is None:  # size unknown: the minimum, flagged as an estimate
            self.add("wru", write_units(0, transactional))
            self.add("wru_estimated_items", 1)
            return
        self.add("wru", write_units(item_size(item), transactional))
        self.add("wru_index", index_write_units(item, self._table_indexes(client, table)))

    def _count_dynamodb(self, client: Any, op: str, params: dict[str, Any],
                        response: dict[str, Any]) -> None:
        table = params.get("TableName", "")
        consistent = bool(params.get("ConsistentRead"))
        if op == "GetItem":
            self.add("rru", read_units(item_size(response.get("Item") or {}), consistent))
        elif op in ("Query", "Scan"):
            size = sum(item_size(i) for i in response.get("Items", []))
            self.add("rru", read_units(size, consistent))
        elif op == "BatchGetItem":
            for items in response.get("Responses", {}).values():
                for item in items:
                    self.add("rru", read_units(item_size(item), consistent))
        elif op == "TransactGetItems":
            for entry in response.get("Responses", []):
                self.add("rru", read_units(item_size(entry.get("Item") or {}),
                                           transactional=True))
        elif op == "PutItem":
            self._write(client, table, params["Item"])
        elif op in ("UpdateItem", "DeleteItem"):
            self._write(client, table, response.get("Attributes"))
        elif op == "BatchWriteItem":
            for name, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    self._write(client, name, request.get("PutRequest", {}).get("Item"))
        elif op == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                for kind in _WRITES_IN_TRANSACTIONS:
                    if kind in entry:
                        self._write(client, entry[kind]["TableName"],
                                    entry[kind].get("Item"), transactional=True)

    def _count_failed(self, client: Any, op: str, params: dict[str, Any], code: str) -> None:
        """DynamoDB bills a write whose condition failed, and a cancelled transaction."""
        if code == "ConditionalCheckFailedException":
            self.add("wru", write_units(item_size(params.get("Item") or {})))
        elif code == "TransactionCanceledException":
            self._count_dynamodb(client, op, params, {})

    # -- output -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"functions": {name: {**stats, "calls": dict(self._calls.get(name, {}))}
                                  for name, stats in self._functions.items()}
                    | {name: {"calls": dict(calls)} for name, calls in self._calls.items()
                       if name not in self._functions}}

    def flush(self) -> None:
        data = json.dumps(self.snapshot(), sort_keys=True)
        with self._lock:
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(data)
            os.replace(temporary, self.path)


class _LogBytes(logging.Handler):
    """Bytes of log records emitted inside an invocation (CloudWatch Logs ingestion)."""

    def __init__(self, meter: CostMeter) -> None:
        super().__init__(level=logging.INFO)
        self._meter = meter

    def emit(self, record: logging.LogRecord) -> None:
        if self._meter.current is not None:
            # Lambda's Python runtime prefixes [LEVEL] timestamp request-id (about 70 bytes).
            self._meter.add("log_bytes", len(record.getMessage().encode("utf-8")) + 70)


def from_environment(app: Any) -> CostMeter | None:
    """A meter counting this app's invocations if CRM_COST_METER names a file, else None."""
    path = os.environ.get(ENV)
    if not path:
        return None
    meter = CostMeter(Path(path))
    meter.install()
    meter.instrument_app(app)
    meter.flush()
    return meter
