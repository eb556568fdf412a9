"""Event rows: an event's definition (the validated file) and its seat counters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.model.events import Event
from chalicelib.store.codec import item, plain
from chalicelib.store.keys import CONFIRMED, COUNTER_NAMES, EVENT_SK, WAITING, WAITLISTED, event_key
from chalicelib.store.store_errors import Cancelled, CapacityBelowTaken, SavedInPart, StoreUnavailable
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
        """Store event definitions, keeping their seat counts; a capacity below the seats taken is refused.

        All or nothing as far as DynamoDB allows: a transaction holds at most 100 actions, so more
        events take several. Every capacity is therefore checked against the seats taken (consistent
        reads) before anything is written: `CapacityBelowTaken` names each event below. Each
        transaction checks again at its commit; if seats taken since (or AWS failing) stop a later
        one, `SavedInPart` names the events stored and those not. Saving the same events again
        stores the first ones again unchanged, and the rest."""
        self.check_capacities(events)
        by_id = {event.event_id: event for event in events}
        names = list(by_id)
        for start in range(0, len(names), MAX_ACTIONS_PER_TRANSACTION):
            try:
                self._save_together([by_id[name] for name in names[start : start + MAX_ACTIONS_PER_TRANSACTION]])
            except (CapacityBelowTaken, StoreUnavailable, ClientError, BotoCoreError) as exc:
                if start == 0:
                    raise
                raise SavedInPart(names[:start], names[start:], exc) from exc

    def _save_together(self, events: list[Event]) -> None:
        try:
            self.table.transact({event.event_id: {"Update": _definition_update(event)} for event in events})
        except StoreUnavailable:
            # It may have committed with its answer lost (docs/design.md, "Ambiguous outcomes"):
            # stored as written, every one of them, it is done; otherwise the failure stands.
            if all(self._stored_as(event) for event in events):
                return
            raise
        except Cancelled as exc:
            below = [
                (e.event_id, e.capacity, exc.old[e.event_id][CONFIRMED]) for e in events if e.event_id in exc.failed
            ]
            raise CapacityBelowTaken(_shortfalls(below)) from None

    def _stored_as(self, event: Event) -> bool:
        """Whether `event`'s row holds this very definition, read consistently."""
        response = self.table.db().get_item(
            TableName=self.table.name,
            Key=event_key(event.event_id),
            ConsistentRead=True,
            ProjectionExpression="#definition",
            ExpressionAttributeNames={"#definition": "definition"},
        )
        return plain(response.get("Item", {})).get("definition") == event.model_dump_json()

    def check_capacities(self, events: list[Event]) -> None:
        """Raise `CapacityBelowTaken` naming every event whose capacity is below its seats taken now."""
        below = []
        for event in events:
            if event.capacity is None:
                continue
            # Only the counter is read: a definition stored by an older version need not validate.
            response = self.table.db().get_item(
                TableName=self.table.name,
                Key=event_key(event.event_id),
                ConsistentRead=True,
                ProjectionExpression="#confirmed",
                ExpressionAttributeNames={"#confirmed": CONFIRMED},
            )
            taken = plain(response.get("Item", {})).get(CONFIRMED, 0)
            if taken > event.capacity:
                below.append((event.event_id, event.capacity, taken))
        if below:
            raise CapacityBelowTaken(_shortfalls(below))

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
        # The row comes back with a refusal: the seats taken are named without a second read.
        action["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    action["UpdateExpression"] = update
    action["ExpressionAttributeValues"] = item(values)
    return action


def _shortfalls(below: Iterable[tuple[str, int | None, int]]) -> str:
    return ", ".join(f"{event_id} (capacity: {capacity}, seats taken: {taken})" for event_id, capacity, taken in below)


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
