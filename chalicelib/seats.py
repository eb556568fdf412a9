"""Seats for newcomers: a registration is confirmed, waitlisted or refused and never overbooks,
and never takes a free seat while anyone waits for one (seats given up: `handover`).

Each attempt is one conditional DynamoDB transaction (`Store.insert_registration`).
The counts it starts from may be stale (cached). A lost claim brings the event's current
counts back with the cancellation: after a cached guess it is decided afresh from them at
once; after a guess from current counts (a crowd is claiming the same places) it waits a
jittered while, reads the event consistently and decides afresh (docs/design.md, "A crowd
on the waiting list").

An outcome is checked before it is reported: when the write failed in a way that may
hide a commit (a timeout, a 500) or met an existing registration of the address, the
marker is read back. If it names this registration, it was stored after all; if it names
the same submission made minutes ago (a double click, a retry), that one is the answer.
"""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import datetime

from chalicelib.handover import Contended, fill_free_seats, seats_free
from chalicelib.records import Registration, Status
from chalicelib.store import (
    AlreadyRegistered,
    ClaimLost,
    EventRecord,
    HourlyLimit,
    Seat,
    Store,
    StoreUnavailable,
    WaitlistPlace,
)

__all__ = ["Contended", "EventFull", "EventGone", "place"]

# Enough for every one of 60 simultaneous registrants to get a waiting-list
# place: each round of contention hands out at least one place.
MAX_ATTEMPTS = 80
# However many rivals there are, a registrant gets an answer (503 at worst) well inside the
# function's 25 s: contention is given this long, AWS calls their own timeouts on top.
PLACE_BUDGET_SECONDS = 15.0
# A claim lost on current counts (others took the place within one round trip: a crowd)
# waits a uniform time in a window before it reads and tries again: at least the base
# window, so that a crowd of dozens comes back spread out instead of together, and the
# longer the lost write took, the wider (a store crowded by hundreds answers slowly: calls
# queue, or conflicts are retried inside the transaction). The window does not grow with
# each loss: an exponential backoff sent the newest back at once and left the longest waiting
# seconds behind them. Measured in docs/design.md, "A crowd on the waiting list".
CROWD_WINDOW_SECONDS = 1.0
CROWD_WINDOW_PER_SECOND_TAKEN = 20
MAX_CROWD_WINDOW_SECONDS = 5.0
# The same submission again within this time is answered as the first was (not "already
# registered"): a double click, or a page that sent again after its answer was lost.
REPEAT_WINDOW_SECONDS = 600


class EventFull(Exception):
    """No seat left and no waiting list."""


class EventGone(Exception):
    """The event was removed while registering."""


class _HandOver:
    """Seats are free while people wait (capacity was just raised): they are theirs."""


def _next_claim(record: EventRecord, fresh: bool) -> Seat | WaitlistPlace | _HandOver | None:
    """What to ask for given `record`'s counts; None: read the counts again first."""
    event, free = record.event, seats_free(record)
    if free != 0 and record.waiting == 0:
        return Seat()
    if free != 0:
        return _HandOver() if fresh else None  # a cached count may be out of date: look first
    if event.waitlist:
        return WaitlistPlace(record.waitlisted + 1, ahead=record.waiting)
    if fresh:
        raise EventFull()
    return None  # a cached "full" is checked against the table before refusing anyone


def place(
    store: Store,
    registration: Registration,
    record: EventRecord,
    *,
    expires_at: int,
    limit: HourlyLimit | None = None,
) -> tuple[Registration, EventRecord | None]:
    """Store `registration` as confirmed or waitlisted; return it with its final status,
    and the event's counts as this write left them (the next guess; None when unknown).

    Returns the registration as stored, not `registration`, when the same submission was
    stored minutes ago. Raises `AlreadyRegistered` for another one of the same address (also
    when the event is full), `StoreUnavailable` only when nothing was stored (or that cannot
    be read back)."""
    fresh = False
    deadline = time.monotonic() + PLACE_BUDGET_SECONDS
    for _ in range(MAX_ATTEMPTS):
        if time.monotonic() > deadline:
            break
        try:
            claim = _next_claim(record, fresh)
        except EventFull:
            # Someone registered already is told so, not "full" (the second click of a double
            # click that took the last seat is told what the first one got).
            holder = _holder(store, registration)
            if holder is None:
                raise
            if _same_submission(holder, registration):
                return _as_answer(holder), None
            raise AlreadyRegistered() from None
        if isinstance(claim, _HandOver):
            # Finish the hand-over `load-events` started (or was stopped in) before taking
            # anything: the first in line move up, then this registrant is decided afresh.
            fill_free_seats(store, record.event.event_id, registration.registered_at, attempts=1)
        elif claim is not None:
            placed = dataclasses.replace(
                registration,
                status=Status.CONFIRMED if isinstance(claim, Seat) else Status.WAITLISTED,
                waitlist_position=claim.position if isinstance(claim, WaitlistPlace) else None,
                waitlist_place=claim.ahead + 1 if isinstance(claim, WaitlistPlace) else None,
            )
            try:
                sent = time.monotonic()
                store.seats.insert(placed, claim, expires_at=expires_at, limit=limit)
                if isinstance(claim, Seat):
                    return placed, dataclasses.replace(record, confirmed=record.confirmed + 1)
                return placed, dataclasses.replace(record, waitlisted=claim.position, waiting=record.waiting + 1)
            except ClaimLost as lost:
                if lost.current is not None and not fresh:
                    # The guess was cached, so losing says only that the cache was behind;
                    # the counts that beat it came back with the refusal: no read needed.
                    record, fresh = lost.current, True
                    continue
                if lost.current is not None:
                    # Lost on current counts: others claimed the same place within one round
                    # trip. Step aside for a while, then look again.
                    _step_aside(time.monotonic() - sent, deadline)
                # (Nothing came back: the event row is gone, which the read below tells.)
            except (AlreadyRegistered, StoreUnavailable):
                try:
                    holder = _holder(store, placed)
                except StoreUnavailable:
                    holder = None  # not knowing, the failure stands
                if holder is None or not (
                    holder.registration_id == placed.registration_id or _same_submission(holder, placed)
                ):
                    raise
                return _as_answer(holder), None
        latest = store.events.find(record.event.event_id, consistent=True)
        if latest is None:
            raise EventGone()
        record, fresh = latest, True
    raise Contended()


def _step_aside(took: float, deadline: float) -> None:
    """Wait a uniform time in the crowd's window, after a lost write that took `took` seconds;
    never past `deadline`."""
    window = max(CROWD_WINDOW_SECONDS, CROWD_WINDOW_PER_SECOND_TAKEN * took)
    window = min(window, MAX_CROWD_WINDOW_SECONDS, max(0.0, deadline - time.monotonic()))
    time.sleep(random.uniform(0, window))  # noqa: S311 - jitter, not secrecy


def _holder(store: Store, registration: Registration) -> Registration | None:
    """The registration holding `registration`'s address (it may be this very one: its write
    went through although the answer said otherwise), read consistently."""
    return store.registrations.holder_of_address(registration.event_id, registration.email)


def _as_answer(stored: Registration) -> Registration:
    """A stored registration as the answer tells it: a place in line only while waiting."""
    if stored.status == Status.WAITLISTED:
        return stored
    return dataclasses.replace(stored, waitlist_position=None, waitlist_place=None)


def _same_submission(earlier: Registration, later: Registration) -> bool:
    """What the person sent is the same (the address in any case), and not long ago.

    Either may carry the earlier time stamp: of two clicks racing through two instances, the
    one stamped later can be the one stored first."""
    apart = datetime.fromisoformat(later.registered_at) - datetime.fromisoformat(earlier.registered_at)
    return (
        abs(apart.total_seconds()) <= REPEAT_WINDOW_SECONDS
        and earlier.email.lower() == later.email.lower()
        and (earlier.given_name, earlier.family_name, earlier.details, earlier.answers)
        == (later.given_name, later.family_name, later.details, later.answers)
    )
