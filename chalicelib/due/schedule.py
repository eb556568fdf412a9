"""The scheduled function: every event's due mails at `now`, each sent once.

Run every 15 minutes in AWS (`app.send_due`), every few seconds under `make run`, and once by
`cli send-due`. What is due is `owed`'s business; every mail goes through the mail function's one
send-once path (`Outbox.send`: claimed in a mail row, sent, marked; a permanent failure parked
and reported), so two runs at once, or a run retried by Lambda, send nothing twice.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.config.aws import error_name
from chalicelib.due import notices, owed
from chalicelib.due.digest import send_digest
from chalicelib.due.reports import organiser_closing
from chalicelib.mail.outbox import Outbox
from chalicelib.model.events import expiry_epoch
from chalicelib.model.registration import utc_iso
from chalicelib.seats.numbering import settle
from chalicelib.store import CLOSING_MAIL, REMINDER_MAIL, EventRecord, Store, event_owner

logger = logging.getLogger(__name__)


@dataclass
class Report:
    """What one run did: mails sent now, by kind, and the events whose mails met a transient
    failure (retried by the next run)."""

    sent: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # event id -> the error's name
    numbered: int = 0  # registrations left pending by a request that ended, numbered now

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def count(self, kind: str, sent: int) -> None:
        if sent:
            self.sent[kind] = self.sent.get(kind, 0) + sent


class Schedule:
    def __init__(self, store: Store, outbox: Outbox) -> None:
        self.store = store
        self.outbox = outbox

    def run(self, now: datetime, event_ids: list[str] | None = None, *, retry_failed: bool = False) -> Report:
        """Send what is due at `now` for every stored event (or `event_ids`). An event whose mail
        fails transiently is named in the report and the others go on; `retry_failed` also tries
        mails parked as failed once more (an admin's replay)."""
        report = Report()
        if event_ids is None:
            records = self.store.event_rows.all()
        else:
            records = [r for r in (self.store.event_rows.find(e, consistent=True) for e in event_ids) if r is not None]
        for record in records:
            try:
                self._event(record, now, report, retry_failed)
            except Exception as exc:
                # No message: SES names rejected recipients in its messages.
                logger.warning(
                    "due mails of %s failed (%s); the next run tries again", record.event.event_id, error_name(exc)
                )
                report.failed[record.event.event_id] = error_name(exc)
        return report

    def _event(self, record: EventRecord, now: datetime, report: Report, retry_failed: bool) -> None:
        event = record.event
        if self.store.pending_rows.first(event.event_id) is not None:
            # Joined the queue, but their request ended before anyone placed them (it
            # answered 503): they get their seat or place now, and their mails as anyone does.
            # A failure here is reported like a mail's, and holds back none of the mails.
            try:
                report.numbered += settle(self.store, event.event_id, utc_iso(now))
            except Exception as exc:
                logger.warning("numbering %s failed (%s); the next run tries again", event.event_id, error_name(exc))
                report.failed[event.event_id] = error_name(exc)
        if record.announcements.owed and now < event.ends_instant:
            # A change or the cancellation whose notices the command could not all send.
            told = notices.send_notices(self.store, self.outbox, record, now, retry_failed=retry_failed)
            report.count(told.family, told.sent)
            report.count(notices.ORGANISERS_CANCELLED, int(told.organisers_told))
        # A cancelled event reads as closed; it owes nobody a closing mail or a reminder.
        cancelled = record.announcements.cancelled_at is not None
        closing = None if cancelled else owed.closing_reason(event, record.confirmed, now)
        remind = not cancelled and owed.reminders_due(event, now)
        day = owed.digest_day(event, now)
        if closing is None and not remind and day is None:
            return  # nothing due: no Query
        # Read once, and only when a mail needs them: a day's digest that went needs none.
        registrations = functools.cache(lambda: self.store.registration_rows.of_event(event.event_id, consistent=True))
        if closing is not None:
            items = registrations()
            counts = owed.counts(items)
            owner = event_owner(event.event_id, expiry_epoch(event))
            builders = {CLOSING_MAIL: lambda: organiser_closing(event, closing, counts, items)}
            report.count(
                CLOSING_MAIL,
                self.outbox.send(owner, [CLOSING_MAIL], now, record, builders=builders, retry_failed=retry_failed),
            )
        if remind:
            for item in owed.reminder_recipients(registrations(), owed.reminder_at(event) or now):
                report.count(
                    REMINDER_MAIL, self.outbox.send(item, [REMINDER_MAIL], now, record, retry_failed=retry_failed)
                )
        if day is not None:
            sent = send_digest(self.store, self.outbox, record, registrations, day, now, retry_failed=retry_failed)
            report.count("organiser_digest", sent)
