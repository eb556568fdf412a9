"""DynamoDB: the only package that knows the table's keys, items and expressions.

`Store` is the table as the rest of the service sees it, one part per concern:

    store.events          event rows: definitions and seat counters      (events.py)
    store.registrations   reading registrations, the waiting list        (registrations.py)
    store.seats           the transactions that take or hand over seats  (seat_transactions.py)
    store.pending         joining the waiting list, numbered in groups   (pending_rows.py)
    store.mail            mail rows: claims, sent, failed; SES feedback  (mail_rows.py)
    store.scans           whole-table scans for personal-data requests   (scans.py)

Keys and attribute names live in keys.py, the value codec and what DynamoDB's errors
mean in codec.py, paging and transactions in table.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.config import aws
from chalicelib.store.codec import StoreUnavailable
from chalicelib.store.event_rows import CapacityBelowTaken, EventRecord, EventRows
from chalicelib.store.keys import CLOSING_MAIL, EVENT_MAILS, REMINDER_MAIL, digest_mail
from chalicelib.store.mail_rows import GONE, EventMails, MailOwner, MailRow, MailRows, event_owner
from chalicelib.store.pending_rows import PendingRows, Queue
from chalicelib.store.registration_rows import RegistrationRows
from chalicelib.store.scans import Scans
from chalicelib.store.seat_transactions import (
    AlreadyRegistered,
    Claim,
    ClaimLost,
    HourlyLimit,
    Join,
    RateLimited,
    Seat,
    SeatTransactions,
    WaitlistPlace,
)
from chalicelib.store.table import Table

__all__ = [
    "CLOSING_MAIL",
    "EVENT_MAILS",
    "GONE",
    "REMINDER_MAIL",
    "AlreadyRegistered",
    "CapacityBelowTaken",
    "Claim",
    "ClaimLost",
    "EventMails",
    "EventRecord",
    "HourlyLimit",
    "Join",
    "MailOwner",
    "MailRow",
    "Queue",
    "RateLimited",
    "Seat",
    "Store",
    "StoreUnavailable",
    "WaitlistPlace",
    "digest_mail",
    "event_owner",
]


class Store:
    """The table `table_name`, reached through the client `client()` returns."""

    def __init__(self, table_name: str, client: Callable[[], Any] = aws.dynamodb) -> None:
        self.table_name = table_name
        self.table = Table(table_name, client)
        self.events = EventRows(self.table)
        self.registrations = RegistrationRows(self.table)
        self.seats = SeatTransactions(self.table)
        self.pending = PendingRows(self.table)
        self.mail = MailRows(self.table)
        self.scans = Scans(self.table)
