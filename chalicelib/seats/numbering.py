"""Numbering the registrations joining a full event's waiting list, in groups.

A crowd all wants the next number, and a number must be named in the write that stores it.
So a newcomer who would wait first joins unnumbered (`store.seat_transactions.insert(..., Join())`: a
write no rival can make fail), then the first of those pending numbers every one of them, in
order of arrival, in one transaction (`store.pending_rows.number`). The others only read: they
find their row numbered. Whoever numbers gives free seats first (a seat given back while
they joined), then the next numbers and the exact places, from the counts read with the
queue; the transaction holds only if those counts are still current. Why this keeps every
invariant: docs/design.md, "A crowd on the waiting list".
"""

from __future__ import annotations

import dataclasses
import json
import random
import time

from chalicelib.model.registration import Registration, Status
from chalicelib.seats.handover import fill_free_seats
from chalicelib.seats.seats_errors import Contended, Forgotten
from chalicelib.store import EventRecord, Queue, Store
from chalicelib.store.store_errors import Overtaken, StoreUnavailable

# The first pending registration numbers the others. If it has not within this long (its
# request ended, or it is slow), whoever waits that long numbers them instead.
LEADER_GRACE_SECONDS = 1.0
# Before it looks for its number, a registrant waiting for someone else to number it sleeps
# up to as long as its last call to the table took (a busy table answers slowly, and the one
# numbering needs a read and a write meanwhile), within bounds: longer waits found every row
# numbered but served fewer (docs/development.md, "Measured figures").
MIN_WAIT_SECONDS = 0.005
MAX_WAIT_SECONDS = 0.1
# A group's rows are written twice (deleted, put) in one transaction, which DynamoDB caps at
# 4 MB: a group stops short of half that (a registration is at most a few dozen KB).
MAX_GROUP_BYTES = 1_500_000
# Groups lost to another write before `settle` gives up (groups numbered do not count).
MAX_LOST_GROUPS = 20


def plan(queue: Queue) -> list[Registration] | None:
    """What each of `queue.pending` gets, first come first: the free seats, then the next
    numbers with their exact places. None when people wait while seats are free (those seats
    are theirs: hand them over first)."""
    record = queue.record
    free = record.seats_free
    if free != 0 and record.waiting:  # `free` is None without a limit: free seats too
        return None
    group = _fitting(queue.pending)
    seats = len(group) if free is None else min(free, len(group))
    placed = []
    for index, pending in enumerate(group):
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
    seats to the waiting list first, stamped `at`); returns them as stored, [] when nothing
    was numbered.

    Raises `Overtaken` when someone else wrote first (look again)."""
    placed = plan(queue)
    if placed is None:
        fill_free_seats(store, queue.record.event.event_id, at, attempts=1)
        return []
    if placed:
        store.pending_rows.number(placed, queue.record)
    return placed


def await_number(
    store: Store, joined: Registration, deadline: float, at: str, *, behind: float | None = None
) -> tuple[Registration, EventRecord | None]:
    """Wait until `joined` (stored pending) has its seat or number, numbering everyone pending
    when it is the first of them or the first has not for `LEADER_GRACE_SECONDS`; return it
    as stored, with the counts it left (None when someone else numbered it). `at` is now.

    `behind`: others were pending when it joined (so it is not the first), and its write took
    this long: it waits before it looks.

    At `deadline` it is taken back (W10), so that the `503` that follows is true ("not
    stored"); numbered meanwhile, it is returned. Raises `Contended` then, and `Forgotten`
    when it was erased meanwhile."""
    event_id, registration_id = joined.event_id, joined.registration_id
    since = time.monotonic()
    while time.monotonic() < deadline:
        try:
            if behind is not None:
                _sleep_about(store, behind, deadline)
                behind = None
                # Only its registration row: one read, and the rest of the loop tells the others.
                stored = store.registration_rows.get(event_id, registration_id, pending=False)
                if stored is not None:
                    return stored, None
            began = time.monotonic()
            first = store.pending_rows.first(event_id)
            behind = time.monotonic() - began
            if first is None or first > registration_id:
                # `first` is the lowest id pending: this one is not pending any more.
                return _read_back(store, joined), None
            if first == registration_id or time.monotonic() - since > LEADER_GRACE_SECONDS:
                queue = store.pending_rows.look(event_id)
                if queue is None:
                    raise Forgotten()  # the event row is gone: nothing can be numbered
                placed = number_once(store, queue, at)
                mine = next((p for p in placed if p.registration_id == registration_id), None)
                if mine is not None:
                    return mine, counts_after(queue.record, placed)
        except (Overtaken, StoreUnavailable):
            # Numbered, erased or released meanwhile, or the table failed for a moment: it is
            # stored, so look again (after a while) until the deadline.
            behind = behind or MIN_WAIT_SECONDS
    return _withdraw(store, joined, at)


def settle(store: Store, event_id: str, at: str) -> int:
    """Number everyone pending in `event_id` (those whose own requests ended first: the due
    function's sweep, or an admin cancelling one of them); returns how many were numbered."""
    numbered, lost = 0, 0
    while True:
        queue = store.pending_rows.look(event_id)
        if queue is None or not queue.pending:
            return numbered
        try:
            numbered += len(number_once(store, queue, at))
        except Overtaken:
            lost += 1
            if lost >= MAX_LOST_GROUPS:
                raise Contended() from None


def _withdraw(store: Store, joined: Registration, at: str) -> tuple[Registration, EventRecord | None]:
    """Take back `joined`, still pending when its budget ran out; or return it, numbered after all.

    Raises `Contended` once it is taken back, or when that failed too (it then stays pending:
    the next registrant or the due function numbers it, the one case where a `503` may leave a
    registration stored)."""
    try:
        store.seat_transactions.erase(joined, None, at)
    except Overtaken:
        stored = _read_back(store, joined)  # it is not pending any more
        if stored.status != Status.PENDING:
            return stored, None
    except StoreUnavailable:
        pass
    raise Contended()


def _sleep_about(store: Store, took: float, deadline: float) -> None:
    """Sleep up to `took` (within the bounds), jittered, never past `deadline`."""
    wait = min(max(took, MIN_WAIT_SECONDS), MAX_WAIT_SECONDS)
    store.table.sleep(max(0.0, min(random.uniform(0.5 * wait, wait), deadline - time.monotonic())))  # noqa: S311


def _fitting(pending: list[Registration]) -> list[Registration]:
    """The first of `pending` whose rows fit in one transaction."""
    total = 0
    for count, registration in enumerate(pending):
        total += len(json.dumps(registration.as_stored()))
        if total > MAX_GROUP_BYTES:
            return pending[: max(count, 1)]
    return pending


def _read_back(store: Store, joined: Registration) -> Registration:
    stored = store.registration_rows.get(joined.event_id, joined.registration_id)
    if stored is None:
        raise Forgotten()
    return stored
