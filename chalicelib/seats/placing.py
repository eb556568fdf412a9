"""Seats for newcomers: a registration is confirmed, waitlisted or refused, never overbooks, and
never takes a free seat while anyone waits for one (seats given up: `handover`).

Every newcomer joins the event's queue (W8: stored pending, a write that touches no event row,
so people registering at the same moment never refuse each other on DynamoDB), then waits
until the first of those pending has placed the queue in one transaction (W9, `numbering`), or
places it itself. What it asks for is `decisions.newcomer_write`'s; the counts it decides from
may be stale (cached): refusing anyone is decided again from a consistent read.

An outcome is checked before it is reported: when the write failed in a way that may
hide a commit (a timeout, a 500) or met an existing registration of the address, the
marker is read back. If it names this registration, it was stored after all; if it names
the same submission made minutes ago (a double click, a retry), that one is the answer.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from chalicelib.model.registration import ACTIVE, Registration, Status
from chalicelib.seats.decisions import ReadAgain, Refuse, newcomer_write
from chalicelib.seats.numbering import await_number
from chalicelib.seats.seats_errors import EventFull, EventGone
from chalicelib.store import EventRecord, HourlyLimit, Store
from chalicelib.store.budget import Budget
from chalicelib.store.store_errors import AlreadyRegistered, StoreUnavailable

# The same submission again within this time is answered as the first was (not "already
# registered"): a double click, or a page that sent again after its answer was lost.
REPEAT_WINDOW_SECONDS = 600


def place(
    store: Store,
    registration: Registration,
    record: EventRecord,
    *,
    expires_at: int,
    limit: HourlyLimit | None = None,
) -> tuple[Registration, EventRecord | None]:
    """Store `registration` as confirmed or waitlisted; return it with its final status,
    and the event's counts as its placing left them (the next guess; None when unknown).
    However many rivals there are, it answers within the store's budget (`Store.within`).

    Returns the registration as stored, not `registration`, when the same submission was
    stored minutes ago. Raises `AlreadyRegistered` for another one of the same address (also
    when the event is full), `EventFull` when it is full without a waiting list (nothing
    stored), `EventGone` when the event vanished, `StoreUnavailable` only when nothing was
    stored (or that cannot be read back), `Forgotten` when it was erased while it waited to be
    placed, `Contended` when the budget ran out (nothing stored; or, when the table failed to
    take back a registration still pending, stored pending)."""
    budget = store.table.budget()
    write = newcomer_write(record, fresh=False)
    if isinstance(write, ReadAgain):
        latest = store.event_rows.find(record.event.event_id, consistent=True)
        if latest is None:
            raise EventGone()
        write = newcomer_write(latest, fresh=True)
    if isinstance(write, Refuse):
        # Someone registered already is told so, not "full" (the second click of a double
        # click that took the last seat is told what the first one got).
        holder = _holder(store, registration)
        if holder is None:
            raise EventFull()
        if _same_submission(holder, registration):
            return _answer(store, holder, budget, registration.registered_at)
        raise AlreadyRegistered()
    joined = dataclasses.replace(registration, status=Status.PENDING, waitlist_position=None, waitlist_place=None)
    try:
        store.seat_transactions.join(joined, expires_at=expires_at, limit=limit)
    except (AlreadyRegistered, StoreUnavailable) as failure:
        try:
            holder = _holder(store, joined)
        except StoreUnavailable as unread:
            # Whose the address is cannot be known: "already registered" could be untrue (it
            # may be this same submission, sent again). Unavailable is true either way, and
            # the same submission sent again gets its answer.
            raise unread from failure
        if holder is None:
            raise  # nothing stored by anyone: the failure stands
        if holder.registration_id == joined.registration_id or _same_submission(holder, joined):
            return _answer(store, holder, budget, registration.registered_at)
        # The address's marker names another submission, so this write did not commit (its
        # marker is new or nothing): whatever failed, the true answer is "already registered".
        raise AlreadyRegistered() from None
    return _placed(store, joined, budget, registration.registered_at)


def _placed(store: Store, joined: Registration, budget: Budget, at: str) -> tuple[Registration, EventRecord | None]:
    """`joined` (pending) once it has its seat or number (`numbering.await_number`)."""
    stored, counts = await_number(store, joined, budget, at)
    return _as_answer(stored), counts


def _answer(store: Store, stored: Registration, budget: Budget, at: str) -> tuple[Registration, None]:
    """The answer about `stored`, the same submission stored moments ago: once it has its number."""
    if stored.status == Status.PENDING:
        stored, _ = _placed(store, stored, budget, at)
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
