"""Each rule of the seat decisions (`chalicelib/seats/decisions.py`), without AWS: what a newcomer
writes (W8 or nothing), and what whoever places the queue writes (W6 first, or W9)."""

from __future__ import annotations

import pytest

from chalicelib.model.registration import Registration, Status
from chalicelib.seats.decisions import ReadAgain, Refuse, W6HandOver, W8Join, W9Place, newcomer_write, queue_write
from chalicelib.store import EventRecord, Queue
from tests.factories import SEED_EVENT_ID, event


def record(capacity: int | None = 2, waitlist: bool = True, **counts: int) -> EventRecord:
    return EventRecord(
        event(capacity=capacity, waitlist=waitlist),
        confirmed=counts.get("confirmed", 0),
        waitlisted=counts.get("waitlisted", 0),
        waiting=counts.get("waiting", 0),
    )


def pending(count: int) -> list[Registration]:
    return [
        Registration(
            event_id=SEED_EVENT_ID,
            registration_id=f"01J{i:023d}",
            email=f"p{i}@example.org",
            given_name=f"P{i}",
            family_name="X",
            status=Status.PENDING,
            registered_at="2016-11-10T11:00:00.000Z",
            consent_at="2016-11-10T11:00:00.000Z",
            language="de",
        )
        for i in range(count)
    ]


def outcomes(write: W9Place) -> list[tuple[str, int | None, int | None]]:
    return [(str(r.status), r.waitlist_position, r.waitlist_place) for r in write.placed]


@pytest.mark.parametrize(
    ("counts", "fresh", "expected"),
    [
        (record(capacity=2, confirmed=1), False, W8Join()),  # a seat is free
        (record(capacity=None, confirmed=500), False, W8Join()),  # no limit
        (record(capacity=2, confirmed=2, waitlisted=4, waiting=3), False, W8Join()),  # full, with a list
        (record(capacity=2, waitlist=False, confirmed=2), False, ReadAgain()),  # a cached "full" is checked
        (record(capacity=2, waitlist=False, confirmed=2), True, Refuse()),  # read just now: refused, nothing written
    ],
)
def test_a_newcomer_joins_unless_the_event_is_full_without_a_list(counts, fresh, expected):
    assert newcomer_write(counts, fresh=fresh) == expected


def test_nobody_pending_means_nothing_to_write():
    assert queue_write(Queue(record(), [])) is None


def test_free_seats_while_people_wait_are_handed_over_before_anyone_pending_is_placed():
    raised = record(capacity=5, confirmed=2, waitlisted=3, waiting=3)  # capacity raised from 2
    assert queue_write(Queue(raised, pending(2))) == W6HandOver()


def test_the_free_seats_go_first_come_first_then_the_next_numbers_with_exact_places():
    # Seven numbers were given before; those people have all moved up or left.
    write = queue_write(Queue(record(capacity=3, confirmed=1, waitlisted=7, waiting=0), pending(4)))
    assert isinstance(write, W9Place)
    assert outcomes(write) == [
        ("confirmed", None, None),
        ("confirmed", None, None),
        ("waitlisted", 8, 1),
        ("waitlisted", 9, 2),
    ]
    assert write.refused == []
    assert (write.counts.confirmed, write.counts.waitlisted, write.counts.waiting) == (3, 9, 2)


def test_a_full_event_numbers_behind_those_already_waiting():
    write = queue_write(Queue(record(capacity=2, confirmed=2, waitlisted=5, waiting=3), pending(2)))
    assert outcomes(write) == [("waitlisted", 6, 4), ("waitlisted", 7, 5)]


def test_without_a_list_those_beyond_the_seats_are_refused_in_order_of_arrival():
    queue = pending(3)
    write = queue_write(Queue(record(capacity=2, waitlist=False, confirmed=1), queue))
    assert outcomes(write) == [("confirmed", None, None)]
    assert write.refused == queue[1:]
    assert (write.counts.confirmed, write.counts.waiting) == (2, 0)


def test_without_a_limit_everyone_gets_a_seat():
    write = queue_write(Queue(record(capacity=None, confirmed=10), pending(5)))
    assert [status for status, *_ in outcomes(write)] == ["confirmed"] * 5
    assert write.counts.confirmed == 15


def test_a_group_stops_where_a_transaction_would_take_more_than_100_actions():
    placed = queue_write(Queue(record(capacity=None), pending(49)))
    assert len(placed.placed) == 49  # 49 × (delete, put) + the counters = 99 actions
    refused = queue_write(Queue(record(capacity=1, waitlist=False, confirmed=1), pending(49)))
    assert (len(refused.placed), len(refused.refused)) == (0, 33)  # 33 × (delete, put, marker) + 1 = 100
