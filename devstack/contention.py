"""WSGI middleware that makes the embedded AWS contend like DynamoDB (docs/local-aws.md).

Served one call at a time, moto never answers `TransactionConflict`; threaded, it lost updates
and answered 500s (moto is not thread-safe). So calls run on threads, but every call into moto
is made under ONE lock, and only a modelled service time is spent outside it. Around that, the
rules of DynamoDB's "Transaction conflict handling": a TransactWriteItems holds its items from
arrival to commit and is cancelled when it meets another's; a PutItem, UpdateItem or DeleteItem
on a held item is refused with TransactionConflictException; single-item writes on one item are
applied in order of arrival and never refuse each other; reads are never refused. Optionally,
each partition serves 1,000 write units a second.

`GET /embedded-aws/contention` answers, per caller (the app id in the User-Agent), the write
units billed and the refusals of each kind.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException, TransactionCanceledException
from moto.utilities.aws_headers import gen_amz_crc32, gen_amzn_requestid_long

from devstack.moto_transactions import TOKEN_WINDOW_SECONDS

CONTENTION_PATH = "/embedded-aws/contention"
DYNAMODB_TARGET = "DynamoDB_20120810."
# Seconds, drawn uniformly from (low, high) per call. A model, not a measurement: DynamoDB
# promises single-digit milliseconds per item operation; a transaction prepares and then commits
# every item (two writes each), about twice a single write's work. docs/local-aws.md.
SERVICE_TIMES: dict[str, tuple[float, float]] = {
    "GetItem": (0.002, 0.006),
    "Query": (0.002, 0.006),
    "BatchGetItem": (0.004, 0.010),
    "Scan": (0.005, 0.015),
    "TransactGetItems": (0.006, 0.012),
    "PutItem": (0.004, 0.010),
    "UpdateItem": (0.004, 0.010),
    "DeleteItem": (0.004, 0.010),
    "BatchWriteItem": (0.008, 0.020),
    "TransactWriteItems": (0.010, 0.025),
}
SINGLE_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
# Each partition serves at most 1,000 write request units a second (on-demand or provisioned).
PARTITION_WRITE_UNITS_PER_SECOND = 1000.0
TRANSACTIONAL_WRITE_UNITS = 2  # per item of at most 1 KB: a prepare and a commit
CONFLICT_MESSAGE = "Transaction is ongoing for the item"
# The message DynamoDB documents for writes throttled on an on-demand table.
THROTTLE_MESSAGE = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table "
    "or index so please try again shortly. If exceptions persist, check if you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html."
)
COUNTERS = (
    "write_units",
    "transaction_conflicts",
    "transaction_conflict_exceptions",
    "throttles",
    "transactions_in_progress",
)
_APP_ID = re.compile(r"\bapp/([\w.-]+)")
_REGION = re.compile(r"Credential=[^/]*/[^/]*/([^/]+)/")

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Response = tuple[str, list[tuple[str, str]], bytes]
KeySchema = tuple[str, str | None]
Partition = tuple[str, str]  # table, partition key value
Item = tuple[str, str, str | None]  # table, partition key value, sort key value


def caller_of(environ: Mapping[str, Any]) -> str:
    """The app id botocore puts in its User-Agent (`AWS_SDK_UA_APP_ID`), or `other`."""
    found = _APP_ID.search(environ.get("HTTP_USER_AGENT", ""))
    return found.group(1) if found else "other"


def switch(name: str, default: str, environ: Mapping[str, str] = os.environ) -> bool:
    """An `on`/`off` environment switch, `default` when unset; anything else is a mistake."""
    value = environ.get(name, default).strip().lower()
    if value not in ("on", "off"):
        raise SystemExit(f"{name} must be 'on' or 'off', not {value!r}")
    return value == "on"


def moto_key_schema(table_name: str) -> KeySchema | None:
    """The table's key attributes, from moto's backends in this process (the embedded AWS)."""
    from moto.dynamodb.models import dynamodb_backends

    for account in list(dynamodb_backends):
        for backend in list(dynamodb_backends[account].values()):
            table = backend.tables.get(table_name)
            if table is not None:
                return table.hash_key_attr, table.range_key_attr
    return None


def _call(app: App, environ: dict[str, Any]) -> Response:
    """Run the app to the end (its body included), so no moto work is left for later."""
    answer: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
        answer["status"], answer["headers"] = status, list(headers)
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer["status"], answer["headers"], b"".join(chunks)


def _written(write: Any) -> Any:
    """The item of a BatchWriteItem request: the Item put, or the Key deleted."""
    if not isinstance(write, dict):
        return None
    put, delete = write.get("PutRequest"), write.get("DeleteRequest")
    if isinstance(put, dict):
        return put.get("Item")
    return delete.get("Key") if isinstance(delete, dict) else None


def _code(response: Response) -> int:
    return int(response[0].split()[0])


def _error_type(response: Response) -> str:
    return next((value for name, value in response[1] if name.lower() == "x-amzn-errortype"), "")


def _with_body(response: Response, body: bytes) -> Response:
    headers = {name: value for name, value in response[1] if name.lower() not in ("content-length", "x-amz-crc32")}
    gen_amz_crc32(body, headers)
    headers["Content-Length"] = str(len(body))
    return response[0], list(headers.items()), body


def _error(exception: DynamodbException, body: dict[str, Any] | None = None) -> Response:
    """The error as moto answers its own: its headers and body, a request id and the crc32."""
    text = json.dumps(body) if body is not None else exception.get_body()
    headers = dict(exception.get_headers())
    gen_amzn_requestid_long(headers)
    gen_amz_crc32(text, headers)
    return f"{exception.code} Bad Request", list(headers.items()), text.encode()


def _cancelled(codes: list[str | None]) -> Response:
    messages = {"TransactionConflict": CONFLICT_MESSAGE, "ThrottlingError": THROTTLE_MESSAGE}
    return _error(TransactionCanceledException([(code, messages.get(code or ""), None) for code in codes]))


def _conflict() -> Response:
    return _error(DynamodbException(ERROR_TYPE_PREFIX + "TransactionConflictException", CONFLICT_MESSAGE))


def _in_progress() -> Response:
    error_type = ERROR_TYPE_PREFIX + "TransactionInProgressException"
    message = "Transaction with the given request token is already in progress."
    return _error(DynamodbException(error_type, message), {"__type": error_type, "Message": message})


def _throttled(table_arn: str) -> Response:
    error_type = ERROR_TYPE_PREFIX + "ProvisionedThroughputExceededException"
    reasons = [{"reason": "TableWriteKeyRangeThroughputExceeded", "resource": table_arn}]
    body = {"__type": error_type, "message": THROTTLE_MESSAGE, "ThrottlingReasons": reasons}
    return _error(DynamodbException(error_type, THROTTLE_MESSAGE), body)


class Contention:
    """WSGI middleware around the embedded AWS: DynamoDB's concurrency, one moto call at a time.

    `rng`, `sleep` and `clock` are injectable so the rules can be played without waiting;
    `key_schema` finds a table's key attributes (moto's, in the server's process).
    """

    def __init__(
        self,
        app: App,
        *,
        throttling: bool = False,
        service_times: Mapping[str, tuple[float, float]] = SERVICE_TIMES,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        key_schema: Callable[[str], KeySchema | None] = moto_key_schema,
    ) -> None:
        self.app = app
        self.throttling = throttling
        self.service_times = service_times
        self.rng = rng or random.Random()  # noqa: S311 - service times, not secrets
        self.sleep = sleep
        self.clock = clock
        self.key_schema = key_schema
        # The one lock every call into moto is made under (reentrant: a key schema is read from
        # moto under it, from sections that hold it and from ones that do not).
        self.lock = threading.RLock()
        # The holds, tokens, buckets and counters have their own lock, taken inside `lock` or
        # alone, never around it: a call's arrival is decided at once, not after the moto call
        # in progress (a few ms, more on a busy machine).
        self._state = threading.Lock()
        # Single writes queue per item, in order of arrival, under a third lock of their own.
        self._order = threading.Condition(threading.Lock())
        self.counters: dict[str, Counter[str]] = {}
        self._held: dict[Item, int] = {}  # item -> the transaction holding it
        self._queues: dict[Item, deque[int]] = {}  # item -> single writes in order of arrival
        self._running_tokens: set[str] = set()
        self._succeeded_tokens: dict[str, float] = {}
        self._buckets: dict[Partition, tuple[float, float]] = {}  # partition -> (units left, when)
        self._schemas: dict[str, KeySchema] = {}
        self._ids = itertools.count(1)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTENTION_PATH:
            with self._state:
                counters = {
                    caller: {name: counts[name] for name in COUNTERS} for caller, counts in self.counters.items()
                }
            response: Response = ("200 OK", [("Content-Type", "application/json")], json.dumps(counters).encode())
        else:
            response = self._serve(environ)
        status, headers, body = response
        start_response(status, headers)
        return [body]

    def _serve(self, environ: dict[str, Any]) -> Response:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.removeprefix(DYNAMODB_TARGET) if target.startswith(DYNAMODB_TARGET) else ""
        if operation not in self.service_times:
            with self.lock:  # other services, and DynamoDB's control plane: no delay
                if operation in ("CreateTable", "DeleteTable"):
                    self._schemas.clear()
                return _call(self.app, environ)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            with self.lock:
                return _call(self.app, environ)  # moto answers the malformed request
        caller = caller_of(environ)
        with self._state:
            span = self.rng.uniform(*self.service_times[operation])
            self.counters.setdefault(caller, Counter())
        if operation == "TransactWriteItems":
            return self._transact_write(environ, request, caller, span)
        if operation in SINGLE_WRITES:
            return self._single_write(environ, operation, request, caller, span)
        if operation == "BatchWriteItem":
            return self._batch_write(environ, request, caller, span)
        if operation == "TransactGetItems":
            return self._transact_get(environ, request, caller, span)
        self.sleep(span)
        with self.lock:
            return _call(self.app, environ)  # a read: the last committed state

    def _transact_write(self, environ: dict[str, Any], request: dict[str, Any], caller: str, span: float) -> Response:
        token = request.get("ClientRequestToken")
        items = self._transaction_items(request)
        now = self.clock()
        with self._state:
            for old, when in list(self._succeeded_tokens.items()):
                if when < now - TOKEN_WINDOW_SECONDS:
                    del self._succeeded_tokens[old]
            if token and token in self._running_tokens:
                self.counters[caller]["transactions_in_progress"] += 1
                return _in_progress()
            if items is None or (token and token in self._succeeded_tokens):
                items = []  # moto answers: a repeat writes nothing, a malformed request is refused
            refusal = self._refusal(items, caller)
            if refusal is None:
                transaction = next(self._ids)
                self._held.update(dict.fromkeys(items, transaction))
                if token:
                    self._running_tokens.add(token)
        if refusal is not None:
            self.sleep(span / 2)  # the prepare phase met the conflict
            return refusal
        self.sleep(span)
        with self.lock:
            try:
                response = _call(self.app, environ)
            finally:
                with self._state:
                    for item in items:
                        self._held.pop(item, None)
                    self._running_tokens.discard(token)
        with self._state:
            if _code(response) == 200 and items:
                self._bill(caller, items, TRANSACTIONAL_WRITE_UNITS)
                if token:
                    self._succeeded_tokens[token] = now
            elif _error_type(response) == "TransactionCanceledException":
                self._bill(caller, items, 1)  # prepared, then cancelled by a condition
            else:
                self._bill(caller, items, 0)
        return response

    def _refusal(self, items: list[Item], caller: str) -> Response | None:
        """A transaction's answer at arrival when it cannot go on (`_state` held)."""
        if any(item in self._held for item in items):
            self.counters[caller]["transaction_conflicts"] += 1
            self.counters[caller]["write_units"] += len(items)  # each item was prepared
            return _cancelled(["TransactionConflict" if item in self._held else None for item in items])
        short = self._take(items, TRANSACTIONAL_WRITE_UNITS)
        if short:
            self.counters[caller]["throttles"] += 1
            return _cancelled(["ThrottlingError" if item[:2] in short else None for item in items])
        return None

    def _single_write(
        self, environ: dict[str, Any], operation: str, request: dict[str, Any], caller: str, span: float
    ) -> Response:
        ticket = next(self._ids)
        item = self._item(request.get("TableName"), request.get("Item" if operation == "PutItem" else "Key"))
        if item is None:
            self.sleep(span)
            with self.lock:
                return _call(self.app, environ)  # moto refuses it
        with self._order:
            self._queues.setdefault(item, deque()).append(ticket)
        try:
            self.sleep(span)
            with self._order:
                while self._queues[item][0] != ticket:  # the writes that came first go first
                    self._order.wait()
            with self.lock:
                with self._state:
                    if self._take([item], 1):
                        self.counters[caller]["throttles"] += 1
                        return _throttled(self._table_arn(environ, item[0]))
                    if item in self._held:
                        self.counters[caller]["transaction_conflict_exceptions"] += 1
                        self._bill(caller, [item], 1, taken=1)  # refused at the item, as a failed condition is
                        return _conflict()
                response = _call(self.app, environ)
            billed = _code(response) == 200 or _error_type(response) == "ConditionalCheckFailedException"
            with self._state:
                self._bill(caller, [item], 1 if billed else 0, taken=1)
            return response
        finally:
            with self._order:
                queue = self._queues[item]
                queue.remove(ticket)
                if not queue:
                    del self._queues[item]
                self._order.notify_all()

    def _batch_write(self, environ: dict[str, Any], request: dict[str, Any], caller: str, span: float) -> Response:
        """Not refused by transactions (not modelled); throttled items come back unprocessed."""
        self.sleep(span)
        batches = request.get("RequestItems")
        if not isinstance(batches, dict):
            with self.lock:
                return _call(self.app, environ)
        written = [
            (table, write, self._item(table, _written(write)))
            for table, writes in batches.items()
            for write in (writes if isinstance(writes, list) else [])
        ]
        kept: dict[str, list[Any]] = {}
        unprocessed: dict[str, list[Any]] = {}
        billed: list[Item] = []
        with self.lock:
            with self._state:
                for table, write, item in written:
                    if item is not None and self._take([item], 1):
                        unprocessed.setdefault(table, []).append(write)
                        continue
                    kept.setdefault(table, []).append(write)
                    billed += [item] if item is not None else []
                if unprocessed:
                    self.counters[caller]["throttles"] += 1
                    if not kept:
                        return _throttled(self._table_arn(environ, next(iter(unprocessed))))
            if unprocessed:
                body = json.dumps({**request, "RequestItems": kept}).encode()
                environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
            response = _call(self.app, environ)
        with self._state:
            self._bill(caller, billed, 1 if _code(response) == 200 else 0, taken=1)
        if _code(response) != 200 or not unprocessed:
            return response
        answer = json.loads(response[2])
        for table, writes in unprocessed.items():
            answer.setdefault("UnprocessedItems", {}).setdefault(table, []).extend(writes)
        return _with_body(response, json.dumps(answer).encode())

    def _transact_get(self, environ: dict[str, Any], request: dict[str, Any], caller: str, span: float) -> Response:
        """Cancelled when an item is held by a TransactWriteItems at its arrival or its read."""
        items = self._transaction_items(request) or []
        with self._state:
            held_at_arrival = {item for item in items if item in self._held}
        self.sleep(span)
        with self.lock:
            with self._state:
                held = held_at_arrival | {item for item in items if item in self._held}
                if held:
                    self.counters[caller]["transaction_conflicts"] += 1
                    return _cancelled(["TransactionConflict" if item in held else None for item in items])
            return _call(self.app, environ)

    def _transaction_items(self, request: dict[str, Any]) -> list[Item] | None:
        """The item of each action of a TransactWriteItems or TransactGetItems, in order."""
        actions = request.get("TransactItems")
        if not isinstance(actions, list) or not actions:
            return None
        items = []
        for entry in actions:
            if not isinstance(entry, dict) or len(entry) != 1:
                return None
            [(kind, action)] = entry.items()
            if not isinstance(action, dict):
                return None
            item = self._item(action.get("TableName"), action.get("Item") if kind == "Put" else action.get("Key"))
            if item is None:
                return None
            items.append(item)
        return items

    def _item(self, table_name: Any, attributes: Any) -> Item | None:
        """The item addressed by a key or a whole item; None when moto must refuse the request."""
        if not isinstance(table_name, str) or not isinstance(attributes, dict):
            return None
        table_name = table_name.rpartition(":table/")[2]  # a table ARN, or its name
        schema = self._schemas.get(table_name)
        if schema is None:
            with self.lock:
                schema = self.key_schema(table_name)
                if schema is None:
                    return None
                self._schemas[table_name] = schema
        hash_attr, range_attr = schema
        if hash_attr not in attributes or (range_attr is not None and range_attr not in attributes):
            return None
        sort = json.dumps(attributes[range_attr], sort_keys=True) if range_attr is not None else None
        return table_name, json.dumps(attributes[hash_attr], sort_keys=True), sort

    def _take(self, items: list[Item], units: int) -> set[Partition]:
        """Debit `units` per item from its partition; answer the partitions short of them (then
        nothing is debited). Always enough without throttling. `_state` held."""
        if not self.throttling:
            return set()
        now = self.clock()
        costs = Counter(item[:2] for item in items)
        levels = {partition: self._level(partition, now) for partition in costs}
        short = {partition for partition, count in costs.items() if levels[partition] < count * units}
        if not short:
            for partition, count in costs.items():
                self._buckets[partition] = (levels[partition] - count * units, now)
        return short

    def _level(self, partition: Partition, now: float) -> float:
        capacity = PARTITION_WRITE_UNITS_PER_SECOND  # a second's worth at most
        units, when = self._buckets.get(partition, (capacity, now))
        return min(capacity, units + (now - when) * PARTITION_WRITE_UNITS_PER_SECOND)

    def _bill(self, caller: str, items: list[Item], units: int, taken: int = TRANSACTIONAL_WRITE_UNITS) -> None:
        """Count `units` per item for the caller; give back to the partitions what was taken
        at admission beyond them. `_state` held."""
        self.counters[caller]["write_units"] += units * len(items)
        if self.throttling and taken > units:
            now = self.clock()
            for partition, count in Counter(item[:2] for item in items).items():
                level = self._level(partition, now) + count * (taken - units)
                self._buckets[partition] = (min(level, PARTITION_WRITE_UNITS_PER_SECOND), now)

    @staticmethod
    def _table_arn(environ: Mapping[str, Any], table: str) -> str:
        region = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
        return f"arn:aws:dynamodb:{region.group(1) if region else 'us-east-1'}:{DEFAULT_ACCOUNT_ID}:table/{table}"
