"""Seats for newcomers: a registration is confirmed, waitlisted or refused and never overbooks,
and never takes a free seat while anyone waits for one (seats given up: `handover`).

A seat, or a number on the waiting list while nobody else is joining it, is one conditional
DynamoDB transaction (`Store.seat_transactions.insert`) from counts that may be stale (cached): a lost
placement brings the current counts back and is decided again from them at once. When others
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
from chalicelib.seats.handover import fill_free_seats
from chalicelib.seats.numbering import await_number, settle
from chalicelib.seats.seats_errors import Contended, EventFull, EventGone
from chalicelib.store import EventRecord, HourlyLimit, Join, Placement, Seat, Store, WaitlistPlace
from chalicelib.store.store_errors import AlreadyRegistered, Overtaken, StoreUnavailable

# Each lost placement means another registration committed; a registrant is decided again at
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


def _next_placement(record: EventRecord, fresh: bool) -> Placement | _HandOver | _NumberPending | None:
    """What to ask for given `record`'s counts; None: read the counts again first."""
    event, free = record.event, record.seats_free
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
    be read back), `Forgotten` when it was erased while it waited for its number, `Contended`
    when the budget ran out (nothing stored; or, when the table
    failed to take back a registration still pending, stored pending)."""
    fresh = False
    deadline = time.monotonic() + PLACE_BUDGET_SECONDS
    for _ in range(MAX_ATTEMPTS):
        if time.monotonic() > deadline:
            break
        try:
            placement = _next_placement(record, fresh)
        except EventFull:
            # Someone registered already is told so, not "full" (the second click of a double
            # click that took the last seat is told what the first one got).
            holder = _holder(store, registration)
            if holder is None:
                raise
            if _same_submission(holder, registration):
                return _answer(store, holder, deadline, registration.registered_at)
            raise AlreadyRegistered() from None
        if isinstance(placement, _HandOver):
            # Finish the hand-over `load-events` started (or was stopped in) before taking
            # anything: the first in line move up, then this registrant is decided afresh.
            fill_free_seats(store, record.event.event_id, registration.registered_at, attempts=1)
        elif isinstance(placement, _NumberPending):
            # Place those pending first, then this registrant is decided afresh: a seat if one
            # is left, else "full".
            settle(store, record.event.event_id, registration.registered_at)
        elif placement is not None:
            placed = _as_placed(registration, placement)
            try:
                sent = time.monotonic()
                store.seat_transactions.insert(placed, placement, expires_at=expires_at, limit=limit)
            except Overtaken as lost:
                if isinstance(placement, WaitlistPlace):
                    crowd.seen(record.event.event_id)  # lost the next number: others placement too
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
                if isinstance(placement, Seat):
                    return placed, dataclasses.replace(record, confirmed=record.confirmed + 1)
                if isinstance(placement, WaitlistPlace):
                    return placed, dataclasses.replace(
                        record, waitlisted=placement.position, waiting=record.waiting + 1
                    )
                # When others were pending already, someone earlier numbers this one with
                # them: it waits before it looks.
                behind = time.monotonic() - sent if record.pending else None
                stored, counts = _placed(store, placed, deadline, registration.registered_at, behind=behind)
                if record.pending or counts is None:
                    crowd.seen(record.event.event_id)  # others were pending, or numbered this one
                return stored, counts
        latest = store.event_rows.find(record.event.event_id, consistent=True)
        if latest is None:
            raise EventGone()
        record, fresh = latest, True
    raise Contended()


def _as_placed(registration: Registration, placement: Placement) -> Registration:
    """`registration` as `placement` stores it."""
    if isinstance(placement, WaitlistPlace):
        return dataclasses.replace(
            registration,
            status=Status.WAITLISTED,
            waitlist_position=placement.position,
            waitlist_place=placement.ahead + 1,
        )
    status = Status.CONFIRMED if isinstance(placement, Seat) else Status.PENDING
    return dataclasses.replace(registration, status=status, waitlist_position=None, waitlist_place=None)


def _placed(
    store: Store, joined: Registration, deadline: float, at: str, *, behind: float | None = None
) -> tuple[Registration, EventRecord | None]:
    """`joined` (pending) once it has its seat or number (`numbering.await_number`)."""
    stored, counts = await_number(store, joined, deadline, at, behind=behind)
    return _as_answer(stored), counts


def _answer(store: Store, stored: Registration, deadline: float, at: str) -> tuple[Registration, None]:
    """The answer about `stored`, the same submission stored moments ago: once it has its number."""
    if stored.status == Status.PENDING:
        stored, _ = _placed(store, stored, deadline, at)
    return _as_answer(stored), None


def _holder(store: Store, registration: Registration) -> Registration | None:
    """The registration holding `registration`'s address (it may be this very one: its write
    went through although the answer said otherwise), read consistently."""
    return store.registration_rows.holder_of_address(registration.event_id, registration.email)


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
