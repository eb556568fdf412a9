"""boto3 clients, created once per process on first use and reused across invocations.

boto3 is imported here, lazily, so a cold start that never touches a client
does not pay for it. Region and endpoint come from the standard variables
(AWS_DEFAULT_REGION, AWS_ENDPOINT_URL): no endpoint is ever hard-coded.
"""

from __future__ import annotations

import functools
from typing import Any

# Fail fast inside a Lambda's time budget; botocore's standard mode retries
# throttling and 5xx with backoff before we give up and answer 503.
_TIMEOUTS = {"connect_timeout": 3, "read_timeout": 5, "retries": {"mode": "standard", "max_attempts": 3}}


@functools.cache
def dynamodb() -> Any:
    return _client("dynamodb")


@functools.cache
def ses() -> Any:
    return _client("ses")


def _client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, config=Config(**_TIMEOUTS))
