"""Pending rows: registrations stored a moment ago (W8, `SeatTransactions.join`) and waiting to
be placed with the others who joined (`seats.numbering` decides what each gets).

They live right after the event row (`event#pending#<ULID>`), so one consistent Query reads
the counts and the first of them, in order of arrival. Placing them (W9) moves each to its
`registration#<ULID>` row with its seat or its number and place, or, when the event is full
and has no waiting list, replaces it by a refusal without personal data; and moves the
counters on, in one transaction conditioned on the counts it was planned from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.model.registration import Registration, Status
from chalicelib.store.codec import item, plain
from chalicelib.store.event_rows import EventRecord, event_record
from chalicelib.store.keys import (
    CAPACITY,
    CONFIRMED,
    EVENT_SK,
    PENDING_PREFIX,
    REFUSAL_SECONDS,
    REFUSED_PREFIX,
    REGISTRATION_PREFIX,
    TTL_ATTRIBUTE,
    WAITING,
    WAITLISTED,
    counted_as,
    event_key,
    pending_key,
    refused_key,
)
from chalicelib.store.seat_transactions import marker_release, transact_or_lose
from chalicelib.store.table import Table

# Rows read per look: each placed is a delete and a put, each refused a delete, a put and the
# marker's delete, and the counters are one more action (DynamoDB takes 100).
GROUP = 49
MAX_ACTIONS = 100


@dataclass(frozen=True)
class Queue:
    """An event's counts and its first pending registrations, read together."""

    record: EventRecord
    pending: list[Registration]  # in order of arrival, at most `GROUP`


class PendingRows:
    def __init__(self, table: Table) -> None:
        self.table = table

    def look(self, event_id: str) -> Queue | None:
        """The event's counts and its first `GROUP` pending rows, read consistently in one
        Query; None when the event is gone."""
        page = self.table.db().query(
            TableName=self.table.name,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :event)",
            ExpressionAttributeValues=item({":e": event_id, ":event": EVENT_SK}),
            ConsistentRead=True,
            Limit=GROUP + 1,
        )
        items = [plain(i) for i in page["Items"]]
        if not items or items[0]["sk"] != EVENT_SK:
            return None
        pending = [Registration.from_stored(i) for i in items[1:]]
        return Queue(event_record(items[0]), pending)

    def first(self, event_id: str) -> str | None:
        """The registration id of the first pending row (the earliest to arrive), read
        consistently; None when nobody is pending. (One key, not the rows: cheap to ask often.)"""
        page = self.table.db().query(
            TableName=self.table.name,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :pending)",
            ExpressionAttributeValues=item({":e": event_id, ":pending": PENDING_PREFIX}),
            ProjectionExpression="sk",
            ConsistentRead=True,
            Limit=1,
        )
        return page["Items"][0]["sk"]["S"].removeprefix(PENDING_PREFIX) if page["Items"] else None

    def number(self, placed: list[Registration], refused: list[Registration], record: EventRecord, at: str) -> None:
        """W9: move each of `placed` (pending rows, given their seat or number and place) to its
        registration row, replace each of `refused` by a refusal (its marker released), and move
        the counters on, in one transaction.

        Raises `Overtaken` when the counts are no longer `record`'s or one of them is not
        pending any more (placed or erased meanwhile): look again."""
        seats = sum(1 for r in placed if r.status == Status.CONFIRMED)
        last = max((r.waitlist_position or 0 for r in placed), default=0) or record.waitlisted
        actions: dict[str, dict[str, Any]] = {}
        for registration in [*placed, *refused]:
            event_id, registration_id = registration.event_id, registration.registration_id
            actions[f"pending {registration_id}"] = {
                "Delete": {"Key": pending_key(event_id, registration_id), "ConditionExpression": "attribute_exists(sk)"}
            }
        for registration in placed:
            row = {**registration.as_stored(), "sk": REGISTRATION_PREFIX + registration.registration_id}
            actions[f"placed {registration.registration_id}"] = {
                "Put": {"Item": item(row), "ConditionExpression": "attribute_not_exists(sk)"}
            }
        for registration in refused:
            refusal = {
                "event_id": registration.event_id,
                "sk": REFUSED_PREFIX + registration.registration_id,
                "refused_at": at,
                TTL_ATTRIBUTE: int(datetime.fromisoformat(at).timestamp()) + REFUSAL_SECONDS,
            }
            actions[f"refused {registration.registration_id}"] = {"Put": {"Item": item(refusal)}}
            actions[f"marker {registration.registration_id}"] = marker_release(registration)
        actions["counts"] = {"Update": _moved_on(record, seats=seats, places=len(placed) - seats, last=last)}
        transact_or_lose(self.table, actions)

    def was_refused(self, event_id: str, registration_id: str) -> bool:
        """Whether W9 refused this registration (the event was full), read consistently."""
        response = self.table.db().get_item(
            TableName=self.table.name, Key=refused_key(event_id, registration_id), ConsistentRead=True
        )
        return "Item" in response

    def count(self, event_id: str) -> int:
        """How many registrations of `event_id` wait to be placed (for the admin: keys only)."""
        return len(
            self.table.every(
                "query",
                KeyConditionExpression="event_id = :e AND begins_with(sk, :pending)",
                ExpressionAttributeValues=item({":e": event_id, ":pending": PENDING_PREFIX}),
                ProjectionExpression="sk",
            )
        )


def _moved_on(record: EventRecord, *, seats: int, places: int, last: int) -> dict[str, Any]:
    """The counters after `seats` seats and `places` numbers (up to `last`) were given to
    pending rows, on condition that they are still `record`'s (the plan was made from them)."""
    values: dict[str, Any] = {
        ":confirmed": record.confirmed,
        ":waitlisted": record.waitlisted,
        ":waiting": record.waiting,
        ":seats": seats,
        ":places": places,
        ":last": last,
        ":zero": 0,
    }
    same = [counted_as(name, f":{name[1:]}") for name in ("#confirmed", "#waitlisted", "#waiting")]
    if record.event.capacity is None:
        same.append("attribute_not_exists(#capacity)")
    else:
        same.append("#capacity = :capacity")
        values[":capacity"] = record.event.capacity
    return {
        "Key": event_key(record.event.event_id),
        "UpdateExpression": "SET #waitlisted = :last ADD #confirmed :seats, #waiting :places",
        "ConditionExpression": " AND ".join(same),
        "ExpressionAttributeNames": {
            "#confirmed": CONFIRMED,
            "#waitlisted": WAITLISTED,
            "#waiting": WAITING,
            "#capacity": CAPACITY,
        },
        "ExpressionAttributeValues": item(values),
    }
