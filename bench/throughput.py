"""Registrations per second through the local stack, and AWS calls per registration.

    make bench            (or: .venv/bin/python -m bench.throughput [REGISTRATIONS_PER_LEVEL])

After the table, one line sums up a crowd on the waiting list against unlimited seats,
both at 32 clients and in the same run (`crowd`; docs/design.md, "A crowd on the waiting
list").

The local stack is `chalice local` (threads) in front of the embedded AWS
(moto, one call at a time): the figures compare our code's shapes with each
other, they are not a forecast of AWS, where DynamoDB is not the bottleneck.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from chalicelib.model.events import Event, Organiser, SpamProtection
from devstack.embedded_aws import CALLS_PATH
from devstack.stack import LocalStack, free_port

LEVELS = (1, 8, 32)


def bench_event(prefix: str = "bench", **changes: Any) -> Event:
    """An open event two months ahead, without the per-address limit (every client here is 127.0.0.1)."""
    day = date.today() + timedelta(days=60)
    return Event(
        event_id=f"{prefix}-{uuid.uuid4().hex[:10]}",
        title=prefix.title(),
        timezone="Europe/Berlin",
        starts_at=datetime.combine(day, clock_time(10)),
        registration_deadline=day - timedelta(days=1),
        organisers=[Organiser(name="Bench", email="bench@example.org")],
        spam_protection=SpamProtection(per_address_per_hour=None),
        **changes,
    )


def calls(stack: LocalStack, caller: str) -> Counter[str]:
    with urllib.request.urlopen(stack.aws_url + CALLS_PATH, timeout=10) as response:
        return Counter(json.load(response).get(caller, {}))


def register(url: str) -> float:
    body = json.dumps(
        {
            "given_name": "Bench",
            "family_name": "Mark",
            "email": f"{uuid.uuid4().hex}@example.org",
            "consent": True,
        }
    ).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 201:
            raise RuntimeError(f"status {response.status}")
    return time.perf_counter() - started


def run_level(stack: LocalStack, event: Event, clients: int, count: int) -> dict[str, Any]:
    url = f"{stack.api_url}/events/{event.event_id}/registrations"
    before = calls(stack, "api-function")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = sorted(pool.map(lambda _: register(url), range(count)))
    wall = time.perf_counter() - started
    delta = calls(stack, "api-function") - before
    return {
        "clients": clients,
        "per_second": count / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "writes": (delta["TransactWriteItems"] + delta["PutItem"] + delta["UpdateItem"]) / count,
        "reads": (delta["GetItem"] + delta["Query"]) / count,
        "ses": delta["SendRawEmail"] / count,  # the request path sends nothing: expect 0
    }


def fresh_event(stack: LocalStack, **changes: Any) -> Event:
    """A new event of `changes`, stored and warmed up (clients built, event cached)."""
    event = bench_event(**changes)
    stack.store().event_rows.save([event])
    run_level(stack, event, 4, 8)  # with capacity 1 the warm-up takes the seat: the rest wait
    return event


def mails_caught_up(stack: LocalStack, timeout: float = 120.0) -> None:
    """Wait until the mail function has sent what the registrations so far asked for: its
    backlog shares the one-at-a-time embedded AWS with the request path measured next."""
    deadline = time.monotonic() + timeout
    last: Counter[str] | None = None
    while time.monotonic() < deadline:
        done = calls(stack, "mail-function")
        done = Counter({op: done[op] for op in ("SendRawEmail", "TransactWriteItems", "UpdateItem")})
        if done == last:
            return
        last = done
        time.sleep(1.0)


def crowd(stack: LocalStack, count: int, clients: int = LEVELS[-1]) -> dict[str, float]:
    """A crowd landing on the waiting list at once (capacity 1, every place contended) against
    unlimited seats at the same number of clients, in one run: the crowd's registrations/s,
    p95 and DynamoDB writes per registration, and the unlimited p95 it is measured against.
    Each starts on a quiet stack (no mail backlog), so the two meet the same conditions."""
    figures = {}
    for name, changes in (("unlimited", {}), ("crowd", {"capacity": 1, "waitlist": True})):
        event = fresh_event(stack, **changes)
        mails_caught_up(stack)
        figures[name] = run_level(stack, event, clients, count)
    unlimited, waiting = figures["unlimited"], figures["crowd"]
    return {
        "unlimited_p95_ms": unlimited["p95_ms"],
        "per_second": waiting["per_second"],
        "p95_ms": waiting["p95_ms"],
        "writes": waiting["writes"],
        "reads": waiting["reads"],
        "p95_ratio": waiting["p95_ms"] / unlimited["p95_ms"],
    }


def crowd_line(figures: dict[str, float]) -> str:
    """`crowd`'s figures against their goals (docs/design.md, "A crowd on the waiting list")."""
    return (
        f"crowd: writes/reg {figures['writes']:.2f} (goal ≤1.5), p95 {figures['p95_ms']:.0f} ms"
        f" = {figures['p95_ratio']:.1f}× unlimited p95 {figures['unlimited_p95_ms']:.0f} ms (goal ≤3×);"
        f" {figures['per_second']:.1f} registrations/s, reads/reg {figures['reads']:.2f}"
    )


def main(count: int = 120) -> dict[str, float]:
    """Print every scenario's table and the crowd's line; return the crowd's figures."""
    with LocalStack(free_port(), free_port(), free_port()) as stack:
        scenarios = (
            ("unlimited seats", {}),
            ("capacity 100000 (a seat each)", {"capacity": 100_000}),
            ("capacity 1 + waiting list (every place contended)", {"capacity": 1, "waitlist": True}),
        )
        for label, changes in scenarios:
            event = fresh_event(stack, **changes)
            print(f"\n{label}: {count} registrations per level through {stack.api_url}")
            print("request path (the API function's calls only):")
            print("clients  registrations/s  p50 ms  p95 ms  DynamoDB writes/reg  reads/reg  SES calls/reg")
            for clients in LEVELS:
                r = run_level(stack, event, clients, count)
                print(
                    f"{r['clients']:>7}  {r['per_second']:>15.1f}  {r['p50_ms']:>6.1f}  {r['p95_ms']:>6.1f}"
                    f"  {r['writes']:>19.2f}  {r['reads']:>9.2f}  {r['ses']:>13.2f}"
                )
        figures = crowd(stack, count)
        print()
        print(crowd_line(figures))
        return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 120)
