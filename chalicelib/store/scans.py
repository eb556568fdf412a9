"""Scans over the whole table: for an admin's requests about one person, never on the request path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.model.registration import Registration
from chalicelib.store.codec import condition_failed, item, plain
from chalicelib.store.keys import (
    EVENT_MAILS,
    MAIL_PREFIX,
    PENDING_PREFIX,
    REGISTRATION_PREFIX,
    complaint_sk,
    mail_of,
    marker_sk,
)
from chalicelib.store.table import Table


@dataclass(frozen=True)
class Row:
    """One item's key, and the item as plain values."""

    event_id: str
    sk: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Traces:
    """Every row that names one address, or that an erasure of it cut short left behind."""

    registrations: list[Registration]  # in any event and any state, pending too
    markers: list[Row]  # one-per-address markers naming none of `registrations` (left over)
    complaints: list[Row]  # "no more mail to this address" in an event
    # Mail rows whose registration is gone: an erasure stopped before it deleted them (or
    # the registration expired first). They hold its id and perhaps an SES reason quoting the
    # address; nothing else can reach them any more.
    orphaned_mails: list[Row]


class Scans:
    def __init__(self, table: Table) -> None:
        self.table = table

    def registrations_of(self, email: str) -> list[Registration]:
        """Every registration of `email`, in any event and any state (pending too)."""
        return self.traces_of(email).registrations

    def traces_of(self, email: str) -> Traces:
        """Everything stored that names `email` (or is left by its erasure), in one pass.

        A whole-table scan, read consistently (`forget` right after a registration must find
        it). Within a partition the scan meets mail rows before registration rows (keys sort
        so), and a mail row is only ever written for a registration that exists: so a mail row
        whose registration the same scan does not find is one whose registration is gone."""
        wanted = email.strip().lower()
        rows = [
            Row(found["event_id"], found["sk"], found)
            for found in map(plain, self.table.every("scan", ConsistentRead=True))
        ]
        # Every registration's key, pending or placed (a mail row names one of them); only the
        # person's own rows are read as registrations.
        kept = [row for row in rows if row.sk.startswith((REGISTRATION_PREFIX, PENDING_PREFIX))]
        present = {(row.event_id, row.sk.rpartition("#")[2]) for row in kept}
        mine = [Registration.from_stored(row.values) for row in kept if row.values.get("email", "").lower() == wanted]
        mine_ids = {(r.event_id, r.registration_id) for r in mine}
        return Traces(
            registrations=mine,
            markers=[
                row
                for row in rows
                if row.sk == marker_sk(wanted) and (row.event_id, row.values.get("registration_id")) not in mine_ids
            ],
            complaints=[row for row in rows if row.sk == complaint_sk(wanted)],
            orphaned_mails=[
                row
                for row in rows
                if row.sk.startswith(MAIL_PREFIX)
                and (owner := mail_of(row.sk)[0]) != EVENT_MAILS
                and (row.event_id, owner) not in present
            ],
        )

    def delete(self, row: Row, *, unchanged: str | None = None) -> bool:
        """Delete `row`; with `unchanged` (an attribute), only while that attribute holds what
        `row` read. False when it was gone already, or changed."""
        condition: dict[str, Any] = {}
        if unchanged is not None:
            condition = {
                "ConditionExpression": "#a = :v",
                "ExpressionAttributeNames": {"#a": unchanged},
                "ExpressionAttributeValues": item({":v": row.values.get(unchanged)}),
            }
        try:
            response = self.table.db().delete_item(
                TableName=self.table.name,
                Key=item({"event_id": row.event_id, "sk": row.sk}),
                ReturnValues="ALL_OLD",
                **condition,
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return "Attributes" in response
