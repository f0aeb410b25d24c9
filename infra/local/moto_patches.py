"""Changes to moto's behaviour inside the moto process only (moto 5.2.5 is pinned).

1. Cheap transaction rollback. moto's TransactWriteItems deep-copies every table it touches
   before applying, so each transaction costs O(table size): measured 10 ms at 100 items,
   270 ms at 3,000, which would make the local stack crawl after a day of test reports. It
   also swaps in a new Table object on rollback, leaving open stream iterators pointing at a
   dead shard. Here the table is not copied; instead each item the transaction touches is
   remembered (one small deep copy) and restored on failure, and stream records added by the
   failed transaction are cut off, exactly what moto's copy-and-swap achieves.

2. Outbox capture. moto accepts SES sends and SNS publishes to email/SMS but delivers nothing.
   Hooks collect what would have been delivered into an `OutboxCapture`, which the recorder
   commits to the outbox file only when the request succeeds (and never during replay).

3. Queries that read one partition instead of sorting the whole table: see `moto_query`.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infra.local import moto_query, outbox

_installed = False
_transaction = threading.local()


class OutboxCapture:
    """Messages captured during the current request. Used under the recorder's apply lock."""

    def __init__(self) -> None:
        self._messages: list[dict[str, Any]] | None = None

    @contextmanager
    def collecting(self) -> Iterator[list[dict[str, Any]]]:
        self._messages = collected = []
        try:
            yield collected
        finally:
            self._messages = None

    def add(self, messages: list[dict[str, Any]]) -> None:
        if self._messages is not None:
            self._messages.extend(messages)


CAPTURE = OutboxCapture()


def install() -> None:
    """Apply the patches once per process."""
    global _installed
    if not _installed:
        _install_transaction_rollback()
        _install_outbox_hooks(CAPTURE)
        moto_query.install()
        _installed = True


# --- 1. transaction rollback -------------------------------------------------------------


class _UndoLog:
    def __init__(self) -> None:
        self._items: dict[tuple[int, Any, Any], tuple[Any, Any, Any, Any]] = {}
        self._streams: dict[int, tuple[Any, int]] = {}

    def watch(self, table: Any) -> None:
        shard = table.stream_shard
        if shard is not None and id(table) not in self._streams:
            self._streams[id(table)] = (shard, len(shard.items))

    def remember(self, table: Any, hash_key: Any, range_key: Any) -> None:
        key = (id(table), hash_key, range_key)
        if key not in self._items:  # keep the state from before the transaction
            self.watch(table)
            before = table.get_item(hash_key, range_key)
            self._items[key] = (table, hash_key, range_key, copy.deepcopy(before))

    def rollback(self) -> None:
        for table, hash_key, range_key, before in reversed(self._items.values()):
            replaced = table.items.get(hash_key)  # .get: items is a defaultdict
            if range_key is not None and replaced is not None:
                replaced = replaced.get(range_key)
            if range_key is None:
                if before is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = before
            elif before is None:
                table.items[hash_key].pop(range_key, None)
            else:
                table.items[hash_key][range_key] = before
            # restored by assignment, not through put/delete: keep the index maps in step
            moto_query.restored(table, (hash_key, range_key), replaced, before)
        for shard, length in self._streams.values():
            del shard.items[length:]


def _undo_log() -> _UndoLog | None:
    return getattr(_transaction, "undo", None)


class _CopyModuleWithoutTableSnapshots:
    """Stands in for the `copy` module inside moto.dynamodb.models during transactions."""

    def __init__(self, table_class: type) -> None:
        self._table_class = table_class

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        if isinstance(obj, self._table_class) and _undo_log() is not None:
            return obj  # the undo log makes the snapshot unnecessary
        return copy.deepcopy(obj, memo)


def _install_transaction_rollback() -> None:
    from moto.dynamodb import models as ddb_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    backend_class = ddb_models.DynamoDBBackend
    ddb_models.copy = _CopyModuleWithoutTableSnapshots(Table)  # type: ignore[assignment]

    original_transact = backend_class.transact_write_items
    original_update = backend_class.update_item
    original_put = Table.put_item
    original_delete = Table.delete_item

    @functools.wraps(original_transact)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        undo = _UndoLog()
        _transaction.undo = undo
        try:
            return original_transact(self, transact_items)
        except BaseException:
            undo.rollback()
            raise
        finally:
            _transaction.undo = None

    @functools.wraps(original_put)
    def put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        undo = _undo_log()
        if undo is not None and self.hash_key_attr in item_attrs:
            range_key = None
            if self.range_key_attr is not None:
                if self.range_key_attr not in item_attrs:
                    return original_put(self, item_attrs, *args, **kwargs)  # moto rejects it
                range_key = DynamoType(item_attrs[self.range_key_attr])
            undo.remember(self, DynamoType(item_attrs[self.hash_key_attr]), range_key)
        return original_put(self, item_attrs, *args, **kwargs)

    @functools.wraps(original_delete)
    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        undo = _undo_log()
        if undo is not None:
            undo.remember(self, hash_key, range_key)
        return original_delete(self, hash_key, range_key)

    @functools.wraps(original_update)
    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any,
                    **kwargs: Any) -> Any:
        undo = _undo_log()
        if undo is not None:
            table = self.get_table(table_name)
            try:
                hash_key, range_key = self.get_keys_value(table, key)
            except Exception:  # noqa: BLE001 - malformed key: moto raises the proper error below
                pass
            else:
                undo.remember(table, hash_key, range_key)
        return original_update(self, table_name, key, *args, **kwargs)

    backend_class.transact_write_items = transact_write_items
    backend_class.update_item = update_item
    Table.put_item = put_item
    Table.delete_item = delete_item


# --- 2. outbox capture -------------------------------------------------------------------


def _install_outbox_hooks(capture: OutboxCapture) -> None:
    from moto.ses.models import SESBackend
    from moto.ses.template import parse_template
    from moto.sns.models import SNSBackend, Subscription

    original_send = SESBackend.send_email
    original_templated = SESBackend.send_templated_email
    original_raw = SESBackend.send_raw_email
    original_publish = SNSBackend.publish
    original_deliver = Subscription.publish

    # SES v2's SendEmail calls these v1 methods too, so both APIs land here.
    @functools.wraps(original_send)
    def send_email(self: Any, source: str, subject: str, body: str,
                   destinations: dict[str, list[str]]) -> Any:
        sent = original_send(self, source, subject, body, destinations)
        capture.add(outbox.ses_messages(_all_recipients(destinations), subject, body))
        return sent

    @functools.wraps(original_templated)
    def send_templated_email(self: Any, source: str, template: str, template_data: str,
                             destinations: dict[str, list[str]]) -> Any:
        sent = original_templated(self, source, template, template_data, destinations)
        parts = self.templates[template]
        data = json.loads(template_data or "{}")
        subject = parse_template(parts.get("subject_part") or "", data)
        body = parse_template(parts.get("text_part") or parts.get("html_part") or "", data)
        capture.add(outbox.ses_messages(_all_recipients(destinations), subject, body))
        return sent

    @functools.wraps(original_raw)
    def send_raw_email(self: Any, source: str, destinations: list[str], raw_data: str) -> Any:
        sent = original_raw(self, source, destinations, raw_data)
        subject, body = outbox.parse_raw_email(raw_data)
        capture.add(outbox.ses_messages(list(sent.destinations), subject, body))
        return sent

    @functools.wraps(original_publish)
    def publish(self: Any, message: str, arn: str | None, phone_number: str | None = None,
                *args: Any, **kwargs: Any) -> str:
        message_id = original_publish(self, message, arn, phone_number, *args, **kwargs)
        if phone_number:
            capture.add([outbox.message("sms", phone_number, None, message,
                                        outbox.SNS_SMS_SOURCE)])
        return message_id

    @functools.wraps(original_deliver)
    def deliver(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        original_deliver(self, message, message_id, subject, message_attributes, group_id,
                         deduplication_id, message_structure)
        if self.protocol not in ("email", "email-json", "sms"):
            return
        # moto's own filter-policy matcher, as moto applies it to SQS subscribers.
        matcher = self._filter_policy_matcher
        if matcher is not None and not matcher.matches(message_attributes, message):
            return
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        topic = self.topic.arn
        if self.protocol == "sms":
            capture.add([outbox.message("sms", self.endpoint, None, message, topic)])
        elif self.protocol == "email":
            capture.add([outbox.message("email", self.endpoint,
                                        subject or outbox.SNS_DEFAULT_SUBJECT, message, topic)])
        else:
            body = outbox.sns_email_json(topic, message_id, subject, message, message_attributes)
            capture.add([outbox.message("email", self.endpoint,
                                        subject or outbox.SNS_DEFAULT_SUBJECT, body, topic)])

    SESBackend.send_email = send_email
    SESBackend.send_templated_email = send_templated_email
    SESBackend.send_raw_email = send_raw_email
    SNSBackend.publish = publish
    Subscription.publish = deliver


def _all_recipients(destinations: dict[str, list[str]]) -> list[str]:
    return [address for field in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(field, [])]
