"""Seats changing hands: a seat given up goes to the first on the waiting list, and free seats
(capacity raised) go to the list in order, before any newcomer.

Each step is one conditional transaction in `store` built from a consistent read; a
condition that fails means someone else wrote meanwhile, and the step is decided again
from a fresh read. The conditions, not the reads, keep the invariants (docs/development.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.model.registration import Registration, Status
from chalicelib.seats.seats_errors import Contended
from chalicelib.store import Store
from chalicelib.store.store_errors import Overtaken, StoreUnavailable

# Waiting people moved up per transaction (DynamoDB takes 100 actions; one is the counter).
# Smaller batches lose less work when one of them leaves the list meanwhile.
PROMOTION_BATCH = 25


@dataclass(frozen=True)
class Released:
    registration: Registration  # as it was when released
    promoted: Registration | None  # the waitlisted registration that got its seat


def release(
    store: Store,
    registration: Registration,
    write: Callable[[Registration, Registration | None], None],
    *,
    states: frozenset[Status],
) -> Released | None:
    """Run `write(registration, first_waitlisted)` (one transaction that frees the seat or
    hands it over) until it holds; None when the registration left `states` meanwhile.

    The write's conditions fail when the registration changed, when someone joined the
    list after it was read (the seat must go to them now) or when the one picked to move up
    left; each time the registration and the list are read again, after the budget's wait,
    while the request's budget allows (the write and the read after it); then `Contended`.

    A write that failed without an answer may have committed (docs/design.md, "Ambiguous
    outcomes"): the registration is read back. Gone from `states`, it is released (by this
    write, or by a rival's at the same moment: either way what was asked for holds); still
    as it was, the write is tried again. Only a failed read-back leaves `StoreUnavailable`."""
    for _ in store.table.budget().rounds(2):
        promote = (
            store.registration_rows.first_waiting(registration.event_id)
            if registration.status == Status.CONFIRMED
            else None
        )
        try:
            write(registration, promote)
            return Released(registration, promote)
        except (Overtaken, StoreUnavailable) as failure:
            current = store.registration_rows.get(registration.event_id, registration.registration_id)
            if current is None or current.status not in states:
                return Released(registration, promote) if isinstance(failure, StoreUnavailable) else None
            registration = current
    raise Contended()


def fill_free_seats(store: Store, event_id: str, at: str, *, attempts: int | None = None) -> list[str]:
    """Move the waiting list up into free seats, first in line first, until no seat is free
    or nobody waits; returns the registration ids that got a seat, in order.

    The list is read once per round and moved up `PROMOTION_BATCH` at a time; a round
    ends early only when a batch lost to another write. `attempts` caps the transactions
    tried, won or lost (a newcomer who finds seats free while people wait tries one). Lost
    rounds are tried again after the budget's wait while the budget allows; then `Contended`."""
    promoted: list[str] = []
    budget = store.table.budget()
    lost = 0
    while attempts is None or attempts > 0:
        record = store.event_rows.find(event_id, consistent=True)
        free = record.seats_free if record is not None else 0
        if record is None or record.waiting == 0 or free == 0:
            return promoted
        queue = store.registration_rows.waiting(event_id)[:free]
        if not queue:
            return promoted  # the counter says someone waits but no row does: nothing to move
        for start in range(0, len(queue), PROMOTION_BATCH):
            batch = queue[start : start + PROMOTION_BATCH]
            attempts = None if attempts is None else attempts - 1
            try:
                store.seat_transactions.promote(batch, record, at)
            except (Overtaken, StoreUnavailable):
                # Someone left the list, or a release or another hand-over wrote; or the table
                # failed, perhaps after committing (then its batch is not counted as this
                # call's): the next round's consistent read tells what holds.
                if not budget.allows(2):
                    raise Contended() from None
                budget.pause(lost)
                lost += 1
                break
            promoted += [waiting.registration_id for waiting in batch]
            record = dataclasses.replace(
                record, confirmed=record.confirmed + len(batch), waiting=record.waiting - len(batch)
            )
            if attempts == 0:
                break
    return promoted
