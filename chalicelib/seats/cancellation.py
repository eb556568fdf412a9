"""Cancelling through the signed link: the seat goes to the first on the waiting list.

GET only shows a question (mail scanners open links); POST cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.model.events import Event
from chalicelib.model.links import read_cancel_token
from chalicelib.model.model_errors import InvalidToken
from chalicelib.model.registration import ACTIVE, Registration, utc_iso
from chalicelib.seats.handover import release
from chalicelib.store import Store


@dataclass(frozen=True)
class Cancellable:
    event: Event
    registration: Registration

    @property
    def cancelled(self) -> bool:
        """Cancelled already: by an earlier click of the link, or by an admin."""
        return self.registration.status not in ACTIVE


def find_cancellable(store: Store, secret: str, token: str | None, now: datetime) -> Cancellable | None:
    """The registration a valid, unexpired token names, cancelled already or not; None for
    anything else (a wrong or expired token, a registration erased)."""
    try:
        link = read_cancel_token(secret, token or "", now)
    except InvalidToken:
        return None
    record = store.event_rows.find(link.event_id)
    registration = store.registration_rows.get(link.event_id, link.registration_id, pending=False)
    if record is None or registration is None:
        return None
    return Cancellable(record.event, registration)


def cancel(store: Store, target: Cancellable, now: datetime) -> bool:
    """Cancel and promote in one transaction; False if it was cancelled meanwhile by someone
    else. A write whose answer was lost is read back (`release`): found cancelled, True."""
    at = utc_iso(now)
    released = release(
        store, target.registration, lambda reg, promote: store.seat_transactions.cancel(reg, promote, at), states=ACTIVE
    )
    return released is not None
