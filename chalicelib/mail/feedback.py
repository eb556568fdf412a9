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
- A notice not in that shape: logged (the part, never its value) and skipped, like one not
  about our mail; the delivery's other notices go on. Only the table or the alert topic being
  unavailable raises, which a retry mends.
"""

from __future__ import annotations

import json
import logging
import re
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


class Malformed(ValueError):
    """A notice that is not in SES's shape; names the part, never its value (it may be an address)."""


# What SES takes as a message tag's value: anything else is no tag of ours (and a key too long
# for DynamoDB would be refused as invalid, which no retry mends).
_TAG_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Our tags on every mail (`Outbox._try_send`), in the order `Notice` takes them.
_TAGS = ("event_id", "registration_id", "mail_kind")


def read_notice(message: dict[str, Any]) -> Notice | None:
    """A notice from SES's JSON (event publishing says `eventType`, identity notifications
    `notificationType`); None for deliveries, sends and anything else. Raises `Malformed` when
    a bounce or complaint is not in the shape SES documents; a part left out (or null) counts as empty."""
    kind = message.get("eventType") or message.get("notificationType")
    if kind == "Bounce":
        bounce = _object(message, "bounce")
        recipients = _recipients(bounce, "bouncedRecipients")
        bounce_type, subtype = _text(bounce, "bounceType"), _text(bounce, "bounceSubType")
        permanent, detail = bounce_type == "Permanent", f"{bounce_type}/{subtype}"
    elif kind == "Complaint":
        complaint = _object(message, "complaint")
        recipients = _recipients(complaint, "complainedRecipients")
        permanent, detail = True, _text(complaint, "complaintFeedbackType") or "complaint"
    else:
        return None  # what a delivery or a send says is never read
    tags = _object(_object(message, "mail"), "tags")
    return Notice(kind, recipients, permanent, detail, *(_tag(tags, name) for name in _TAGS))


def _object(parent: dict[str, Any], name: str) -> dict[str, Any]:
    """`parent[name]`, a JSON object; empty when left out (or null)."""
    value = {} if parent.get(name) is None else parent[name]
    if not isinstance(value, dict):
        raise Malformed(f"{name} is not an object")
    return value


def _list(parent: dict[str, Any], name: str) -> list[Any]:
    """`parent[name]`, a JSON list; empty when left out (or null)."""
    value = [] if parent.get(name) is None else parent[name]
    if not isinstance(value, list):
        raise Malformed(f"{name} is not a list")
    return value


def _text(parent: dict[str, Any], name: str) -> str:
    """`parent[name]`, a string; empty when left out (or null)."""
    value = "" if parent.get(name) is None else parent[name]
    if not isinstance(value, str):
        raise Malformed(f"{name} is not a string")
    return value


def _recipients(parent: dict[str, Any], name: str) -> tuple[str, ...]:
    recipients = _list(parent, name)
    if not all(isinstance(r, dict) and isinstance(r.get("emailAddress"), str) for r in recipients):
        raise Malformed(f"a recipient in {name} has no emailAddress")
    return tuple(r["emailAddress"] for r in recipients)


def _tag(tags: dict[str, Any], name: str) -> str | None:
    """Our tag `name` (SES gives each tag as a list of values); None when it is not there."""
    values = _list(tags, name)
    if not values:
        return None
    if not isinstance(values[0], str) or not _TAG_VALUE.fullmatch(values[0]):
        raise Malformed(f"tag {name} is not a tag value")
    return values[0]


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
        try:
            notice = read_notice(message) if isinstance(message, dict) else None
        except Malformed as exc:
            # Skipped, not raised: SNS would deliver it again and again, then dead-letter it.
            logger.warning("an SES notice not in SES's shape (%s); skipped", exc)
            continue
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
