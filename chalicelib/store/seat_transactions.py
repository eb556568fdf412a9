"""The writes that store a newcomer (W8), give back or hand over a seat (W3-W6, W10), each one
conditional transaction (placing the queue, W9, is `pending_rows`'s).

The conditions make the invariants of docs/design.md impossible to break whatever runs beside
a write: no overbooking, nobody waits while a seat is free, waiting-list numbers unique and in
order of arrival. W8 touches no event row, so a rush of newcomers never refuses itself on
DynamoDB; the others touch it and are rare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.model.registration import Registration, Status
from chalicelib.store.codec import item
from chalicelib.store.event_rows import EventRecord
from chalicelib.store.keys import (
    CAPACITY,
    CONFIRMED,
    NOBODY_WAITING,
    PENDING_PREFIX,
    RATE_PREFIX,
    TTL_ATTRIBUTE,
    WAITING,
    event_key,
    marker_key,
    marker_sk,
    pending_key,
    registration_key,
)
from chalicelib.store.store_errors import AlreadyRegistered, Cancelled, Overtaken, RateLimited, StoreUnavailable
from chalicelib.store.table import Table


@dataclass(frozen=True)
class HourlyLimit:
    """At most `limit` registrations in the window `window` (an address and an hour)."""

    window: str
    limit: int
    expires_at: int


class SeatTransactions:
    def __init__(self, table: Table) -> None:
        self.table = table

    def join(self, registration: Registration, *, expires_at: int, limit: HourlyLimit | None = None) -> None:
        """W8: store `registration` pending, with its address marker and its count against the
        hourly limit, in one transaction: all or nothing. It touches no event row, so people
        joining at the same moment never refuse each other (`PendingRows.number` places them)."""
        event_id = registration.event_id
        marker = {
            "event_id": event_id,
            "sk": marker_sk(registration.email),
            "registration_id": registration.registration_id,
            TTL_ATTRIBUTE: expires_at,
        }
        pending = {**registration.as_stored(), "sk": PENDING_PREFIX + registration.registration_id}
        new = "attribute_not_exists(sk)"
        actions: dict[str, dict[str, Any]] = {
            "marker": {"Put": {"Item": item(marker), "ConditionExpression": new}},
            "registration": {"Put": {"Item": item({**pending, TTL_ATTRIBUTE: expires_at}), "ConditionExpression": new}},
        }
        if limit is not None:
            actions["hourly_limit"] = {"Update": _hourly_count(event_id, limit)}
        try:
            self.table.transact(actions)
        except Cancelled as exc:
            if "marker" in exc.failed:
                raise AlreadyRegistered() from None
            if "hourly_limit" in exc.failed:
                raise RateLimited() from None
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None

    def cancel(self, registration: Registration, promote: Registration | None, at: str) -> None:
        """In one transaction: the registration becomes `cancelled`, its address may register
        again, and its seat goes to `promote` (the first waitlisted) or back to the event.

        Raises `Overtaken` when either registration changed meanwhile (look again)."""
        cancelled = {
            "Update": {
                "Key": registration_key(registration.event_id, registration.registration_id),
                "UpdateExpression": "SET #status = :cancelled, cancelled_at = :at",
                "ConditionExpression": "#status = :was",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": item(
                    {":cancelled": "cancelled", ":at": at, ":was": str(registration.status)}
                ),
            }
        }
        self._release(
            {"registration": cancelled, "marker": marker_release(registration), **_handover(registration, promote, at)}
        )

    def erase(self, registration: Registration, promote: Registration | None, at: str) -> None:
        """In one transaction: the registration and its marker are deleted, and its seat goes to
        `promote` or back to the event. Deleting (not cancelling) sends nobody a mail about it.

        Raises `Overtaken` when either registration changed meanwhile (look again)."""
        key = pending_key if registration.status == Status.PENDING else registration_key
        actions: dict[str, dict[str, Any]] = {
            "registration": {
                "Delete": {
                    "Key": key(registration.event_id, registration.registration_id),
                    "ConditionExpression": "#status = :was",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": item({":was": str(registration.status)}),
                }
            }
        }
        if registration.status != Status.CANCELLED:  # a cancelled one's marker is gone already
            actions["marker"] = marker_release(registration)
        self._release({**actions, **_handover(registration, promote, at)})

    def promote(self, first_in_line: list[Registration], record: EventRecord, at: str) -> None:
        """Give free seats to `first_in_line` (the first waitlisted, in order; at most 99) in one
        transaction, after capacity was raised.

        Raises `Overtaken` if any of them is no longer waiting, the capacity changed from
        `record`'s or fewer seats are free than people to move up (look again)."""
        count = len(first_in_line)
        names = {"#confirmed": CONFIRMED, "#waiting": WAITING, "#capacity": CAPACITY}
        values: dict[str, Any] = {":up": count, ":down": -count}
        if record.event.capacity is None:
            seats_free = "attribute_not_exists(#capacity)"
        else:
            # No arithmetic in conditions: "capacity as read and confirmed + count <= capacity".
            seats_free = "#capacity = :capacity AND #confirmed <= :room"
            values |= {":capacity": record.event.capacity, ":room": record.event.capacity - count}
        seats = {
            "Update": {
                "Key": event_key(record.event.event_id),
                "UpdateExpression": "ADD #confirmed :up, #waiting :down",
                "ConditionExpression": f"{seats_free} AND #waiting >= :up",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": item(values),
            }
        }
        moves = {f"promote {w.registration_id}": _promotion(w, at) for w in first_in_line}
        self._release({**moves, "seats": seats})

    def _release(self, actions: dict[str, dict[str, Any]]) -> None:
        transact_or_lose(self.table, actions)


def transact_or_lose(table: Table, actions: dict[str, dict[str, Any]]) -> None:
    """Write `actions` in one transaction; raise `Overtaken` when a condition failed (someone
    else wrote first: look again)."""
    try:
        table.transact(actions)
    except Cancelled as exc:
        if exc.failed:
            raise Overtaken() from None
        raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None


def _hourly_count(event_id: str, limit: HourlyLimit) -> dict[str, Any]:
    return {
        "Key": item({"event_id": event_id, "sk": RATE_PREFIX + limit.window}),
        "UpdateExpression": "ADD #count :one SET #ttl = :expires",
        "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
        "ExpressionAttributeNames": {"#count": "registrations", "#ttl": TTL_ATTRIBUTE},
        "ExpressionAttributeValues": item({":one": 1, ":limit": limit.limit, ":expires": limit.expires_at}),
    }


def marker_release(registration: Registration) -> dict[str, Any]:
    """Delete the one-per-address marker, if it is still this registration's."""
    return {
        "Delete": {
            "Key": marker_key(registration.event_id, registration.email),
            "ConditionExpression": "registration_id = :id",
            "ExpressionAttributeValues": item({":id": registration.registration_id}),
        }
    }


def _handover(registration: Registration, promote: Registration | None, at: str) -> dict[str, dict[str, Any]]:
    """What leaving does to the event: a confirmed seat goes to `promote` (the first
    waitlisted) or back to the event; a waiting-list place just empties.

    The conditions keep "nobody waits while a seat is free" whatever commits meanwhile:
    the seat goes back only while nobody waits (someone who joined the list after the
    caller looked fails it, and the caller looks again), and it is handed over only to
    someone still waiting (nobody can join the list ahead of them: numbers only grow)."""
    event_id = registration.event_id
    if registration.status == Status.WAITLISTED:
        return {"seats": _count(WAITING, -1, event_id, condition="#counter > :zero")}
    if registration.status != Status.CONFIRMED:  # pending (W10) or cancelled: no seat, no place
        return {}
    if promote is None:
        return {"seats": _count(CONFIRMED, -1, event_id, condition=NOBODY_WAITING, names={"#waiting": WAITING})}
    return {
        "promotion": _promotion(promote, at),
        "seats": _count(WAITING, -1, event_id, condition="#counter > :zero"),
    }


def _promotion(registration: Registration, at: str) -> dict[str, Any]:
    return {
        "Update": {
            "Key": registration_key(registration.event_id, registration.registration_id),
            "UpdateExpression": "SET #status = :confirmed, promoted_at = :at",
            "ConditionExpression": "#status = :waitlisted",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": item({":confirmed": "confirmed", ":at": at, ":waitlisted": "waitlisted"}),
        }
    }


def _count(
    counter: str, change: int, event_id: str, *, condition: str, names: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "Update": {
            "Key": event_key(event_id),
            "UpdateExpression": "ADD #counter :change",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#counter": counter, **(names or {})},
            "ExpressionAttributeValues": item({":change": change, ":zero": 0}),
        }
    }
