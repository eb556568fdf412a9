"""The one retry policy (store/budget.py): a request's calls and retries end inside its budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.config import aws
from chalicelib.store import Store
from chalicelib.store.budget import (
    CALL_SECONDS,
    LAST_WAIT_SECONDS,
    REQUEST_SECONDS,
    Budget,
    bounded,
    request_budget,
)
from chalicelib.store.store_errors import StoreUnavailable


class Stepped:
    """A clock that only `sleep` moves."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_one_call_at_its_slowest_is_every_attempt_timing_out_and_the_wait_between():
    assert CALL_SECONDS == aws.ATTEMPTS * (aws.CONNECT_SECONDS + aws.READ_SECONDS) + aws.RETRY_WAIT_SECONDS == 7
    # The API function's timeout leaves a second to render and answer.
    config = json.loads((Path(__file__).parents[2] / ".chalice" / "config.json").read_text())
    assert REQUEST_SECONDS + 1 <= config["stages"]["prod"]["lambda_timeout"] == 25


def test_a_call_is_allowed_only_while_it_can_end_in_time():
    time = Stepped()
    budget = Budget.of(2 * CALL_SECONDS, time.sleep, time.clock)
    assert budget.allows(2)
    time.now += 0.001
    assert not budget.allows(2)
    assert budget.allows(1)
    time.now += CALL_SECONDS
    assert not budget.allows(1)


def test_waits_double_from_the_first_to_the_last_jittered_and_never_past_the_end():
    time = Stepped()
    budget = Budget.of(60, time.sleep, time.clock)
    for attempt in range(8):
        budget.pause(attempt)
    ceilings = [min(0.02 * 2**attempt, LAST_WAIT_SECONDS) for attempt in range(8)]
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(time.waits, ceilings, strict=True))
    short = Budget.of(0.01, time.sleep, time.clock)
    short.pause(10)
    assert short.left() == pytest.approx(0, abs=1e-9)  # it waited only what was left


def test_inside_a_request_no_table_call_starts_that_could_not_end_in_time():
    time = Stepped()
    calls = []

    class Client:
        def get_item(self, **_):
            calls.append(1)
            return {}

    store = Store("t", client=Client, sleep=time.sleep, clock=time.clock)
    with store.within(CALL_SECONDS + 1):
        store.table.db().get_item(TableName="t", Key={})
        time.now += 2
        with pytest.raises(StoreUnavailable):
            store.table.db().get_item(TableName="t", Key={})
    assert calls == [1]
    store.table.db().get_item(TableName="t", Key={})  # outside a request: no request budget
    assert calls == [1, 1]


def test_the_request_budget_is_the_innermost_and_gone_after_it():
    outer, inner = Budget(1.0), Budget(2.0)
    assert request_budget() is None
    with bounded(outer):
        with bounded(inner):
            assert request_budget() is inner
        assert request_budget() is outer
    assert request_budget() is None


def test_rounds_wait_before_every_try_but_the_first_and_stop_when_a_try_could_not_end_in_time():
    time = Stepped()
    budget = Budget.of(3 * CALL_SECONDS, time.sleep, time.clock)
    tries = []
    for attempt in budget.rounds(2):
        tries.append((attempt, len(time.waits)))
        time.now += CALL_SECONDS / 2  # each try takes half a call's worst case
    # 21 s: the first try at 0 s, the second after its wait at 3.5 s (17.5 s left); a third at
    # 7 s (+ the waits) would leave less than the 14 s two calls may take.
    assert tries == [(0, 0), (1, 1)]
