"""Seats: a registration is confirmed, waitlisted or refused and never overbooks; a seat that
is given up goes to the first on the waiting list.

Each attempt is one conditional DynamoDB transaction (`Store.insert_registration`).
The counts it starts from may be stale (cached); when a claim is lost the
event is read again, consistently, and the decision made afresh.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.registration import Registration
from chalicelib.store import ClaimLost, EventRecord, HourlyLimit, Seat, Store, WaitlistPlace

# Enough for every one of 60 simultaneous registrants to get a waiting-list
# place: each round of contention hands out at least one place.
MAX_ATTEMPTS = 80
# However many rivals there are, a registrant gets an answer (503 at worst) well inside the
# function's 25 s: contention is given this long, AWS calls their own timeouts on top.
PLACE_BUDGET_SECONDS = 15.0
MAX_RELEASE_ATTEMPTS = 10
BASE_BACKOFF_SECONDS = 0.01  # about one DynamoDB transaction
MAX_BACKOFF_SECONDS = 0.5


class EventFull(Exception):
    """No seat left and no waiting list."""


class EventGone(Exception):
    """The event was removed while registering."""


class Contended(Exception):
    """Too many rounds of contention; the caller answers 503."""


def _next_claim(record: EventRecord, fresh: bool) -> Seat | WaitlistPlace | None:
    """What to ask for given `record`'s counts; None: read the counts again first."""
    event = record.event
    if event.capacity is None or (record.confirmed < event.capacity and record.waiting == 0):
        return Seat()
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
) -> tuple[Registration, EventRecord]:
    """Store `registration` as confirmed or waitlisted; return it with its final status,
    and the event's counts as this write left them (the next guess)."""
    fresh = False
    deadline = time.monotonic() + PLACE_BUDGET_SECONDS
    for attempt in range(MAX_ATTEMPTS):
        if time.monotonic() > deadline:
            break
        claim = _next_claim(record, fresh)
        if claim is not None:
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
        latest = store.find_event(record.event.event_id, consistent=True)
        if latest is None:
            raise EventGone()
        record, fresh = latest, True
    raise Contended()


@dataclass(frozen=True)
class Released:
    registration: dict[str, Any]  # as it was when released
    promoted: dict[str, Any] | None  # the waitlisted registration that got its seat


def release(
    store: Store,
    registration: dict[str, Any],
    write: Callable[[dict[str, Any], dict[str, Any] | None], None],
    *,
    states: tuple[str, ...],
) -> Released | None:
    """Run `write(registration, first_waitlisted)` (one transaction that frees the seat or
    hands it over) until it holds; None when the registration left `states` meanwhile."""
    for _ in range(MAX_RELEASE_ATTEMPTS):
        promote = store.first_waitlisted(registration["event_id"]) if registration["status"] == "confirmed" else None
        try:
            write(registration, promote)
            return Released(registration, promote)
        except ClaimLost:
            # Someone else changed this one, or took the promotion: look again.
            current = store.get_registration(registration["event_id"], registration["registration_id"])
            if current is None or current["status"] not in states:
                return None
            registration = current
    raise Contended()


def fill_free_seats(store: Store, event_id: str, at: str) -> list[str]:
    """Move people up from the waiting list while seats are free (after capacity was raised).
    Returns the registration ids that got a seat, first in line first."""
    promoted: list[str] = []
    for _ in range(MAX_ATTEMPTS):
        record = store.find_event(event_id, consistent=True)
        if record is None or record.waiting == 0:
            return promoted
        if record.event.capacity is not None and record.confirmed >= record.event.capacity:
            return promoted
        first = store.first_waitlisted(event_id)
        if first is None:
            return promoted
        try:
            store.promote(first, at)
            promoted.append(first["registration_id"])
        except ClaimLost:
            continue  # someone else moved or took the seat: look again
    return promoted
