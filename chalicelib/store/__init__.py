"""DynamoDB: the only package that knows the table's keys, items and expressions.

`Store` is the table as the rest of the service sees it, one part per concern:

    store.event_rows          event rows: definitions and seat counters      (event_rows.py)
    store.registration_rows   reading registrations, the waiting list        (registration_rows.py)
    store.seat_transactions   the transactions that take or hand over seats  (seat_transactions.py)
    store.pending_rows        joining the queue, placed in groups            (pending_rows.py)
    store.mail_rows           mail rows: claims, sent, failed; SES feedback  (mail_rows.py)
    store.scans               whole-table scans for personal-data requests   (scans.py)

Keys and attribute names live in keys.py, the value codec and what DynamoDB's errors
mean in codec.py, paging and transactions in table.py, how long a request may keep calling
and how every retry waits in budget.py, and what the store raises in store_errors.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from chalicelib.config import aws
from chalicelib.store.budget import REQUEST_SECONDS, Budget, bounded
from chalicelib.store.event_rows import EventRecord, EventRows
from chalicelib.store.keys import CLOSING_MAIL, EVENT_MAILS, REMINDER_MAIL, digest_mail
from chalicelib.store.mail_rows import GONE, EventMails, MailOwner, MailRow, MailRows, event_owner
from chalicelib.store.pending_rows import PendingRows, Queue
from chalicelib.store.registration_rows import RegistrationRows
from chalicelib.store.scans import Scans
from chalicelib.store.seat_transactions import HourlyLimit, SeatTransactions
from chalicelib.store.table import Table

__all__ = [
    "CLOSING_MAIL",
    "EVENT_MAILS",
    "GONE",
    "REMINDER_MAIL",
    "EventMails",
    "EventRecord",
    "HourlyLimit",
    "MailOwner",
    "MailRow",
    "Queue",
    "Store",
    "digest_mail",
    "event_owner",
]


class Store:
    """The table `table_name`, reached through the client `client()` returns; whoever waits for
    the table (a retry, a registrant waiting for its number) waits with `sleep`, and budgets
    (`within`) count time with `clock`."""

    def __init__(
        self,
        table_name: str,
        client: Callable[[], Any] = aws.dynamodb,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table_name = table_name
        self.table = Table(table_name, client, sleep, clock)
        self.event_rows = EventRows(self.table)
        self.registration_rows = RegistrationRows(self.table)
        self.seat_transactions = SeatTransactions(self.table)
        self.pending_rows = PendingRows(self.table)
        self.mail_rows = MailRows(self.table)
        self.scans = Scans(self.table)

    def within(self, seconds: float = REQUEST_SECONDS) -> AbstractContextManager[Budget]:
        """Serve one request that must be answered within `seconds`: inside, no call starts
        that could not end in time, and every retry loop draws on that one budget."""
        return bounded(Budget.of(seconds, self.table.sleep, self.table.clock))
