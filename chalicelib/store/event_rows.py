"""Event rows: an event's definition (the validated file), its seat counters, and what its
registrants were told of its time and place."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.model.appointment import Announcements, Appointment, appointment_in_file, appointment_of
from chalicelib.model.events import Event
from chalicelib.store.codec import condition_failed, item, plain
from chalicelib.store.keys import (
    ANNOUNCED,
    ANNOUNCED_BEFORE,
    ANNOUNCEMENT_ID,
    CHANGED_AT,
    CONFIRMED,
    COUNTER_NAMES,
    EVENT_CANCELLED_AT,
    EVENT_SK,
    NOTICES_DONE,
    SEQUENCE,
    WAITING,
    WAITLISTED,
    counted_as,
    event_key,
)
from chalicelib.store.store_errors import Cancelled, CapacityBelowTaken, SavedInPart, StoreUnavailable
from chalicelib.store.table import Table

MAX_ACTIONS_PER_TRANSACTION = 100  # DynamoDB's limit


@dataclass(frozen=True)
class EventRecord:
    event: Event
    confirmed: int  # seats taken
    waitlisted: int  # waiting-list places handed out so far (the last position)
    waiting: int = 0  # people on the waiting list now
    announcements: Announcements = field(default_factory=Announcements)

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
        told = {event.event_id: self._told_so_far(event) for event in events}
        try:
            self.table.transact(
                {event.event_id: {"Update": _definition_update(event, told[event.event_id])} for event in events}
            )
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

    def _told_so_far(self, event: Event) -> Appointment:
        """The time and place registrants know for `event` before this load, kept as `announced` on
        its first load only (`if_not_exists`). A row stored by an older version has no `announced`:
        its definition is what they were told, not the (maybe changed) file being loaded."""
        response = self.table.db().get_item(
            TableName=self.table.name,
            Key=event_key(event.event_id),
            ConsistentRead=True,
            ProjectionExpression="#definition, #told",
            ExpressionAttributeNames={"#definition": "definition", "#told": ANNOUNCED},
        )
        stored = plain(response.get("Item", {}))
        if "definition" in stored and ANNOUNCED not in stored:
            return appointment_in_file(json.loads(stored["definition"]))
        return appointment_of(event)

    # --- what registrants are told --------------------------------------------------------
    def announce_change(
        self, event_id: str, sequence_read: int, before: Appointment, told: Appointment, at: str
    ) -> bool:
        """Record that registrants are told the event moved from `before` to `told` (`at`, UTC ISO),
        under the next calendar SEQUENCE. False when another announcement or the cancellation came
        first (the sequence is no longer `sequence_read`): decide again from a fresh read."""
        values = {":told": told.as_stored(), ":before": before.as_stored(), ":at": at}
        names = {"#told": ANNOUNCED, "#before": ANNOUNCED_BEFORE, "#changed": CHANGED_AT}
        return self._announce(
            event_id, sequence_read, "#told = :told, #before = :before, #changed = :at", names, values
        )

    def cancel(self, event_id: str, sequence_read: int, at: str) -> bool:
        """Record the event as cancelled (`at`, UTC ISO) under the next calendar SEQUENCE, once; False
        as `announce_change`. From then on the row reads as `closed` (`event_record`)."""
        return self._announce(event_id, sequence_read, "#cancelled = :at", {}, {":at": at})

    def _announce(
        self, event_id: str, sequence_read: int, update: str, names: dict[str, str], values: dict[str, object]
    ) -> bool:
        # Not idempotent (the sequence goes up): a write whose answer was lost is read back by
        # its own id before anyone is told anything (docs/design.md, "Ambiguous outcomes").
        announcement_id = uuid.uuid4().hex
        values = {**values, ":read": sequence_read, ":next": sequence_read + 1, ":zero": 0, ":id": announcement_id}
        try:
            self.table.db().update_item(
                TableName=self.table.name,
                Key=event_key(event_id),
                UpdateExpression=f"SET {update}, #sequence = :next, #id = :id",
                ConditionExpression="attribute_exists(sk) AND attribute_not_exists(#cancelled) AND "
                + counted_as("#sequence", ":read"),
                ExpressionAttributeNames={
                    **names,
                    "#sequence": SEQUENCE,
                    "#id": ANNOUNCEMENT_ID,
                    "#cancelled": EVENT_CANCELLED_AT,
                },
                ExpressionAttributeValues=item(values),
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        except StoreUnavailable:
            if self._announcement_id(event_id) != announcement_id:
                raise  # not written (or unknown): the command fails, and run again decides afresh
        return True

    def _announcement_id(self, event_id: str) -> str | None:
        response = self.table.db().get_item(
            TableName=self.table.name,
            Key=event_key(event_id),
            ConsistentRead=True,
            ProjectionExpression="#id",
            ExpressionAttributeNames={"#id": ANNOUNCEMENT_ID},
        )
        return plain(response.get("Item", {})).get(ANNOUNCEMENT_ID)

    def mark_notices_done(self, event_id: str, sequence: int) -> None:
        """Every notice of announcement `sequence` has gone: the due function stops looking. Only
        while it is still the latest; idempotent, so a lost answer needs no read-back."""
        try:
            self.table.db().update_item(
                TableName=self.table.name,
                Key=event_key(event_id),
                UpdateExpression="SET #done = :n",
                ConditionExpression="#sequence = :n",
                ExpressionAttributeNames={"#done": NOTICES_DONE, "#sequence": SEQUENCE},
                ExpressionAttributeValues=item({":n": sequence}),
            )
        except ClientError as exc:
            if not condition_failed(exc):
                raise  # else: a later announcement came meanwhile; its notices are owed

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


def _definition_update(event: Event, told: Appointment) -> dict[str, Any]:
    values: dict[str, Any] = {
        ":definition": event.model_dump_json(),
        ":title": event.title,
        ":zero": 0,
        ":told": told.as_stored(),
    }
    # `announced` only on the first load: a later one changes the definition, and what registrants
    # were told stays until `notify-change` tells them the new time and place.
    update = (
        "SET #definition = :definition, #title = :title, "
        "#confirmed = if_not_exists(#confirmed, :zero), #waitlisted = if_not_exists(#waitlisted, :zero), "
        "#waiting = if_not_exists(#waiting, :zero), #told = if_not_exists(#told, :told)"
    )
    action: dict[str, Any] = {
        "Key": event_key(event.event_id),
        "ExpressionAttributeNames": {
            "#definition": "definition",
            "#title": "title",
            "#told": ANNOUNCED,
            **COUNTER_NAMES,
        },
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
    announcements = _announcements(values)
    return EventRecord(
        event=_definition(values["definition"], cancelled=announcements.cancelled_at is not None),
        confirmed=values.get(CONFIRMED, 0),
        waitlisted=values.get(WAITLISTED, 0),
        waiting=values.get(WAITING, 0),
        announcements=announcements,
    )


def _announcements(values: dict[str, Any]) -> Announcements:
    told, before = values.get(ANNOUNCED), values.get(ANNOUNCED_BEFORE)
    return Announcements(
        told=Appointment.from_stored(told) if told else None,
        before=Appointment.from_stored(before) if before else None,
        sequence=values.get(SEQUENCE, 0),
        changed_at=values.get(CHANGED_AT),
        cancelled_at=values.get(EVENT_CANCELLED_AT),
        done=values.get(NOTICES_DONE, 0),
    )


@lru_cache(maxsize=64)
def _definition(text: str, *, cancelled: bool = False) -> Event:
    # Validated when `load-events` stored it; read back through the same model. Only the
    # counters change from one read to the next (a crowd's lost claims each bring the row
    # back): the same text is the same (frozen) event, validated once per instance.
    event = Event.model_validate_json(text)
    # A cancelled event reads as closed by hand, wherever it is read: the form refuses posts
    # (`registration_closed`), GET /events and the page say closed, whatever a later
    # `load-events` of the file says. The schedule tells the two apart (`announcements`).
    return event.model_copy(update={"closed": True}) if cancelled else event
