"""Placing the registrations that joined an event's queue, in groups (W9).

Every newcomer stores its registration pending (W8: a write that touches no event row, so a
rush never refuses itself), then the first of those pending places every one of them, in order
of arrival, in one transaction on the event row (`store.pending_rows.number`); the others only
read: they find their row placed. What each gets is `decisions.queue_write`'s; the
transaction holds only if the counts it was planned from are still current. Why this keeps
every invariant, on DynamoDB as its documentation describes it: docs/design.md.
"""

from __future__ import annotations

import random
import time

from chalicelib.model.registration import Registration, Status
from chalicelib.seats.decisions import W6HandOver, W9Place, queue_write
from chalicelib.seats.handover import fill_free_seats
from chalicelib.seats.seats_errors import Contended, EventFull, Forgotten
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
# Groups lost to another write before `settle` gives up (groups numbered do not count).
MAX_LOST_GROUPS = 20


def number_once(store: Store, queue: Queue, at: str) -> W9Place | None:
    """Place the first registrations of `queue` (one W9, or a hand-over of free seats to the
    waiting list first, W6, stamped `at`); returns what was written, None when nothing was
    placed.

    Raises `Overtaken` when someone else wrote first (look again)."""
    write = queue_write(queue)
    if isinstance(write, W6HandOver):
        fill_free_seats(store, queue.record.event.event_id, at, attempts=1)
        return None
    if write is not None:
        store.pending_rows.number(write.placed, write.refused, queue.record, at)
    return write


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
                    raise Forgotten()  # the event row is gone: nothing can be placed
                written = number_once(store, queue, at)
                if written is not None:
                    if any(r.registration_id == registration_id for r in written.refused):
                        raise EventFull()
                    mine = next((p for p in written.placed if p.registration_id == registration_id), None)
                    if mine is not None:
                        return mine, written.counts
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
            written = number_once(store, queue, at)
            numbered += len(written.placed) + len(written.refused) if written else 0
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


def _read_back(store: Store, joined: Registration) -> Registration:
    """`joined` as stored now that it is not pending: placed, or refused (`EventFull`), or erased
    (`Forgotten`)."""
    stored = store.registration_rows.get(joined.event_id, joined.registration_id)
    if stored is not None:
        return stored
    if store.pending_rows.was_refused(joined.event_id, joined.registration_id):
        raise EventFull()
    raise Forgotten()
