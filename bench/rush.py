"""The rush at opening, on the embedded AWS contending like DynamoDB (docs/local-aws.md).

    make bench            (or: .venv/bin/python -m bench.rush)

128 posts at once onto (a) unlimited seats, (b) 20 seats and a waiting list, (c) one seat and a
waiting list, then 40 posts a second for 30 s onto (b): answers by status, p95, the DynamoDB
write units the request path was billed per registration (as the contending AWS bills them:
docs/local-aws.md, "What is billed") and the transaction conflicts it met per registration.
Beside them, one registration at a time onto unlimited seats: what an uncontended one costs.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bench.throughput import bench_event, mails_caught_up
from devstack.contention import CONTENTION_PATH
from devstack.stack import LocalStack, free_port

AT_ONCE = 128
RATE_PER_SECOND = 40
RATE_SECONDS = 30
SUSTAINED_PER_SECOND = 20
GOAL_P95_RATIO = 2.0
GOAL_UNITS_RATIO = 2.0


@dataclass(frozen=True)
class Rush:
    label: str
    statuses: Counter[int]
    p95_ms: float
    units_per_registration: float
    conflicts_per_registration: float


def post(url: str) -> tuple[int, float]:
    """One registration: its status and how long its answer took."""
    body = json.dumps(
        {"given_name": "Rush", "family_name": "Hour", "email": f"{uuid.uuid4().hex}@example.org", "consent": True}
    ).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as refused:
        status = refused.code
    return status, time.perf_counter() - started


def billed(stack: LocalStack) -> Counter[str]:
    """The request path's billed write units and refusals so far (the API function's calls)."""
    with urllib.request.urlopen(stack.aws_url + CONTENTION_PATH, timeout=10) as response:
        return Counter(json.load(response).get("api-function", {}))


def measure(stack: LocalStack, label: str, send: Any, **changes: Any) -> Rush:
    """Run `send(url)` (which returns every post's status and latency) onto a fresh event."""
    event = bench_event("rush", **changes)
    stack.store().event_rows.save([event])
    mails_caught_up(stack)  # each starts on a quiet stack: the mail function shares the embedded AWS
    url = f"{stack.api_url}/events/{event.event_id}/registrations"
    before = billed(stack)
    answers = send(url)
    spent = billed(stack) - before
    statuses = Counter(status for status, _ in answers)
    latencies = sorted(seconds for _, seconds in answers)
    registered = max(statuses[201], 1)
    conflicts = spent["transaction_conflicts"] + spent["transaction_conflict_exceptions"]
    return Rush(
        label,
        statuses,
        latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000,
        spent["write_units"] / registered,
        conflicts / registered,
    )


def at_once(count: int) -> Any:
    def send(url: str) -> list[tuple[int, float]]:
        start = threading.Barrier(count)

        def one(_: int) -> tuple[int, float]:
            start.wait()
            return post(url)

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, range(count)))

    return send


def one_at_a_time(count: int) -> Any:
    def send(url: str) -> list[tuple[int, float]]:
        return [post(url) for _ in range(count)]

    return send


def at_rate(per_second: int, seconds: int) -> Any:
    def send(url: str) -> list[tuple[int, float]]:
        began = time.monotonic()

        def one(index: int) -> tuple[int, float]:
            time.sleep(max(0.0, began + index / per_second - time.monotonic()))
            return post(url)

        with ThreadPoolExecutor(max_workers=128) as pool:
            return list(pool.map(one, range(per_second * seconds)))

    return send


def main() -> list[Rush]:
    """Print the rush table and its goals; return the rows."""
    with LocalStack(free_port(), free_port(), free_port()) as stack:
        measure(stack, "warm-up", at_once(16))  # clients built, the stack's threads started
        alone = measure(stack, "one at a time, unlimited seats (uncontended)", one_at_a_time(20))
        rushes = [
            alone,
            measure(stack, f"(a) {AT_ONCE} at once, unlimited seats", at_once(AT_ONCE)),
            measure(
                stack, f"(b) {AT_ONCE} at once, 20 seats + waiting list", at_once(AT_ONCE), capacity=20, waitlist=True
            ),
            measure(
                stack, f"(c) {AT_ONCE} at once, 1 seat + waiting list", at_once(AT_ONCE), capacity=1, waitlist=True
            ),
            # What this machine's stack sustains (its one moto core is the limit, not the design); before
            # (d), whose backlog of mails would still load that core.
            measure(
                stack,
                f"(d') {SUSTAINED_PER_SECOND}/s for {RATE_SECONDS} s, 20 seats + waiting list",
                at_rate(SUSTAINED_PER_SECOND, RATE_SECONDS),
                capacity=20,
                waitlist=True,
            ),
            measure(
                stack,
                f"(d) {RATE_PER_SECOND}/s for {RATE_SECONDS} s, 20 seats + waiting list",
                at_rate(RATE_PER_SECOND, RATE_SECONDS),
                capacity=20,
                waitlist=True,
            ),
        ]
    print(f"\nthe rush, on the embedded AWS contending like DynamoDB ({stack.api_url}):")
    print(f"{'':<52}  {'answers by status':<22}  {'p95 ms':>7}  {'write units/reg':>15}  {'conflicts/reg':>13}")
    for rush in rushes:
        statuses = ", ".join(f"{count}×{status}" for status, count in sorted(rush.statuses.items()))
        print(
            f"{rush.label:<52}  {statuses:<22}  {rush.p95_ms:>7.0f}  {rush.units_per_registration:>15.2f}"
            f"  {rush.conflicts_per_registration:>13.2f}"
        )
    print(summary(rushes))
    return rushes


def summary(rushes: list[Rush]) -> str:
    """The rush's figures against its goals (the rows as `main` returns them)."""
    alone, unlimited, full, goals = rushes[0], rushes[1], rushes[2:4], [*rushes[1:4], rushes[5]]
    others = sum(count for rush in goals for status, count in rush.statuses.items() if status != 201)
    worst_ratio = max(rush.p95_ms for rush in full) / unlimited.p95_ms
    worst_units = max(rush.units_per_registration for rush in goals) / alone.units_per_registration
    return (
        f"the rush (a)-(d): {others} answers other than 201 (goal 0); p95 of (b), (c) at most {worst_ratio:.2f}×"
        f" that of (a) (goal ≤ {GOAL_P95_RATIO:.0f}×); write units per registration at most {worst_units:.2f}× an"
        f" uncontended one's {alone.units_per_registration:.2f} (goal ≤ {GOAL_UNITS_RATIO:.0f}×)"
    )


if __name__ == "__main__":
    main()
