"""Seats and the waiting list under concurrent posts, over HTTP against the local stack.

`chalice local` serves requests on threads; the embedded AWS serves one call at
a time (a linearisable DynamoDB), so a read-then-write race in our code shows.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.helpers import post, stored_rows
from tests.factories import event, submission

ROUNDS = 3


def fresh_event(stack, **changes):
    e = event(
        event_id=f"burst-{uuid.uuid4().hex[:12]}",
        registration_deadline="2099-12-31",
        starts_at="2100-01-01T10:00:00",
        ends_at="2100-01-01T17:00:00",
        spam_protection={"per_address_per_hour": None},  # every test client is 127.0.0.1
        **changes,
    )
    stack.store().event_rows.save([e])
    return e


def burst(stack, event_id, count):
    """`count` different people post at once; returns (status, answer) per post."""
    url = f"{stack.api_url}/events/{event_id}/registrations"

    def register(i):
        body = json.dumps(submission(email=f"person{i}-{uuid.uuid4().hex[:6]}@example.org")).encode()
        status, _, text = post(url, body, "application/json")
        return status, json.loads(text)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(register, range(count)))


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_60_posts_for_10_seats_with_a_waiting_list(stack, round_):
    e = fresh_event(stack, capacity=10, waitlist=True)
    answers = burst(stack, e.event_id, 60)
    assert Counter(status for status, _ in answers) == {201: 60}
    statuses = Counter(answer["status"] for _, answer in answers)
    assert statuses == {"confirmed": 10, "waitlisted": 50}
    positions = sorted(a["waitlist_position"] for _, a in answers if a["status"] == "waitlisted")
    assert positions == list(range(1, 51))

    stored = list(stored_rows(stack, e.event_id))
    assert Counter(item["status"] for item in stored) == {"confirmed": 10, "waitlisted": 50}
    assert sorted(i["waitlist_position"] for i in stored if i["status"] == "waitlisted") == positions
    record = stack.store().event_rows.find(e.event_id, consistent=True)
    assert (record.confirmed, record.waitlisted, record.seats_free) == (10, 50, 0)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_30_posts_for_5_seats_without_a_waiting_list(stack, round_):
    e = fresh_event(stack, capacity=5)
    answers = burst(stack, e.event_id, 30)
    assert Counter(status for status, _ in answers) == {201: 5, 409: 25}
    assert {a["error"] for status, a in answers if status == 409} == {"event_full"}
    assert len(list(stored_rows(stack, e.event_id))) == 5
    assert stack.store().event_rows.find(e.event_id, consistent=True).confirmed == 5


def test_a_double_clicked_submit_takes_one_seat_and_both_clicks_are_told_so(stack):
    e = fresh_event(stack, capacity=3)
    url = f"{stack.api_url}/events/{e.event_id}/registrations"
    for i in range(10):
        body = json.dumps(submission(email=f"double{i}@example.org")).encode()
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda b: post(url, b, "application/json"), [body, body]))
        outcomes = sorted((status, json.loads(text).get("registration_id")) for status, _, text in answers)
        if i < 3:
            # The second click is the same submission: it answers like the first, with its id.
            assert [status for status, _ in outcomes] == [201, 201]
            assert outcomes[0][1] == outcomes[1][1]
        else:
            assert outcomes == [(409, None), (409, None)]
    assert stack.store().event_rows.find(e.event_id, consistent=True).confirmed == 3
    assert len(list(stored_rows(stack, e.event_id))) == 3


def test_raising_capacity_moves_100_waiting_up_within_seconds(stack, tmp_path):
    e = fresh_event(stack, capacity=1, waitlist=True)
    url = f"{stack.api_url}/events/{e.event_id}/registrations"
    for i in range(101):
        status, _, _ = post(url, json.dumps(submission(email=f"line{i}@example.org")).encode(), "application/json")
        assert status == 201
    path = tmp_path / f"{e.event_id}.json"
    path.write_text(e.model_copy(update={"capacity": 500}).model_dump_json(), encoding="utf-8")
    started = time.monotonic()
    result = stack.cli("load-events", str(path))
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert f"{e.event_id}: 100 moved up from the waiting list" in result.stdout
    stored = stored_rows(stack, e.event_id)
    assert Counter(item["status"] for item in stored) == {"confirmed": 101}
    record = stack.store().event_rows.find(e.event_id, consistent=True)
    assert (record.confirmed, record.waiting, record.seats_free) == (101, 0, 399)
    assert seconds < 5, f"load-events took {seconds:.1f} s"  # the command's start included; was 16 s for 80
