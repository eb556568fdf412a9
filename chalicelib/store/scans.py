"""Scans over the whole table: for an admin's requests about one person, never on the request path."""

from __future__ import annotations

from chalicelib.model.registration import Registration
from chalicelib.store.codec import item
from chalicelib.store.keys import PENDING_PREFIX, REGISTRATION_PREFIX
from chalicelib.store.registration_rows import registration_of
from chalicelib.store.table import Table


class Scans:
    def __init__(self, table: Table) -> None:
        self.table = table

    def registrations_of(self, email: str) -> list[Registration]:
        """Every registration of `email`, in any event and any state (pending too)."""
        wanted = email.strip().lower()
        items = self.table.every(
            "scan",
            FilterExpression="begins_with(sk, :registration) OR begins_with(sk, :pending)",
            ExpressionAttributeValues=item({":registration": REGISTRATION_PREFIX, ":pending": PENDING_PREFIX}),
            ConsistentRead=True,  # `forget` right after a registration must find it
        )
        found = [registration_of(i) for i in items]
        return [registration for registration in found if registration.email.lower() == wanted]
