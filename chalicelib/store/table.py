"""The table itself: its client, paging, transactions with their retries, creating it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store.codec import Classifying, plain
from chalicelib.store.keys import TTL_ATTRIBUTE
from chalicelib.store.store_errors import Cancelled, StoreUnavailable

# A transaction that meets another on an item is cancelled (DynamoDB does not queue them):
# tried again after a jittered wait that doubles from 20 ms up to 250 ms, at most this often.
# At most about 2.3 s of waiting in all (20+40+80+160 ms, then 250 ms eight times), inside
# the placing's 15 s and the function's 25 s.
MAX_TRANSACTION_ATTEMPTS = 12
MAX_CONFLICT_WAIT_SECONDS = 0.25


class Table:
    """The table `name`, reached through the client `client()` returns."""

    def __init__(self, name: str, client: Callable[[], Any], sleep: Callable[[float], None]) -> None:
        self.name = name
        # Public so that a test can put a faulty client, or a sleep that does something
        # meanwhile, in its place.
        self.client = client
        self.sleep = sleep

    def db(self) -> Classifying:
        """The client, with every transient failure turned into `StoreUnavailable`."""
        return Classifying(self.client())

    def every(self, operation: str, **request: Any) -> list[dict[str, Any]]:
        """Every item of a Query or Scan, page after page."""
        items: list[dict[str, Any]] = []
        while True:
            page = getattr(self.db(), operation)(TableName=self.name, **request)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def transact(self, actions: dict[str, dict[str, Any]]) -> None:
        """Write `actions` (name -> one TransactWriteItems action) all or nothing.

        Raises `Cancelled` when a condition failed. Concurrent transactions on one event's
        counter conflict; DynamoDB expects the caller to retry with jittered backoff."""
        names = list(actions)
        items = [_with_table(action, self.name) for action in actions.values()]
        for attempt in range(MAX_TRANSACTION_ATTEMPTS):
            try:
                # The token makes botocore's own retries (after a timeout, a 500) idempotent: a
                # request that committed but whose answer was lost is answered as done, not
                # applied again. Each attempt of this loop is a new request, after a definite
                # "not done".
                self.db().transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
                return
            except ClientError as exc:  # transient failures arrive as StoreUnavailable
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = list(exc.response.get("CancellationReasons") or [])
                codes = [reason.get("Code", "None") for reason in reasons]
                if "TransactionConflict" not in codes:
                    failed = frozenset(n for n, c in zip(names, codes, strict=False) if c == "ConditionalCheckFailed")
                    old = {n: plain(r["Item"]) for n, r in zip(names, reasons, strict=False) if r.get("Item")}
                    raise Cancelled(failed, old, codes) from None
            self.sleep(random.uniform(0, min(0.02 * 2**attempt, MAX_CONFLICT_WAIT_SECONDS)))  # noqa: S311 - jitter
        raise StoreUnavailable("transaction conflicts persisted")

    def create(self) -> bool:
        """Create the table with its stream and TTL; False when it already exists."""
        client = self.db()
        try:
            client.create_table(
                TableName=self.name,
                AttributeDefinitions=[
                    {"AttributeName": "event_id", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                KeySchema=[
                    {"AttributeName": "event_id", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceInUseException":
                return False
            raise
        client.get_waiter("table_exists").wait(TableName=self.name)
        client.update_time_to_live(
            TableName=self.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
        return True


def _with_table(action: dict[str, Any], table_name: str) -> dict[str, Any]:
    ((verb, body),) = action.items()
    return {verb: {"TableName": table_name, **body}}
