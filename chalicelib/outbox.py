"""The mail function: registrations in the table -> every mail they call for, each sent once.

Fed by the table's stream (and by `cli send-mails` to replay). Which mails a
registration calls for follows from its stored state alone, so handling the
same record twice, late or out of order sends nothing twice: each mail is
claimed with a conditional write before it is sent and marked after.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from chalicelib.links import CancelClaim, cancel_url
from chalicelib.logs import safe_reason
from chalicelib.mail import Mailer, OutgoingMail
from chalicelib.notifications import (
    organiser_cancellation,
    organiser_notification,
    organiser_promotion,
    registrant_cancellation,
    registrant_confirmation,
    registrant_waitlist_notice,
)
from chalicelib.registration import registration_from_item
from chalicelib.settings import Settings
from chalicelib.store import EventRecord, Store

logger = logging.getLogger(__name__)


def mails_due(item: dict[str, Any]) -> list[str]:
    """The mails a registration in this state has called for, in the order they are sent."""
    kinds = ["organiser_new"]
    promoted, cancelled = "promoted_at" in item, "cancelled_at" in item
    if promoted:
        kinds += ["registrant_promoted", "organiser_promoted"]
    elif not cancelled:
        # A notice that was never sent is no use once the registration is cancelled.
        kinds.append("registrant_waitlisted" if item.get("waitlist_position") else "registrant_confirmed")
    if cancelled:
        kinds += ["organiser_cancelled", "registrant_cancelled"]
    return kinds


class Outbox:
    def __init__(self, store: Store, mailer: Mailer, settings: Settings) -> None:
        settings.require("link_secret", "public_api_url")
        self.store = store
        self.mailer = mailer
        self.link_secret = str(settings.link_secret)
        self.public_api_url = str(settings.public_api_url)

    def deliver(self, item: dict[str, Any], now: datetime, events: dict[str, EventRecord | None]) -> int:
        """Send every mail `item` calls for that is not sent yet; returns how many were sent.

        Raises on the first failure, after giving its claim back."""
        event_id = item["event_id"]
        if event_id not in events:
            events[event_id] = self.store.find_event(event_id)
        record = events[event_id]
        if record is None:
            logger.warning("no event %s for registration %s; no mail", event_id, item["registration_id"])
            return 0
        sent = 0
        for kind in mails_due(item):
            if not self.store.claim_mail(item, kind, now):
                continue
            try:
                message_id = self.mailer.send(self._build(kind, record, item, now))
            except Exception:
                self.store.release_mail(item, kind)
                raise
            self.store.mark_mail_sent(item, kind, message_id, now)
            logger.info("sent %s for %s", kind, item["registration_id"])
            sent += 1
        return sent

    def handle_stream(self, records: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
        """A stream batch; answers with the first record that failed, so Lambda retries from there
        (ReportBatchItemFailures) and keeps the order."""
        events: dict[str, EventRecord | None] = {}
        for record in records:
            item = self.store.changed_registration(record)
            if item is None:
                continue
            try:
                self.deliver(item, now, events)
            except Exception as exc:
                # No traceback or message: SES names rejected recipients in its messages.
                logger.warning("mail for %s failed (%s); retried from it", item["registration_id"], safe_reason(exc))
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    def _build(self, kind: str, record: EventRecord, item: dict[str, Any], now: datetime) -> OutgoingMail:
        event = record.event
        registration = registration_from_item(event, item)
        link = cancel_url(
            self.public_api_url,
            self.link_secret,
            CancelClaim(event.event_id, registration.registration_id, int(event.ends_instant.timestamp())),
        )
        domain = self.mailer.sender.rpartition("@")[2]
        if kind == "organiser_new":
            # Told as it happened: a later promotion or cancellation has its own mail.
            first_status = "waitlisted" if item.get("waitlist_position") else "confirmed"
            return organiser_notification(event, dataclasses.replace(registration, status=first_status))
        if kind == "registrant_confirmed":
            return registrant_confirmation(event, registration, link, uid_domain=domain, now=now, promoted=False)
        if kind == "registrant_promoted":
            return registrant_confirmation(event, registration, link, uid_domain=domain, now=now, promoted=True)
        if kind == "registrant_waitlisted":
            return registrant_waitlist_notice(event, registration, link)
        if kind == "organiser_promoted":
            return organiser_promotion(event, registration, item.get("waitlist_position"))
        if kind == "organiser_cancelled":
            was_waiting = item.get("waitlist_position") if "promoted_at" not in item else None
            return organiser_cancellation(event, registration, was_waiting)
        if kind == "registrant_cancelled":
            return registrant_cancellation(event, registration)
        raise ValueError(f"unknown mail kind {kind!r}")
