"""Mixed operations at once against the local stack: registrations (new, repeated, changed),
cancellations by link and by an admin, `forget`, capacity changes and closing, fired
together in rounds; after each round the table is audited against every answer and the
invariants of docs/design.md.

Bounded in `make test` (CONCURRENT_ROUNDS=3, a fixed seed); `make stress` runs many more.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.model.links import CancelLink, cancel_url
from chalicelib.store.keys import PENDING_PREFIX
from devstack.demo_event import DEMO_EVENT_ID
from devstack.mailbox import sent_mails
from tests.e2e.helpers import mails_to_organiser_about, post, registrations_url, unique_address
from tests.e2e.test_seats_under_load import fresh_event
from tests.factories import submission

ROUNDS = int(os.environ.get("CONCURRENT_ROUNDS", "3"))
OPERATIONS = 16
SEED = int(os.environ.get("CONCURRENT_SEED", "20161201"))


@dataclass
class Answer:
    kind: str
    email: str
    status: int
    body: dict
    sent: float
    received: float


@dataclass
class World:
    """What the test has been told so far."""

    answers: list[Answer] = field(default_factory=list)
    forms: dict[str, str] = field(default_factory=dict)  # address -> the form it registered with
    ids: dict[str, str] = field(default_factory=dict)  # registration id -> address
    forgotten: dict[str, int] = field(default_factory=dict)  # address -> mails sent when forget returned


def timed(kind: str, email: str, call: Callable[[], tuple[int, dict]]) -> Answer:
    sent = time.monotonic()
    status, body = call()
    return Answer(kind, email, status, body, sent, time.monotonic())


def test_mixed_operations_at_once_keep_every_invariant(stack, tmp_path):
    rng = random.Random(SEED)
    event = fresh_event(stack, capacity=3, waitlist=True)
    world = World()
    url = registrations_url(stack, event.event_id)
    secret = stack.environment["LINK_SECRET"]
    settings = {"capacity": 3, "closed": False}

    def register(email: str, form: str) -> Answer:
        body = json.dumps(submission(email=email, organisation_type=form)).encode()

        def call() -> tuple[int, dict]:
            status, _, text = post(url, body, "application/json")
            return status, json.loads(text)

        return timed("register", email, call)

    def cancel_by_link(email: str, registration_id: str) -> Answer:
        link = cancel_url(stack.api_url, secret, CancelLink(event.event_id, registration_id, 2**31))
        return timed("cancel_link", email, lambda: (post(link, b"", "application/x-www-form-urlencoded")[0], {}))

    def cancel_by_admin(email: str, registration_id: str) -> Answer:
        path = f"{stack.api_url}/admin/events/{event.event_id}/registrations/{registration_id}/cancel"
        return timed("cancel_admin", email, lambda: (post(path, b"", "application/json")[0], {}))

    def forget(email: str) -> Answer:
        def call() -> tuple[int, dict]:
            result = stack.cli("forget", email)
            world.forgotten[email] = len(sent_mails(stack.aws_url))  # counted after it returned
            return result.returncode, {"out": result.stdout + result.stderr}

        return timed("forget", email, call)

    def load(changes: dict) -> Answer:
        folder = tmp_path / uuid.uuid4().hex
        folder.mkdir()
        path = Path(folder) / f"{event.event_id}.json"
        path.write_text(event.model_copy(update=changes).model_dump_json(), encoding="utf-8")

        def call() -> tuple[int, dict]:
            result = stack.cli("load-events", str(path))
            return result.returncode, {"out": result.stdout + result.stderr}

        return timed("load_events", "", call)

    for round_ in range(ROUNDS):
        registered = [(i, e) for i, e in world.ids.items() if e not in world.forgotten]
        rng.shuffle(registered)
        used: set[str] = set()  # one operation per address and round: forgotten addresses stay forgotten
        operations: list[Callable[[], Answer]] = []
        for _ in range(OPERATIONS):
            roll = rng.random()
            known = [(i, e) for i, e in registered if e not in used]
            if roll < 0.45 or not known:
                email = unique_address()
                used.add(email)
                form = rng.choice(["Kommune", "Landkreis"])
                world.forms[email] = form
                operations.append(lambda e=email, f=form: register(e, f))
            elif roll < 0.55:
                registration_id, email = known[0]
                used.add(email)
                same = rng.random() < 0.5  # the same form again, or another one
                form = (
                    world.forms[email] if same else {"Kommune": "Landkreis", "Landkreis": "Kommune"}[world.forms[email]]
                )
                operations.append(lambda e=email, f=form: register(e, f))
            elif roll < 0.7:
                registration_id, email = known[0]
                used.add(email)
                operations.append(lambda e=email, i=registration_id: cancel_by_link(e, i))
            elif roll < 0.8:
                registration_id, email = known[0]
                used.add(email)
                operations.append(lambda e=email, i=registration_id: cancel_by_admin(e, i))
            elif roll < 0.9:
                registration_id, email = known[0]
                used.add(email)
                operations.append(lambda e=email: forget(e))
            elif roll < 0.96:
                settings["capacity"] = max(1, settings["capacity"] + rng.choice([-2, -1, 1, 2, 4, 6]))
                operations.append(
                    lambda c=settings["capacity"], x=settings["closed"]: load({"capacity": c, "closed": x})
                )
            else:
                settings["closed"] = not settings["closed"]
                operations.append(
                    lambda c=settings["capacity"], x=settings["closed"]: load({"capacity": c, "closed": x})
                )
        with ThreadPoolExecutor(max_workers=len(operations)) as pool:
            answers = list(pool.map(lambda operation: operation(), operations))
        world.answers += answers
        for a in answers:
            if a.kind == "register" and a.status == 201:
                world.ids[a.body["registration_id"]] = a.email
        audit(stack, event.event_id, world, round_)


def audit(stack, event_id: str, world: World, round_: int) -> None:
    where = f"after round {round_ + 1} (CONCURRENT_SEED={SEED})"
    answers = world.answers
    assert not [a for a in answers if a.status >= 500], where
    assert not [
        a for a in answers if a.kind in ("forget", "load_events") and a.status != 0 and "below" not in a.body["out"]
    ]
    store = stack.store()
    record = store.event_rows.find(event_id, consistent=True)
    rows = [r.as_stored() for r in store.registration_rows.of_event(event_id, consistent=True)]
    by_id = {r["registration_id"]: r for r in rows}
    confirmed = [r for r in rows if r["status"] == "confirmed"]
    waiting = [r for r in rows if r["status"] == "waitlisted"]
    capacity = record.event.capacity

    # The counters equal the rows; confirmed <= capacity; nobody waits while a seat is free.
    assert (record.confirmed, record.waiting) == (len(confirmed), len(waiting)), where
    assert capacity is None or len(confirmed) <= capacity, where
    assert not waiting or (capacity is not None and len(confirmed) >= capacity), where

    # Waiting-list numbers: unique, given in order of arrival, and the list moves up in order.
    numbers = [r["waitlist_position"] for r in rows if r.get("waitlist_position")]
    assert len(numbers) == len(set(numbers)), where
    assert max(numbers, default=0) <= record.waitlisted, where
    moved_up = [r["waitlist_position"] for r in confirmed if r.get("waitlist_position")]
    assert not waiting or max(moved_up, default=0) < min(r["waitlist_position"] for r in waiting), where
    first_told: dict[str, Answer] = {}  # a repeat is answered with the first one's number: not an arrival
    for a in sorted(answers, key=lambda a: a.sent):
        if a.kind == "register" and a.status == 201:
            first_told.setdefault(a.body["registration_id"], a)
    # Still true with group numbering: a registration answered before another was sent was
    # numbered (its W2 or W9 committed) before the other even joined, and `waitlisted_count`
    # only grows; two numbered in the same group were both pending at once, so neither was
    # answered before the other was sent (their numbers follow their ids, which this cannot see).
    placed = [a for a in first_told.values() if a.body.get("waitlist_position")]
    for earlier in placed:
        for later in placed:
            if earlier.received < later.sent:  # answered before the other was even sent
                assert earlier.body["waitlist_position"] <= later.body["waitlist_position"], where

    # Every answer is true.
    assert set(by_id) <= set(first_told), f"{where}: stored registrations nobody was told about"
    possible = {"confirmed": {"confirmed", "cancelled"}, "waitlisted": {"waitlisted", "confirmed", "cancelled"}}
    for a in answers:
        if a.kind == "register" and a.status == 201:  # first answers and repeats alike
            row = by_id.get(a.body["registration_id"])
            if row is None:
                assert a.email in world.forgotten, f"{where}: a 201 not stored"
            else:
                assert row["email"] == a.email, where
                assert row["status"] in possible[a.body["status"]], where
        if a.kind == "register" and a.status == 409 and a.body["error"] == "already_registered":
            assert [b for b in first_told.values() if b.email == a.email and b.sent < a.received], where
        if a.kind in ("cancel_link", "cancel_admin") and a.status == 200 and a.email not in world.forgotten:
            assert [r for r in rows if r["email"] == a.email and r["status"] == "cancelled"], where

    # One marker per active registration; nothing left of anyone forgotten.
    items = stack.aws_client("dynamodb").query(
        TableName=stack.environment["TABLE_NAME"],
        KeyConditionExpression="event_id = :e",
        ExpressionAttributeValues={":e": {"S": event_id}},
        ConsistentRead=True,
    )["Items"]
    markers = Counter(i["registration_id"]["S"] for i in items if i["sk"]["S"].startswith("email#"))
    assert markers == Counter(r["registration_id"] for r in rows if r["status"] != "cancelled"), where

    # Every request of the round was answered (none with a 5xx), and a registrant that joined the
    # queue is answered only once it is placed: nobody is left pending.
    pending = [i["registration_id"]["S"] for i in items if i["sk"]["S"].startswith(PENDING_PREFIX)]
    assert pending == [], where
    assert not [r for r in rows if r["status"] == "pending"], f"{where}: a registration row stored as pending"
    everything = json.dumps(items)
    assert not [e for e in world.forgotten if e in everything], where

    # After `forget` returned, no mail about the person: the mail function has caught up once a
    # later registration's mail is out (the stream is handed over in order).
    sentinel = unique_address()
    assert (
        post(
            registrations_url(stack, DEMO_EVENT_ID), json.dumps(submission(email=sentinel)).encode(), "application/json"
        )[0]
        == 201
    )
    assert mails_to_organiser_about(stack, sentinel, timeout=60), where
    mails = sent_mails(stack.aws_url)
    for email, mark in world.forgotten.items():
        assert not [m for m in mails[mark:] if email in m["to"] + m["reply_to"]], (
            f"{where}: mail about {email} after forget"
        )
