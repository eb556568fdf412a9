"""botocore clients, created once per process on first use and reused across invocations.

botocore is imported here, lazily, so a cold start that never touches a client
does not pay for it. Region and endpoint come from the standard variables
(AWS_DEFAULT_REGION, AWS_ENDPOINT_URL): no endpoint is ever hard-coded.
"""

from __future__ import annotations

import threading
from typing import Any

# Fail fast inside the function's time budget (25 s, under API Gateway's 29 s): at most two
# attempts in all (botocore's `total_max_attempts` counts the first; its `max_attempts` would
# count retries only), each of 1 s to connect and 2 s to read, then `StoreUnavailable` and a
# 503. DynamoDB answers in milliseconds; a call that takes seconds is stuck, and another
# round (ours, with the request's budget: store/budget.py) serves better than waiting.
CONNECT_SECONDS = 1
READ_SECONDS = 2
ATTEMPTS = 2
# botocore's standard mode waits a random time of up to 1 s before its second attempt.
RETRY_WAIT_SECONDS = 1
_TIMEOUTS = {
    "connect_timeout": CONNECT_SECONDS,
    "read_timeout": READ_SECONDS,
    "retries": {"mode": "standard", "total_max_attempts": ATTEMPTS},
}
_clients: dict[str, Any] = {}
# One Lambda instance serves one request at a time, but `chalice local` serves
# many on threads: without the lock a burst built a client per thread (seconds of CPU).
_lock = threading.Lock()


def dynamodb() -> Any:
    return _client("dynamodb")


def ses() -> Any:
    return _client("ses")


def sns() -> Any:
    return _client("sns")


def secretsmanager() -> Any:
    return _client("secretsmanager")


def reset() -> None:
    """Forget every client (the next call builds new ones for the current environment)."""
    with _lock:
        _clients.clear()


def _client(service: str) -> Any:
    client = _clients.get(service)
    if client is None:
        with _lock:
            client = _clients.get(service)
            if client is None:
                # botocore's own session, not boto3's: boto3 adds nothing a client needs and
                # its import costs every cold start (docs/development.md, "What makes it quick").
                import botocore.session
                from botocore.config import Config

                session = botocore.session.get_session()
                client = _clients[service] = session.create_client(service, config=Config(**_TIMEOUTS))
    return client


def error_name(exc: BaseException) -> str:
    """An exception named without its message, which may quote an address or a name."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")  # botocore's ClientError
    return f"{type(exc).__name__}({code})" if code else type(exc).__name__
