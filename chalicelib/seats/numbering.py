"""Placing the registrations that joined an event's queue, in groups (W9).

Every newcomer stores its registration pending (W8: a write that touches no event row, so a
rush never refuses itself), then the first of those pending places every one of them, in order
of arrival, in one transaction on the event row (`store.pending_rows.number`); the others only
read: they find their row placed. What each gets is `decisions.queue_write`'s; the
transaction holds only if the counts it was planned from are still current. Why this keeps
every invariant, on DynamoDB as its documentation describes it: docs/design.md.
"""

from __future__ import annotations

from chalicelib.model.registration import Registration, Status
from chalicelib.seats.decisions import W6HandOver, W9Place, queue_write
from chalicelib.seats.handover import fill_free_seats
from chalicelib.seats.seats_errors import Contended, EventFull, Forgotten
from chalicelib.store import EventRecord, Queue, Store
from chalicelib.store.budget import Budget
from chalicelib.store.store_errors import Overtaken, StoreUnavailable

# The first pending registration places the others. If the queue's head has not moved for this
# long (its request ended), whoever waits that long places them instead. Long enough that a
# live first one, slowed by a busy table, is not overtaken: two placing at once refuse each
# other on the event row.
LEADER_GRACE_SECONDS = 3.0


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
    store: Store, joined: Registration, budget: Budget, at: str
) -> tuple[Registration, EventRecord | None]:
    """Wait until `joined` (stored pending) has its seat or number, placing everyone pending
    when it is the first of them, or when the queue has not moved for `LEADER_GRACE_SECONDS`
    (the first one's request ended); return it as stored, with the counts it left (None when
    someone else placed it). `at` is now. It looks again after the budget's wait (a group is
    placed in one write, so looking often only loads the table).

    When the budget leaves time only for that, it is taken back (W10), so that the `503` that
    follows is true ("not stored"); numbered meanwhile, it is returned. Raises `Contended`
    then, and `Forgotten` when it was erased meanwhile."""
    event_id, registration_id = joined.event_id, joined.registration_id
    # The queue's head as last seen, and since when: while groups are placed it moves, and
    # nobody but the first places anything (in a rush, everyone placing at once would only
    # make their transactions refuse each other).
    head, since = registration_id, budget.clock()
    # Each round may be followed by the taking back and a read after it.
    for _ in budget.rounds(2):
        try:
            # One key per look: the queue's head tells whether this one leads, still waits, or
            # is placed (the head is past it); only then is its own row read.
            first = store.pending_rows.first(event_id)
            if first is None or first > registration_id:
                # `first` is the lowest id pending: this one is not pending any more.
                return _read_back(store, joined), None
            if first != head:
                head, since = first, budget.clock()
            if first == registration_id or budget.clock() - since > LEADER_GRACE_SECONDS:
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
            # stored, so look again (after a while) while the budget allows.
            continue
    return _withdraw(store, joined, at)


def settle(store: Store, event_id: str, at: str) -> int:
    """Number everyone pending in `event_id` (those whose own requests ended first: the due
    function's sweep, or an admin cancelling one of them); returns how many were numbered.
    Groups lost to another write are tried again after the budget's wait while it allows."""
    budget = store.table.budget()
    numbered, lost = 0, 0
    while True:
        queue = store.pending_rows.look(event_id)
        if queue is None or not queue.pending:
            return numbered
        try:
            written = number_once(store, queue, at)
            numbered += len(written.placed) + len(written.refused) if written else 0
        except Overtaken:
            if not budget.allows(2):
                raise Contended() from None
            budget.pause(lost)
            lost += 1


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


def _read_back(store: Store, joined: Registration) -> Registration:
    """`joined` as stored now that it is not pending: placed, or refused (`EventFull`), or erased
    (`Forgotten`)."""
    stored = store.registration_rows.get(joined.event_id, joined.registration_id)
    if stored is not None:
        return stored
    if store.pending_rows.was_refused(joined.event_id, joined.registration_id):
        raise EventFull()
    raise Forgotten()
