"""Seats for newcomers: a registration is confirmed, waitlisted or refused and never overbooks,
and never takes a free seat while anyone waits for one (seats given up: `handover`).

A seat, or a number on the waiting list while nobody else is joining it, is one conditional
DynamoDB transaction (`Store.seats.insert`) from counts that may be stale (cached): a lost
claim brings the current counts back and is decided again from them at once. When others
are joining the list too (a lost number, or someone pending), the registrant joins without a
number and is numbered with them in a group (`numbering`): a crowd no longer collides over
the next number (docs/design.md, "A crowd on the waiting list").

An outcome is checked before it is reported: when the write failed in a way that may
hide a commit (a timeout, a 500) or met an existing registration of the address, the
marker is read back. If it names this registration, it was stored after all; if it names
the same submission made minutes ago (a double click, a retry), that one is the answer.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime

from chalicelib.model.registration import ACTIVE, Registration, Status
from chalicelib.seats.handover import Contended, fill_free_seats, seats_free
from chalicelib.seats.numbering import Forgotten, await_number, settle
from chalicelib.store import (
    AlreadyRegistered,
    ClaimLost,
    EventRecord,
    HourlyLimit,
    Join,
    Seat,
    Store,
    StoreUnavailable,
    WaitlistPlace,
)

__all__ = ["Contended", "EventFull", "EventGone", "place"]

# Each lost claim means another registration committed; a registrant is decided again at
# most this often (a crowd joins the list in groups instead).
MAX_ATTEMPTS = 80
# However many rivals there are, a registrant gets an answer (503 at worst) well inside the
# function's 25 s: contention is given this long, AWS calls their own timeouts on top.
PLACE_BUDGET_SECONDS = 15.0
# Once others joined the list alongside a registrant of this instance, its next ones join in
# groups at once for this long instead of first trying for the next number alone (which a
# crowd makes them lose: a wasted write each).
CROWD_MEMORY_SECONDS = 2.0
MAX_CROWDS_REMEMBERED = 64
# The same submission again within this time is answered as the first was (not "already
# registered"): a double click, or a page that sent again after its answer was lost.
REPEAT_WINDOW_SECONDS = 600


class EventFull(Exception):
    """No seat left and no waiting list."""


class EventGone(Exception):
    """The event was removed while registering."""


class _HandOver:
    """Seats are free while people wait (capacity was just raised): they are theirs."""


class _NumberPending:
    """Seats are free while people are pending on an event whose waiting list was switched off
    after they joined: the seats are theirs first, and a newcomer must not join them (whoever
    numbers the group would put it on a list the event no longer has)."""


class Crowd:
    """Until when this instance takes each event's newcomers to be in a crowd: it saw others
    joining the event's waiting list beside its registrant."""

    def __init__(self) -> None:
        self.until: dict[str, float] = {}

    def seen(self, event_id: str) -> None:
        self.until[event_id] = time.monotonic() + CROWD_MEMORY_SECONDS
        if len(self.until) > MAX_CROWDS_REMEMBERED:  # bounds memory; the oldest go first
            del self.until[next(iter(self.until))]

    def now(self, event_id: str) -> bool:
        return time.monotonic() < self.until.get(event_id, 0.0)


crowd = Crowd()


def _next_claim(record: EventRecord, fresh: bool) -> Seat | WaitlistPlace | Join | _HandOver | _NumberPending | None:
    """What to ask for given `record`'s counts; None: read the counts again first."""
    event, free = record.event, seats_free(record)
    if free != 0 and record.waiting == 0 and record.pending == 0:
        return Seat()
    if free != 0 and record.waiting:
        return _HandOver() if fresh else None  # a cached count may be out of date: look first
    if free != 0 and record.pending and not event.waitlist:
        return _NumberPending() if fresh else None  # decided once they are placed
    if event.waitlist and (record.pending or crowd.now(event.event_id)):
        # Others are being placed (whoever numbers them gives out any free seat, first come
        # first), or were a moment ago: join them rather than try for the next number alone.
        return Join()
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
    be read back), `Contended` when the budget ran out (nothing stored; or, when the table
    failed to take back a registration still pending, stored pending)."""
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
                return _answer(store, holder, deadline, registration.registered_at)
            raise AlreadyRegistered() from None
        if isinstance(claim, _HandOver):
            # Finish the hand-over `load-events` started (or was stopped in) before taking
            # anything: the first in line move up, then this registrant is decided afresh.
            fill_free_seats(store, record.event.event_id, registration.registered_at, attempts=1)
        elif isinstance(claim, _NumberPending):
            # Place those pending first, then this registrant is decided afresh: a seat if one
            # is left, else "full".
            settle(store, record.event.event_id, registration.registered_at)
        elif claim is not None:
            placed = _as_claimed(registration, claim)
            try:
                sent = time.monotonic()
                store.seats.insert(placed, claim, expires_at=expires_at, limit=limit)
            except ClaimLost as lost:
                if isinstance(claim, WaitlistPlace):
                    crowd.seen(record.event.event_id)  # lost the next number: others claim too
                if lost.current is not None:
                    # The counts that beat it came back with the refusal: no read needed.
                    record, fresh = lost.current, True
                    continue
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
                return _answer(store, holder, deadline, registration.registered_at)
            else:
                if isinstance(claim, Seat):
                    return placed, dataclasses.replace(record, confirmed=record.confirmed + 1)
                if isinstance(claim, WaitlistPlace):
                    return placed, dataclasses.replace(record, waitlisted=claim.position, waiting=record.waiting + 1)
                # When others were pending already, someone earlier numbers this one with
                # them: it waits before it looks.
                behind = time.monotonic() - sent if record.pending else None
                stored, counts = _placed(store, placed, deadline, registration.registered_at, behind=behind)
                if record.pending or counts is None:
                    crowd.seen(record.event.event_id)  # others were pending, or numbered this one
                return stored, counts
        latest = store.events.find(record.event.event_id, consistent=True)
        if latest is None:
            raise EventGone()
        record, fresh = latest, True
    raise Contended()


def _as_claimed(registration: Registration, claim: Seat | WaitlistPlace | Join) -> Registration:
    """`registration` as `claim` stores it."""
    if isinstance(claim, WaitlistPlace):
        return dataclasses.replace(
            registration, status=Status.WAITLISTED, waitlist_position=claim.position, waitlist_place=claim.ahead + 1
        )
    status = Status.CONFIRMED if isinstance(claim, Seat) else Status.PENDING
    return dataclasses.replace(registration, status=status, waitlist_position=None, waitlist_place=None)


def _placed(
    store: Store, joined: Registration, deadline: float, at: str, *, behind: float | None = None
) -> tuple[Registration, EventRecord | None]:
    """`joined` (pending) once it has its seat or number (`numbering.await_number`)."""
    try:
        stored, counts = await_number(store, joined, deadline, at, behind=behind)
    except Forgotten:
        raise StoreUnavailable("erased while joining") from None
    return _as_answer(stored), counts


def _answer(store: Store, stored: Registration, deadline: float, at: str) -> tuple[Registration, None]:
    """The answer about `stored`, the same submission stored moments ago: once it has its number."""
    if stored.status == Status.PENDING:
        stored, _ = _placed(store, stored, deadline, at)
    return _as_answer(stored), None


def _holder(store: Store, registration: Registration) -> Registration | None:
    """The registration holding `registration`'s address (it may be this very one: its write
    went through although the answer said otherwise), read consistently."""
    return store.registrations.holder_of_address(registration.event_id, registration.email)


def _as_answer(stored: Registration) -> Registration:
    """A stored registration as the answer tells it: a place in line only while waiting.

    One numbered by someone else and cancelled (by an admin) before this request read it is
    told what it was given; the cancellation reaches the person by mail."""
    if stored.status not in ACTIVE:
        given = Status.WAITLISTED if stored.waitlist_position and not stored.promoted_at else Status.CONFIRMED
        stored = dataclasses.replace(stored, status=given)
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
