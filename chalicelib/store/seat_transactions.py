"""The writes that take, give back or hand over a seat, each one conditional transaction.

The conditions make the invariants of docs/development.md impossible to break whatever runs
beside a write: no overbooking, nobody waits while a seat is free, waiting-list numbers
unique and in order of arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.model.registration import Registration, Status
from chalicelib.store.codec import item
from chalicelib.store.event_rows import EventRecord, event_record
from chalicelib.store.keys import (
    CAPACITY,
    CONFIRMED,
    COUNTER_NAMES,
    NOBODY_PENDING,
    NOBODY_WAITING,
    PENDING,
    PENDING_PREFIX,
    RATE_PREFIX,
    REGISTRATION_PREFIX,
    TTL_ATTRIBUTE,
    WAITING,
    counted_as,
    event_key,
    marker_key,
    marker_sk,
    pending_key,
    registration_key,
)
from chalicelib.store.store_errors import AlreadyRegistered, Cancelled, Overtaken, RateLimited, StoreUnavailable
from chalicelib.store.table import Table


@dataclass(frozen=True)
class Seat:
    """Claim a seat: only while fewer than `capacity` are confirmed and nobody waits."""


@dataclass(frozen=True)
class WaitlistPlace:
    """Claim waiting-list number `position`: only if it is the next one, no seat is free to
    take, and exactly `ahead` people wait (so the place in line the person is told is true)."""

    position: int
    ahead: int


@dataclass(frozen=True)
class Join:
    """Join the waiting list without a number (`PendingRows.number` gives one): the row is
    stored as pending and counted, with no condition on the counts, so people joining at
    the same moment do not collide."""


Placement = Seat | WaitlistPlace | Join


@dataclass(frozen=True)
class HourlyLimit:
    """At most `limit` registrations in the window `window` (an address and an hour)."""

    window: str
    limit: int
    expires_at: int


class SeatTransactions:
    def __init__(self, table: Table) -> None:
        self.table = table

    def insert(
        self, registration: Registration, placement: Placement, *, expires_at: int, limit: HourlyLimit | None = None
    ) -> None:
        """Write the registration, its address marker, its placement on the event's counter and
        its count against the hourly limit, in one transaction: all or nothing. A `Join`
        stores the registration (status pending) under the event's pending rows."""
        event_id = registration.event_id
        marker = {
            "event_id": event_id,
            "sk": marker_sk(registration.email),
            "registration_id": registration.registration_id,
            TTL_ATTRIBUTE: expires_at,
        }
        stored = {
            **registration.as_stored(),
            "sk": (PENDING_PREFIX if isinstance(placement, Join) else REGISTRATION_PREFIX)
            + registration.registration_id,
            TTL_ATTRIBUTE: expires_at,
        }
        new = "attribute_not_exists(sk)"
        actions: dict[str, dict[str, Any]] = {
            "marker": {"Put": {"Item": item(marker), "ConditionExpression": new}},
            "registration": {"Put": {"Item": item(stored), "ConditionExpression": new}},
            # A lost placement brings back the counts that beat it: the next attempt starts from
            # them instead of a read of the event.
            "seat": {"Update": _counter_update(event_id, placement)},
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
            if "seat" in exc.failed:
                old = exc.old.get("seat")
                raise Overtaken(event_record(old) if old else None) from None
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
            {"registration": cancelled, "marker": _marker_release(registration), **_handover(registration, promote, at)}
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
            actions["marker"] = _marker_release(registration)
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


def _counter_update(event_id: str, placement: Placement) -> dict[str, Any]:
    return {
        "Key": event_key(event_id),
        **_placement_update(placement),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def _placement_update(placement: Placement) -> dict[str, Any]:
    """The counter update and condition for `placement` on the event item."""
    if isinstance(placement, Join):
        # No condition on the counts: whoever numbers the pending rows gives them the seats
        # and places the counts allow then (`PendingRows.number`).
        return {
            "UpdateExpression": "ADD #pending :one",
            "ConditionExpression": "attribute_exists(sk)",
            "ExpressionAttributeNames": {"#pending": PENDING},
            "ExpressionAttributeValues": item({":one": 1}),
        }
    if isinstance(placement, Seat):
        # A free seat goes to a newcomer only while nobody waits for it (with or without a
        # limit: people still wait for a moment after the limit is lifted), and nobody who
        # came earlier is still being placed (they are owed it first).
        return {
            "UpdateExpression": "ADD #confirmed :one",
            "ConditionExpression": (
                f"attribute_exists(sk) AND {NOBODY_WAITING} AND "
                f"(attribute_not_exists(#capacity) OR #confirmed < #capacity) AND {NOBODY_PENDING}"
            ),
            "ExpressionAttributeNames": {
                **{k: COUNTER_NAMES[k] for k in ("#confirmed", "#waiting", "#capacity")},
                "#pending": PENDING,
            },
            "ExpressionAttributeValues": item({":one": 1, ":zero": 0}),
        }
    # Places are handed out one after another: each placement names the place it
    # expects to be next, so positions are unique and gap-free in commit order.
    # Only while no seat is free: a seat given back meanwhile goes to this registrant instead;
    # and only while nobody is being placed (they came first).
    return {
        "UpdateExpression": "SET #waitlisted = :position ADD #waiting :one",
        "ConditionExpression": (
            "#waitlisted = :previous AND #confirmed >= #capacity AND "
            f"{counted_as('#waiting', ':ahead')} AND {NOBODY_PENDING}"
        ),
        "ExpressionAttributeNames": {**COUNTER_NAMES, "#pending": PENDING},
        "ExpressionAttributeValues": item(
            {
                ":position": placement.position,
                ":previous": placement.position - 1,
                ":one": 1,
                ":zero": 0,
                ":ahead": placement.ahead,
            }
        ),
    }


def _hourly_count(event_id: str, limit: HourlyLimit) -> dict[str, Any]:
    return {
        "Key": item({"event_id": event_id, "sk": RATE_PREFIX + limit.window}),
        "UpdateExpression": "ADD #count :one SET #ttl = :expires",
        "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
        "ExpressionAttributeNames": {"#count": "registrations", "#ttl": TTL_ATTRIBUTE},
        "ExpressionAttributeValues": item({":one": 1, ":limit": limit.limit, ":expires": limit.expires_at}),
    }


def _marker_release(registration: Registration) -> dict[str, Any]:
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
    if registration.status == Status.PENDING:
        return {"seats": _count(PENDING, -1, event_id, condition="#counter > :zero")}
    if registration.status != Status.CONFIRMED:
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
