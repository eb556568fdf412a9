"""DynamoDB's attribute values for the few types stored here, and what its errors mean.

boto3's TypeSerializer would convert the values too, but importing it imports all of
boto3 (and s3transfer) at cold start.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.store.store_errors import StoreUnavailable

# Failures that say "try again later", not "your request was wrong".
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


def attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [attribute(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: attribute(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__}")


def value(stored: dict[str, Any]) -> Any:
    ((kind, raw),) = stored.items()
    if kind in ("S", "BOOL"):
        return raw
    if kind == "N":
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "L":
        return [value(v) for v in raw]
    if kind == "M":
        return {k: value(v) for k, v in raw.items()}
    if kind == "NULL":
        return None
    raise TypeError(f"unexpected attribute type {kind}")


def item(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> a DynamoDB item (None values are left out)."""
    return {k: attribute(v) for k, v in values.items() if v is not None}


def plain(stored: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item -> plain values."""
    return {k: value(v) for k, v in stored.items()}


class Classifying:
    """Wraps a boto3 client: a throttled, failing or unreachable DynamoDB raises
    `StoreUnavailable`; every other error passes as it is."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("get_waiter"):
            return method

        def call(**request: Any) -> Any:
            try:
                return method(**request)
            except (ClientError, BotoCoreError) as exc:
                _raise_classified(exc)

        return call


def _raise_classified(exc: Exception) -> NoReturn:
    if isinstance(exc, BotoCoreError):
        raise StoreUnavailable(str(exc)) from exc
    if isinstance(exc, ClientError) and exc.response["Error"]["Code"] in _TRANSIENT_CODES:
        raise StoreUnavailable(exc.response["Error"]["Code"]) from exc
    raise exc


def condition_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"
