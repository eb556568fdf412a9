"""Seats for newcomers: a registration is confirmed, waitlisted or refused and never overbooks,
and never takes a free seat while anyone waits for one (seats given up: `handover`).

Each attempt is one conditional DynamoDB transaction (`Store.insert_registration`).
The counts it starts from may be stale (cached); when a claim is lost the
event is read again, consistently, and the decision made afresh.

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

from chalicelib.events import Event
from chalicelib.handover import Contended, fill_free_seats, seats_free
from chalicelib.registration import Registration, registration_from_item
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
BASE_BACKOFF_SECONDS = 0.01  # about one DynamoDB transaction
MAX_BACKOFF_SECONDS = 0.5
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
    for attempt in range(MAX_ATTEMPTS):
        if time.monotonic() > deadline:
            break
        try:
            claim = _next_claim(record, fresh)
        except EventFull:
            # Someone registered already is told so, not "full" (the second click of a double
            # click that took the last seat is told what the first one got).
            holder = _holder(store, registration, record.event)
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
                status="confirmed" if isinstance(claim, Seat) else "waitlisted",
                waitlist_position=claim.position if isinstance(claim, WaitlistPlace) else None,
                waitlist_place=claim.ahead + 1 if isinstance(claim, WaitlistPlace) else None,
            )
            try:
                store.insert_registration(placed, claim, expires_at=expires_at, limit=limit)
                if isinstance(claim, Seat):
                    return placed, dataclasses.replace(record, confirmed=record.confirmed + 1)
                return placed, dataclasses.replace(record, waitlisted=claim.position, waiting=record.waiting + 1)
            except ClaimLost:
                # "Full jitter": contenders for the next place spread out instead of
                # colliding again, so a burst costs a few attempts each, not one per rival.
                backoff = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2**attempt)
                time.sleep(random.uniform(0, backoff))  # noqa: S311 - jitter, not secrecy
            except (AlreadyRegistered, StoreUnavailable):
                try:
                    holder = _holder(store, placed, record.event)
                except StoreUnavailable:
                    holder = None  # not knowing, the failure stands
                if holder is None or not (
                    holder.registration_id == placed.registration_id or _same_submission(holder, placed)
                ):
                    raise
                return _as_answer(holder), None
        latest = store.find_event(record.event.event_id, consistent=True)
        if latest is None:
            raise EventGone()
        record, fresh = latest, True
    raise Contended()


def _holder(store: Store, registration: Registration, event: Event) -> Registration | None:
    """The registration holding `registration`'s address (it may be this very one: its write
    went through although the answer said otherwise), read consistently."""
    item = store.holder_of_address(registration.event_id, registration.email)
    return registration_from_item(event, item) if item is not None else None


def _as_answer(stored: Registration) -> Registration:
    """A stored registration as the answer tells it: a place in line only while waiting."""
    if stored.status == "waitlisted":
        return stored
    return dataclasses.replace(stored, waitlist_position=None, waitlist_place=None)


def _same_submission(stored: Registration, new: Registration) -> bool:
    """What the person sent is the same (the address in any case), and close in time. Either
    may have arrived first: of two clicks at once, the one that started first can lose."""
    apart = datetime.fromisoformat(new.registered_at) - datetime.fromisoformat(stored.registered_at)
    return (
        abs(apart.total_seconds()) <= REPEAT_WINDOW_SECONDS
        and stored.email.lower() == new.email.lower()
        and (stored.given_name, stored.family_name, stored.details, stored.answers)
        == (new.given_name, new.family_name, new.details, new.answers)
    )
