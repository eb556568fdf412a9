"""Event rows: an event's definition (the validated file) and its seat counters."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.model.events import Event
from chalicelib.store.codec import item, plain
from chalicelib.store.keys import CONFIRMED, COUNTER_NAMES, EVENT_SK, WAITING, WAITLISTED, event_key
from chalicelib.store.store_errors import Cancelled, CapacityBelowTaken
from chalicelib.store.table import Table

MAX_ACTIONS_PER_TRANSACTION = 100  # DynamoDB's limit


@dataclass(frozen=True)
class EventRecord:
    event: Event
    confirmed: int  # seats taken
    waitlisted: int  # waiting-list places handed out so far (the last position)
    waiting: int = 0  # people on the waiting list now

    @property
    def seats_free(self) -> int | None:
        """Seats nobody holds (None: no limit)."""
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.confirmed, 0)


class EventRows:
    def __init__(self, table: Table) -> None:
        self.table = table

    def save(self, events: list[Event]) -> None:
        """Store event definitions in one transaction (per hundred): all or nothing.

        Seat counts are kept across reloads; a capacity below the seats already taken is refused."""
        actions = {event.event_id: {"Update": _definition_update(event)} for event in events}
        names = list(actions)
        for start in range(0, len(names), MAX_ACTIONS_PER_TRANSACTION):
            chunk = names[start : start + MAX_ACTIONS_PER_TRANSACTION]
            try:
                self.table.transact({name: actions[name] for name in chunk})
            except Cancelled as exc:
                raise CapacityBelowTaken(", ".join(n for n in chunk if n in exc.failed)) from None

    def find(self, event_id: str, *, consistent: bool = False) -> EventRecord | None:
        response = self.table.db().get_item(
            TableName=self.table.name, Key=event_key(event_id), ConsistentRead=consistent
        )
        return event_record(plain(response["Item"])) if "Item" in response else None

    def all(self) -> list[EventRecord]:
        """Every stored event with its counts (a Scan: for the admin, never on the request path)."""
        items = self.table.every(
            "scan", FilterExpression="sk = :event", ExpressionAttributeValues=item({":event": EVENT_SK})
        )
        return sorted((event_record(plain(i)) for i in items), key=lambda record: record.event.event_id)


def _definition_update(event: Event) -> dict[str, Any]:
    values: dict[str, Any] = {":definition": event.model_dump_json(), ":title": event.title, ":zero": 0}
    update = (
        "SET #definition = :definition, #title = :title, "
        "#confirmed = if_not_exists(#confirmed, :zero), #waitlisted = if_not_exists(#waitlisted, :zero), "
        "#waiting = if_not_exists(#waiting, :zero)"
    )
    action: dict[str, Any] = {
        "Key": event_key(event.event_id),
        "ExpressionAttributeNames": {"#definition": "definition", "#title": "title", **COUNTER_NAMES},
    }
    if event.capacity is None:
        update += " REMOVE #capacity"
    else:
        update += ", #capacity = :capacity"
        values[":capacity"] = event.capacity
        action["ConditionExpression"] = "attribute_not_exists(#confirmed) OR #confirmed <= :capacity"
    action["UpdateExpression"] = update
    action["ExpressionAttributeValues"] = item(values)
    return action


def event_record(values: dict[str, Any]) -> EventRecord:
    """The event row `values` (plain attributes, as read or as a failed condition returned it)."""
    return EventRecord(
        event=_definition(values["definition"]),
        confirmed=values.get(CONFIRMED, 0),
        waitlisted=values.get(WAITLISTED, 0),
        waiting=values.get(WAITING, 0),
    )


@lru_cache(maxsize=64)
def _definition(text: str) -> Event:
    # Validated when `load-events` stored it; read back through the same model. Only the
    # counters change from one read to the next (a crowd's lost claims each bring the row
    # back): the same text is the same (frozen) event, validated once per instance.
    return Event.model_validate_json(text)
