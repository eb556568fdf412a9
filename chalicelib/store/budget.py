"""The one retry policy: how long a request may keep calling the table, and how every loop that
tries again (a transaction that met another, a seat write overtaken, a registrant waiting for
its number) waits before it does.

A `Budget` ends where the function must have answered; the request's is set once around each
route (`bounded`, from the guard) and found by the table (`request_budget`). Two rules make a request end in time
by construction (the arithmetic: docs/design.md, "Time budgets"):

- no DynamoDB call starts unless it can end before the budget does (`CALL_SECONDS`, one
  call's worst case under the client's timeouts, `config/aws.py`);
- a loop starts another round only while time for its closing calls is left (`allows`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from chalicelib.config import aws

# One DynamoDB call at its slowest: every attempt connecting and reading until its timeout, and
# botocore's wait between them (2 × (1 + 2) + 1 = 7 s).
_ATTEMPT_SECONDS = aws.CONNECT_SECONDS + aws.READ_SECONDS
CALL_SECONDS = float(aws.ATTEMPTS * _ATTEMPT_SECONDS + (aws.ATTEMPTS - 1) * aws.RETRY_WAIT_SECONDS)
# What an API request may spend calling the table: the functions' 25 s timeout less a second
# to answer (.chalice/config.json).
REQUEST_SECONDS = 24.0
# The wait before another try doubles from the first to the last and is jittered, so that
# rivals who met once spread out instead of meeting again.
FIRST_WAIT_SECONDS = 0.02
LAST_WAIT_SECONDS = 0.25


@dataclass(frozen=True)
class Budget:
    """Time until `end` as `clock` tells it; whoever waits, waits with `sleep`."""

    end: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def of(
        cls, seconds: float, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic
    ) -> Budget:
        return cls(clock() + seconds, sleep, clock)

    def left(self) -> float:
        return self.end - self.clock()

    def allows(self, calls: int = 1) -> bool:
        """Whether `calls` DynamoDB calls, each at its slowest, still end in time."""
        return self.left() >= calls * CALL_SECONDS

    def rounds(self, calls: int = 1) -> Iterator[int]:
        """The tries of a loop that tries again, numbered from 0: each but the first after the
        wait (`pause`), each only while `calls` calls, at their slowest, still end in time."""
        attempt = 0
        while self.allows(calls):
            if attempt:
                self.pause(attempt - 1)
            yield attempt
            attempt += 1

    def pause(self, attempt: int) -> None:
        """The wait before try `attempt + 1` (from 0): jittered, doubling, never past the end."""
        wait = min(FIRST_WAIT_SECONDS * 2**attempt, LAST_WAIT_SECONDS)
        self.sleep(max(0.0, min(random.uniform(wait / 2, wait), self.left())))  # noqa: S311 - jitter


# The budget of the request being served (per thread: `chalice local` serves on threads).
_request: ContextVar[Budget | None] = ContextVar("request_budget", default=None)


def request_budget() -> Budget | None:
    """The budget of the request being served; None outside one (the command line, the due
    function's sweeps, the mail function)."""
    return _request.get()


@contextmanager
def bounded(budget: Budget) -> Iterator[Budget]:
    """Serve a request within `budget`: every table call and retry loop inside draws on it."""
    token = _request.set(budget)
    try:
        yield budget
    finally:
        _request.reset(token)
