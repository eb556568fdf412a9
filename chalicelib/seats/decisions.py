"""The seat decisions, pure: from the counts (and the queue) read to the next write, named by the
writes of docs/design.md (W6, W8, W9). No I/O, so every rule is tested in milliseconds; the
conditions of each write, not these reads, keep the invariants (a stale read only makes the
write fail, and the decision is made again from a fresh read).

A newcomer never takes a seat or a number alone: it joins the event's queue (W8, a write no
rival can refuse), and whoever places the queue gives its first registrations, in order of
arrival, the free seats, then the next numbers, or refuses them when the event is full and
has no waiting list (W9, one transaction on the event row per group).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from chalicelib.model.registration import Registration, Status
from chalicelib.store import EventRecord, Queue
from chalicelib.store.pending_rows import MAX_ACTIONS

# A group's rows are written twice (deleted, put) in one transaction, which DynamoDB caps at
# 4 MB: a group stops short of half that (a registration is at most a few dozen KB).
MAX_GROUP_BYTES = 1_500_000
# Actions per registration in W9: placed (delete the pending row, put its row); refused
# (delete the pending row, put the refusal, release the marker). The counters are one more.
PLACED_ACTIONS, REFUSED_ACTIONS = 2, 3


@dataclass(frozen=True)
class W8Join:
    """Store the registration pending: the next W9 places it."""


@dataclass(frozen=True)
class Refuse:
    """Full, no waiting list, read consistently: nothing to write, the answer is `event_full`."""


@dataclass(frozen=True)
class ReadAgain:
    """A cached count says full: read the event row consistently before refusing anyone."""


@dataclass(frozen=True)
class W6HandOver:
    """Seats are free while people wait (capacity raised): move the first in line up first."""


@dataclass(frozen=True)
class W9Place:
    """Place the first of the queue: `placed` with their seat or number and place, `refused`
    (full, no waiting list) in order of arrival; `counts` are the event's once it commits."""

    placed: list[Registration]
    refused: list[Registration]
    counts: EventRecord


def newcomer_write(record: EventRecord, *, fresh: bool) -> W8Join | Refuse | ReadAgain:
    """What a newcomer does, given the event's counts (`fresh`: read consistently just now)."""
    if record.seats_free == 0 and not record.event.waitlist:
        # Full for good unless someone cancels: join nobody, write nothing.
        return Refuse() if fresh else ReadAgain()
    return W8Join()


def queue_write(queue: Queue) -> W6HandOver | W9Place | None:
    """What whoever places the queue writes next; None when nobody is pending.

    Free seats go first come first, but only while nobody waits (they are owed them: W6
    first); then the next numbers with their exact places, or, without a waiting list, a
    refusal. The group stops where DynamoDB's 100 actions or 4 MB would be exceeded."""
    record = queue.record
    if not queue.pending:
        return None
    free = record.seats_free  # None: no limit
    if free != 0 and record.waiting:
        return W6HandOver()
    placed: list[Registration] = []
    refused: list[Registration] = []
    actions, size, seats = 1, 0, 0
    for pending in queue.pending:
        takes_seat = free is None or seats < free
        cost = PLACED_ACTIONS if takes_seat or record.event.waitlist else REFUSED_ACTIONS
        size += len(json.dumps(pending.as_stored()))
        if actions + cost > MAX_ACTIONS or (size > MAX_GROUP_BYTES and (placed or refused)):
            break
        actions += cost
        if takes_seat:
            seats += 1
            placed.append(dataclasses.replace(pending, status=Status.CONFIRMED))
        elif record.event.waitlist:
            behind = len(placed) - seats + 1
            placed.append(
                dataclasses.replace(
                    pending,
                    status=Status.WAITLISTED,
                    waitlist_position=record.waitlisted + behind,
                    waitlist_place=record.waiting + behind,
                )
            )
        else:
            refused.append(pending)
    places = len(placed) - seats
    counts = dataclasses.replace(
        record,
        confirmed=record.confirmed + seats,
        waitlisted=record.waitlisted + places,
        waiting=record.waiting + places,
    )
    return W9Place(placed, refused, counts)
