"""Numbering the registrations joining a full event's waiting list, in groups.

A crowd all wants the next number, and a number must be named in the write that stores it.
So a newcomer who would wait first joins unnumbered (`store.seats.insert(..., Join())`: a
write no rival can make fail), then the first of those pending numbers every one of them, in
order of arrival, in one transaction (`store.pending.number`). The others only read: they
find their row numbered. Whoever numbers gives free seats first (a seat given back while
they joined), then the next numbers and the exact places, from the counts read with the
queue; the transaction holds only if those counts are still current. Why this keeps every
invariant: docs/design.md, "A crowd on the waiting list".
"""

from __future__ import annotations

import dataclasses
import random
import time

from chalicelib.handover import Contended, fill_free_seats, seats_free
from chalicelib.records import Registration, Status
from chalicelib.store import ClaimLost, EventRecord, Queue, Store

# The first pending registration numbers the others. If it has not within this long (its
# request ended, or it is slow), whoever waits that long numbers them instead.
LEADER_GRACE_SECONDS = 1.0
# Before it looks for its number, a registrant waiting for someone else to number it sleeps
# about as long as its look for the first pending took (a busy table answers slowly, and the
# one numbering needs a read and a write meanwhile), within bounds. Measured on `make bench`'s
# crowd: three times as long, or up to 0.25 s, found every row numbered but served fewer.
WAIT_PER_LOOK = 1
MIN_WAIT_SECONDS = 0.005
MAX_WAIT_SECONDS = 0.1


class Erased(Exception):
    """The pending registration was erased (`forget`) before it got its number."""


def plan(queue: Queue) -> list[Registration] | None:
    """What each of `queue.pending` gets, first come first: the free seats, then the next
    numbers with their exact places. None when people wait while seats are free (those seats
    are theirs: hand them over first)."""
    record = queue.record
    free = seats_free(record)
    if free and record.waiting:
        return None
    seats = len(queue.pending) if free is None else min(free, len(queue.pending))
    placed = []
    for index, pending in enumerate(queue.pending):
        if index < seats:
            placed.append(dataclasses.replace(pending, status=Status.CONFIRMED))
        else:
            behind = index - seats + 1
            placed.append(
                dataclasses.replace(
                    pending,
                    status=Status.WAITLISTED,
                    waitlist_position=record.waitlisted + behind,
                    waitlist_place=record.waiting + behind,
                )
            )
    return placed


def counts_after(record: EventRecord, placed: list[Registration]) -> EventRecord:
    """The event's counts once `placed` (planned from `record`) are numbered."""
    seats = sum(1 for r in placed if r.status == Status.CONFIRMED)
    places = len(placed) - seats
    return dataclasses.replace(
        record,
        confirmed=record.confirmed + seats,
        waitlisted=record.waitlisted + places,
        waiting=record.waiting + places,
        pending=max(record.pending - len(placed), 0),
    )


def number_once(store: Store, queue: Queue, at: str) -> list[Registration]:
    """Number the pending registrations of `queue` (one transaction, or a hand-over of free
    seats to the waiting list first); returns them as stored, [] when nothing was numbered.

    Raises `ClaimLost` when someone else wrote first (look again)."""
    placed = plan(queue)
    if placed is None:
        fill_free_seats(store, queue.record.event.event_id, at, attempts=1)
        return []
    if placed:
        store.pending.number(placed, queue.record)
    return placed


def await_number(
    store: Store, joined: Registration, deadline: float, *, behind: float | None = None
) -> tuple[Registration, EventRecord | None]:
    """Wait until `joined` (stored pending) has its seat or number, numbering everyone pending
    when it is the first of them or the first has not for `LEADER_GRACE_SECONDS`; return it
    as stored, with the counts it left (None when someone else numbered it).

    `behind`: others were pending when it joined (so it is not the first), and its write took
    this long: it waits before it looks.

    Raises `Contended` at `deadline` (it stays stored: the next one numbers it, or the due
    function), `Erased` when it was erased meanwhile."""
    event_id, registration_id = joined.event_id, joined.registration_id
    since = time.monotonic()
    while time.monotonic() < deadline:
        if behind is not None:
            took, behind = behind, None
            wait = min(max(WAIT_PER_LOOK * took, MIN_WAIT_SECONDS), MAX_WAIT_SECONDS, deadline - time.monotonic())
            time.sleep(random.uniform(0.5 * wait, wait))  # noqa: S311 - jitter, not secrecy
            stored = _numbered(store, joined)
            if stored.status != Status.PENDING:
                return stored, None
        began = time.monotonic()
        first = store.pending.first(event_id)
        took = time.monotonic() - began
        if first is None or first > registration_id:
            return _numbered(store, joined), None  # not pending any more: rows leave in order
        if first == registration_id or time.monotonic() - since > LEADER_GRACE_SECONDS:
            queue = store.pending.look(event_id)
            if queue is None:
                raise Erased()  # the event is gone, and its registrations with it
            try:
                placed = number_once(store, queue, joined.registered_at)
            except ClaimLost:
                continue  # numbered, erased or released meanwhile: look again
            mine = next((p for p in placed if p.registration_id == registration_id), None)
            if mine is not None:
                return mine, counts_after(queue.record, placed)
            continue
        # Someone earlier numbers everyone pending (this one too, if it was there in time).
        behind = took
    raise Contended()


def settle(store: Store, event_id: str, at: str) -> int:
    """Number everyone pending in `event_id` (whose own requests ended before: the due
    function's sweep); returns how many were numbered."""
    numbered = 0
    for _ in range(100):
        queue = store.pending.look(event_id)
        if queue is None or not queue.pending:
            return numbered
        try:
            numbered += len(number_once(store, queue, at))
        except ClaimLost:
            continue
    raise Contended()


def _numbered(store: Store, joined: Registration) -> Registration:
    stored = store.registrations.get(joined.event_id, joined.registration_id)
    if stored is None:
        raise Erased()
    return stored
