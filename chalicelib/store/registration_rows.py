"""Reading registrations: of an event, one by id, the waiting list, the holder of an address,
and the new state a stream record carries."""

from __future__ import annotations

from typing import Any

from chalicelib.model.registration import Registration
from chalicelib.store.codec import item, plain
from chalicelib.store.keys import REGISTRATION_PREFIX, is_registration, marker_key, pending_key, registration_key
from chalicelib.store.table import Table


def registration_of(stored: dict[str, Any]) -> Registration:
    """A stored registration item as the typed record."""
    return Registration.from_stored(plain(stored))


class RegistrationRows:
    def __init__(self, table: Table) -> None:
        self.table = table

    def of_event(self, event_id: str, *, consistent: bool = False) -> list[Registration]:
        """Every registration of `event_id`, in arrival order."""
        items = self.table.every(
            "query",
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=item({":e": event_id, ":p": REGISTRATION_PREFIX}),
            ConsistentRead=consistent,
        )
        return [registration_of(i) for i in items]

    def get(self, event_id: str, registration_id: str, *, pending: bool = True) -> Registration | None:
        """The registration, read consistently: numbered, or (unless not `pending`) still
        pending (joining the list).

        A pending row moves to its registration row in one transaction, which may fall between
        two reads: so when neither was found, the registration row is read once more."""
        keys = (registration_key, pending_key, registration_key) if pending else (registration_key,)
        for key in keys:
            response = self.table.db().get_item(
                TableName=self.table.name, Key=key(event_id, registration_id), ConsistentRead=True
            )
            if "Item" in response:
                return registration_of(response["Item"])
        return None

    def waiting(self, event_id: str) -> list[Registration]:
        """The waitlisted registrations of `event_id`, first in line first."""
        # Consistent: a waiting person missed by a stale read would lose the seat to someone later.
        # Still one Query over the event's registrations (the filter only saves the transfer).
        items = self.table.every(
            "query",
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            FilterExpression="#status = :waitlisted",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=item({":e": event_id, ":p": REGISTRATION_PREFIX, ":waitlisted": "waitlisted"}),
            ConsistentRead=True,
        )
        return sorted((registration_of(i) for i in items), key=lambda registration: registration.waitlist_position or 0)

    def first_waiting(self, event_id: str) -> Registration | None:
        """The waitlisted registration with the lowest number, if any."""
        return next(iter(self.waiting(event_id)), None)

    def holder_of_address(self, event_id: str, email: str) -> Registration | None:
        """The registration holding `email`'s one-per-address marker in `event_id`, read
        consistently (an answer about it must not be older than a write just made)."""
        marker = self.marker(event_id, email)
        return self.get(event_id, marker["registration_id"]) if marker else None

    def marker(self, event_id: str, email: str) -> dict[str, Any] | None:
        """The one-per-address marker of `email` in `event_id`, if any."""
        response = self.table.db().get_item(
            TableName=self.table.name, Key=marker_key(event_id, email), ConsistentRead=True
        )
        return plain(response["Item"]) if "Item" in response else None

    def marker_of(self, registration: Registration) -> dict[str, Any] | None:
        """`registration`'s marker, if the address's marker is still its own."""
        marker = self.marker(registration.event_id, registration.email)
        return marker if marker and marker.get("registration_id") == registration.registration_id else None

    @staticmethod
    def changed(record: dict[str, Any]) -> Registration | None:
        """The new state of a registration from a stream record; None for any other item or a removal."""
        image = record.get("dynamodb", {}).get("NewImage")
        if not image or not is_registration(image.get("sk", {}).get("S", "")):
            return None
        return registration_of(image)
