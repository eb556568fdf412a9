"""A fixed rate of mixed posts against the local stack, then the table audited against the answers.

    make stress       (or: .venv/bin/python -m bench.stress [RATE_PER_SECOND] [SECONDS])

Mix: new registrations, duplicates of accepted addresses (other case), invalid forms,
and hostile bodies (broken JSON, oversized, wrong media type, honeypot, bot speed).
Afterwards every 201 must be in the table with the status it was told, nothing else
may be, and the event's counters must agree with the rows. Exit 1 if not.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError

from bench.throughput import bench_event
from chalicelib.model.events import Event
from devstack.stack import LocalStack, free_port


@dataclass
class Sent:
    kind: str
    email: str | None
    status: int
    answer: dict[str, Any]
    seconds: float


def person(email: str) -> dict[str, Any]:
    return {"given_name": "Stress", "family_name": "Test", "email": email, "consent": True}


def request(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, Any]]:
    post = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(post, timeout=60) as response:
            return response.status, json.load(response)
    except HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text.startswith(b"{") else {}


def one(url: str, kind: str, accepted: list[str], rng: random.Random) -> Sent:
    email = None
    if kind == "new":
        email = f"{uuid.uuid4().hex[:12]}@example.org"
        body, ctype = json.dumps(person(email)).encode(), "application/json"
    elif kind == "duplicate" and accepted:
        email = rng.choice(accepted).upper()  # another form of a registered address (the same one is a repeat: 201)
        body, ctype = json.dumps({**person(email), "given_name": "Noch einmal"}).encode(), "application/json"
    elif kind == "invalid":
        body, ctype = json.dumps({"given_name": "", "email": "nope", "colour": "blau"}).encode(), "application/json"
    elif kind == "honeypot":
        email = f"bot-{uuid.uuid4().hex[:8]}@example.org"
        body, ctype = json.dumps({**person(email), "website": "http://spam.example"}).encode(), "application/json"
    elif kind == "bot_speed":
        email = f"fast-{uuid.uuid4().hex[:8]}@example.org"
        body = json.dumps({**person(email), "form_started_at": str(int(time.time() * 1000))}).encode()
        ctype = "application/json"
    else:
        kind = "hostile"
        body, ctype = rng.choice(
            [
                (b'{"given_name": ', "application/json"),
                (b"\xff\xfe" * 50, "application/json"),
                (b"x" * 70_000, "application/x-www-form-urlencoded"),
                (b"<xml/>", "application/xml"),
                (b"--b\r\nbroken", "multipart/form-data; boundary=a"),
            ]
        )
    started = time.perf_counter()
    status, answer = request(url, body, ctype)
    sent = Sent(kind, email, status, answer, time.perf_counter() - started)
    if kind == "new" and status == 201 and email:
        accepted.append(email)
    return sent


def audit(stack: LocalStack, event: Event, results: list[Sent]) -> list[str]:
    problems = []
    rows = {r.registration_id: r.as_stored() for r in stack.store().registration_rows.of_event(event.event_id)}
    real = [s for s in results if s.status == 201 and s.kind != "honeypot"]
    for s in real:
        row = rows.get(s.answer["registration_id"])
        if row is None or row["email"].lower() != (s.email or "").lower() or row["status"] != s.answer["status"]:
            problems.append(f"201 not stored as answered: {s.answer['registration_id']}")
    extra = set(rows) - {s.answer["registration_id"] for s in real}
    if extra:
        problems.append(f"{len(extra)} stored registration(s) nobody was told about")
    for s in results:
        if s.status == 201 and s.kind == "honeypot" and s.answer["registration_id"] in rows:
            problems.append(f"the honeypot stored {s.answer['registration_id']}")
        if s.kind == "bot_speed" and s.status != 429:
            problems.append(f"a post at bot speed was answered {s.status}, not 429 too_fast")
    emails = Counter(row["email"].lower() for row in rows.values())
    if any(n > 1 for n in emails.values()):
        problems.append("an address is registered twice")
    record = stack.store().event_rows.find(event.event_id, consistent=True)
    confirmed = sum(row["status"] == "confirmed" for row in rows.values())
    places = sorted(row["waitlist_position"] for row in rows.values() if row["status"] == "waitlisted")
    if record is None or record.confirmed != confirmed or places != list(range(1, record.waitlisted + 1)):
        problems.append(
            f"counters disagree: {record and (record.confirmed, record.waitlisted)} vs {confirmed}, "
            f"{len(places)} places"
        )
    return problems


def main(rate: float = 30.0, seconds: float = 20.0) -> int:
    rng = random.Random(20161117)
    kinds = (
        ["new"] * 55 + ["duplicate"] * 15 + ["invalid"] * 10 + ["hostile"] * 10 + ["honeypot"] * 5 + ["bot_speed"] * 5
    )
    with LocalStack(free_port(), free_port(), free_port()) as stack:
        event = bench_event("stress", capacity=150, waitlist=True)
        stack.store().event_rows.save([event])
        url = f"{stack.api_url}/events/{event.event_id}/registrations"
        accepted: list[str] = []
        futures = []
        total = int(rate * seconds)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=64) as pool:
            for i in range(total):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(one, url, rng.choice(kinds), accepted, rng))
            results = [f.result() for f in futures]
        wall = time.perf_counter() - started
        problems = audit(stack, event, results)
    latencies = sorted(s.seconds for s in results)
    print(f"\n{total} posts in {wall:.1f} s ({total / wall:.1f}/s, asked for {rate:.0f}/s) to {url}")
    p50, p95 = statistics.median(latencies), latencies[int(total * 0.95) - 1]
    print(f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    outcomes = Counter((s.kind, s.status, s.answer.get("status") or s.answer.get("error")) for s in results)
    for (kind, status, what), n in sorted(outcomes.items()):
        print(f"  {kind:<10} {status}  {what or '':<24} {n:>5}")
    servers = sum(s.status >= 500 for s in results)
    print(f"server errors: {servers}; audit: {problems or 'table agrees with every answer'}")
    return 1 if problems or servers else 0


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:3]]
    sys.exit(main(*args))
