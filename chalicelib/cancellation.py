"""Cancelling through the signed link: the seat goes to the first on the waiting list.

GET only shows a question (mail scanners open links); POST cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.events import Event
from chalicelib.links import InvalidToken, read_cancel_token
from chalicelib.registration import utc_iso
from chalicelib.store import ClaimLost, Store, StoreUnavailable

MAX_ATTEMPTS = 10
ACTIVE = ("confirmed", "waitlisted")


@dataclass(frozen=True)
class Cancellable:
    event: Event
    registration: dict[str, Any]


def find_cancellable(store: Store, secret: str, token: str | None, now: datetime) -> Cancellable | None:
    """The active registration a valid, unexpired token names; None for anything else."""
    try:
        claim = read_cancel_token(secret, token or "", now)
    except InvalidToken:
        return None
    record = store.find_event(claim.event_id)
    registration = store.get_registration(claim.event_id, claim.registration_id)
    if record is None or registration is None or registration["status"] not in ACTIVE:
        return None  # a reused link: already cancelled
    return Cancellable(record.event, registration)


def cancel(store: Store, target: Cancellable, now: datetime) -> bool:
    """Cancel and promote in one transaction; False if it was cancelled meanwhile."""
    registration = target.registration
    for _ in range(MAX_ATTEMPTS):
        promote = store.first_waitlisted(registration["event_id"]) if registration["status"] == "confirmed" else None
        try:
            store.cancel_registration(registration, promote, utc_iso(now))
            return True
        except ClaimLost:
            # Someone else cancelled this one, or took the promotion: look again.
            current = store.get_registration(registration["event_id"], registration["registration_id"])
            if current is None or current["status"] not in ACTIVE:
                return False
            registration = current
    raise StoreUnavailable("cancellation kept conflicting")
