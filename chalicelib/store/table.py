"""The table itself: its client, paging, transactions with their retries, creating it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store.budget import REQUEST_SECONDS, Budget, request_budget
from chalicelib.store.codec import Classifying, plain
from chalicelib.store.keys import TTL_ATTRIBUTE
from chalicelib.store.store_errors import Cancelled, StoreUnavailable


class Table:
    """The table `name`, reached through the client `client()` returns; within the request's
    budget, when a request is served (`Store.within`)."""

    def __init__(
        self,
        name: str,
        client: Callable[[], Any],
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.name = name
        # Public so that a test can put a faulty client, a sleep that does something
        # meanwhile, or a clock that its sleep moves on, in their place.
        self.client = client
        self.sleep = sleep
        self.clock = clock

    def budget(self) -> Budget:
        """The request's budget; outside a request (the command line, the due function's
        sweeps) a new one for each loop that asks, as long as a request's."""
        return request_budget() or Budget.of(REQUEST_SECONDS, self.sleep, self.clock)

    def db(self) -> Classifying:
        """The client, with every transient failure turned into `StoreUnavailable`; refused
        (also `StoreUnavailable`) when a call could no longer end inside the request's budget."""
        bound = request_budget()
        if bound is not None and not bound.allows():
            raise StoreUnavailable("no time left for a DynamoDB call")
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

        Raises `Cancelled` when a condition failed. A transaction that meets another on one
        of its items is cancelled (DynamoDB does not queue them) and tried again after the
        budget's wait, as long as the budget allows; then `StoreUnavailable`."""
        names = list(actions)
        items = [_with_table(action, self.name) for action in actions.values()]
        for _ in self.budget().rounds():
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
        raise StoreUnavailable("transaction conflicts persisted past the budget")

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
