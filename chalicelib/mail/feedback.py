"""What SES reports back about sent mail: bounces and complaints, through SNS.

SES publishes them through the configuration set's event destination (infra/template.json)
as the JSON its developer guide documents ("Contents of event data that Amazon SES
publishes to Amazon SNS"); the mail's tags (`Mailer.send`) name the registration.

- A registrant's mail bounced for good: the registration is marked (`mail_problem`:
  `bounced`, seen in exports, the admin API and the console) and the stream takes the change
  to the mail function, which tells the organisers once that the address probably has a typo.
- A registrant complained (marked our mail as spam): marked `complaint`, and no further mail
  of this event goes to the address.
- A mail to the organisers bounced or drew a complaint: an alert, since the organisers
  cannot be told by mail.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from chalicelib.mail.alerts import Alerts
from chalicelib.store import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One bounce or complaint about one mail we sent."""

    kind: str  # "Bounce" or "Complaint"
    recipients: tuple[str, ...]  # the addresses it is about
    permanent: bool  # a bounce SES gave up on (a complaint always counts)
    detail: str  # SES's bounce type and subtype ("Permanent/NoEmail"), or the complaint's kind
    event_id: str | None
    registration_id: str | None
    mail_kind: str | None


def read_notice(message: dict[str, Any]) -> Notice | None:
    """A notice from SES's JSON (event publishing says `eventType`, identity notifications
    `notificationType`); None for deliveries, sends and anything else."""
    kind = message.get("eventType") or message.get("notificationType")
    mail = message.get("mail") or {}
    tags = mail.get("tags") or {}

    def tag(name: str) -> str | None:
        values = tags.get(name) or [None]
        return str(values[0]) if values[0] else None

    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        recipients = tuple(str(r.get("emailAddress", "")) for r in bounce.get("bouncedRecipients", []))
        permanent = bounce.get("bounceType") == "Permanent"
        detail = f"{bounce.get('bounceType', '')}/{bounce.get('bounceSubType', '')}"
    elif kind == "Complaint":
        complaint = message.get("complaint") or {}
        recipients = tuple(str(r.get("emailAddress", "")) for r in complaint.get("complainedRecipients", []))
        permanent = True
        detail = str(complaint.get("complaintFeedbackType") or "complaint")
    else:
        return None
    return Notice(kind, recipients, permanent, detail, tag("event_id"), tag("registration_id"), tag("mail_kind"))


def handle_sns(records: list[dict[str, Any]], store: Store, alerts: Alerts, at: str) -> int:
    """Act on every notice in an SNS delivery; returns how many changed something.

    A notice that cannot be read is logged and skipped (SNS would only deliver it again);
    DynamoDB or SNS being unavailable raises, so Lambda retries the delivery."""
    acted = 0
    for record in records:
        try:
            message = json.loads(record["Sns"]["Message"])
        except (KeyError, TypeError, ValueError):
            logger.warning("an SNS record that is not an SES notice; skipped")
            continue
        notice = read_notice(message) if isinstance(message, dict) else None
        if notice is not None:
            acted += apply_notice(notice, store, alerts, at)
    return acted


def apply_notice(notice: Notice, store: Store, alerts: Alerts, at: str) -> int:
    """Mark the registration or raise an alert; 1 if something changed, else 0."""
    if not notice.permanent:
        # SES retried a soft bounce (mailbox full, …) itself; it proves nothing about the address.
        logger.info("a transient bounce for %s; nothing to do", notice.registration_id)
        return 0
    if notice.event_id is None or notice.registration_id is None or notice.mail_kind is None:
        logger.warning("a %s about a mail without our tags; skipped", notice.kind.lower())
        return 0
    if not notice.mail_kind.startswith("registrant_"):
        alerts.publish(
            f"an organiser address of {notice.event_id} {'bounced' if notice.kind == 'Bounce' else 'complained'}",
            [
                f"SES reports a {notice.kind.lower()} ({notice.detail}) for the mail '{notice.mail_kind}' "
                f"about registration {notice.registration_id} of event {notice.event_id}, sent to the organisers.",
                "Check the organiser addresses in the event file; the organisers may be missing registrations.",
            ],
        )
        return 1
    registration = store.registration_rows.get(notice.event_id, notice.registration_id)
    addresses = {address.lower() for address in notice.recipients}
    if registration is None or registration.email.lower() not in addresses:
        logger.info("a %s for a registration that is gone or moved on; skipped", notice.kind.lower())
        return 0
    problem = "bounced" if notice.kind == "Bounce" else "complaint"
    changed = store.mail_rows.mark_problem(registration, problem, notice.detail, at)
    logger.info("registration %s marked %s (%s)", notice.registration_id, problem, "new" if changed else "already")
    return int(changed)
