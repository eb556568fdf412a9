"""The mail function: registrations in the table -> every mail they call for, each sent once.

Fed by the table's stream (and by `cli send-mails` to replay). Which mails a
registration calls for follows from its stored state alone, so handling the
same record twice, late or out of order sends nothing twice: each mail is
claimed with a conditional write before it is sent and marked after.

A failure is either transient (SES busy or down, our sender refused: raised, so the
stream retries from this record, in order) or permanent for that one mail
(`failures`): the mail row is parked as failed with its reason and the batch goes
on. Somebody is always told of a permanent failure: the organisers of a registrant's
mail, the alert topic of an organiser's mail (or of the organisers' notice itself).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.config.aws import error_name
from chalicelib.config.settings import Settings
from chalicelib.mail.alerts import Alerts
from chalicelib.mail.failures import UNBUILDABLE, permanent_reason
from chalicelib.mail.list_link import event_list_url, with_list_link
from chalicelib.mail.mime import OutgoingMail
from chalicelib.mail.notifications import (
    organiser_bounce,
    organiser_cancellation,
    organiser_notification,
    organiser_promotion,
    organiser_undeliverable,
    registrant_cancellation,
    registrant_confirmation,
    registrant_reminder,
    registrant_waitlist_notice,
)
from chalicelib.mail.sender import Mailer
from chalicelib.model.events import Event
from chalicelib.model.links import CancelLink, cancel_url
from chalicelib.model.registration import Registration, Status
from chalicelib.store import EVENT_MAILS, REMINDER_MAIL, EventRecord, MailOwner, MailRow, Store

logger = logging.getLogger(__name__)
# The organisers' notice that a registrant's mail `kind` failed for good: `undeliverable_<kind>`.
UNDELIVERABLE = "undeliverable_"
# The alert that an organisers' mail `kind` failed for good: `alert_<kind>`, published once.
ALERT = "alert_"


# The organisers' mails about the flow of registrations: `organiser_mails: daily` leaves them to
# the digest of the day, `none` holds them back. Each is told once, on its own or in a digest
# (`due.digest` claims the same mail rows), so what `daily` or `none` held back comes in the next
# digest after a switch too. Notices of a problem (a bounce, a mail not delivered) go whatever
# the setting: someone has to act on them.
FLOW_TO_ORGANISERS = frozenset({"organiser_new", "organiser_promoted", "organiser_cancelled"})
# The registrant's mails that offer a place: none goes once the event is cancelled.
SUPERSEDED_BY_CANCELLATION = frozenset({"registrant_confirmed", "registrant_promoted", "registrant_waitlisted"})


def mails_due(registration: Registration, organiser_mails: str = "each") -> list[str]:
    """The mails a registration in this state has called for, in the order they are sent."""
    kinds = ["organiser_new"]
    promoted, cancelled = registration.promoted_at is not None, registration.cancelled_at is not None
    if promoted:
        kinds += ["registrant_promoted", "organiser_promoted"]
    elif not cancelled:
        # A notice that was never sent is no use once the registration is cancelled.
        kinds.append("registrant_waitlisted" if registration.waitlist_position else "registrant_confirmed")
    if cancelled:
        kinds += ["organiser_cancelled", "registrant_cancelled"]
    if registration.mail_problem == "bounced":
        kinds.append("organiser_bounced")
    if organiser_mails != "each":
        kinds = [kind for kind in kinds if kind not in FLOW_TO_ORGANISERS]
    return kinds


def to_registrant(kind: str) -> bool:
    return kind.startswith("registrant_")


class Outbox:
    def __init__(self, store: Store, mailer: Mailer, settings: Settings, alerts: Alerts | None = None) -> None:
        settings.require("link_secret", "public_api_url")
        self.store = store
        self.mailer = mailer
        self.alerts = alerts or Alerts(settings.alert_topic_arn)
        self.link_secret = str(settings.link_secret)
        self.public_api_url = str(settings.public_api_url)

    def deliver(
        self,
        registration: Registration,
        now: datetime,
        events: dict[str, EventRecord | None],
        *,
        retry_failed: bool = False,
    ) -> int:
        """Send every mail `registration` calls for that is not sent yet; returns how many were sent.

        Raises on the first transient failure, after giving its claim back. `retry_failed`
        tries mails parked as failed once more (an admin's replay)."""
        event_id = registration.event_id
        if event_id not in events:
            events[event_id] = self.store.event_rows.find(event_id)
        record = events[event_id]
        if record is None:
            logger.warning("no event %s for registration %s; no mail", event_id, registration.registration_id)
            return 0
        kinds = mails_due(registration, record.event.organiser_mails)
        if record.announcements.cancelled_at is not None:
            # The event is cancelled: its notice is the last word a registrant gets; a
            # confirmation arriving after it (an outage held it back) would say the opposite.
            kinds = [kind for kind in kinds if kind not in SUPERSEDED_BY_CANCELLATION]
        return self.send(registration, kinds, now, record, retry_failed=retry_failed)

    def send(
        self,
        owner: MailOwner,
        kinds: list[str],
        now: datetime,
        record: EventRecord,
        *,
        builders: dict[str, Callable[[], OutgoingMail]] | None = None,
        retry_failed: bool = False,
    ) -> int:
        """Send each mail of `kinds` about `owner` (a stored registration, or the event's own
        `event_owner`) that is not sent yet, exactly once; returns how many went now. The path of
        every mail: claim, build, send, mark; a permanent failure parked and passed on.

        `builders` makes the mails this module does not know (the schedule's reports). Raises on
        the first transient failure, after giving its claim back."""
        letter = _Letter(record, owner, now, builders=builders or {})
        return sum(self._send_once(kind, letter, retry_failed) for kind in kinds)

    def handle_stream(self, records: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
        """A stream batch; answers with the first record that failed, so Lambda retries from there
        (ReportBatchItemFailures) and keeps the order. Only transient failures get here."""
        events: dict[str, EventRecord | None] = {}
        for record in records:
            registration = self.store.registration_rows.changed(record)
            if registration is None:
                continue
            try:
                self.deliver(registration, now, events)
            except Exception as exc:
                # No traceback or message: SES names rejected recipients in its messages.
                logger.warning(
                    "mail for %s failed (%s); retried from it", registration.registration_id, error_name(exc)
                )
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    def _send_once(self, kind: str, letter: _Letter, retry_failed: bool) -> int:
        """Claim, build and send mail `kind`; 1 if it went now. A permanent failure is parked and
        passed on (`_after_failure`), also when an earlier run parked it."""
        owner = letter.owner
        row = self.store.mail_rows.claim(owner, kind, letter.now, retry_failed=retry_failed)
        if row is None:
            if to_registrant(kind) and self._complained(owner):
                self.store.mail_rows.mark_suppressed(owner, kind, letter.now)
                logger.info("%s for %s not sent: the address complained", kind, owner.registration_id)
                return 0
            reason = self._try_send(kind, letter)
            if reason is None:
                return 1
            self.store.mail_rows.mark_failed(owner, kind, reason, letter.now)
            logger.warning("%s for %s failed for good: %s", kind, owner.registration_id, reason)
            row = MailRow("failed", reason)
        if row.state == "failed":
            return self._after_failure(kind, row.reason or UNBUILDABLE, letter, retry_failed)
        return 0

    def _try_send(self, kind: str, letter: _Letter) -> str | None:
        """Send a claimed mail: None when SES took it, else the reason it never can. A transient
        failure gives the claim back and raises."""
        owner = letter.owner
        try:
            mail = self._build(kind, letter)
            if not to_registrant(kind):  # every organisers' mail links to the live list
                event = letter.record.event
                mail = with_list_link(mail, event, event_list_url(self.public_api_url, self.link_secret, event))
            raw = self.mailer.render(mail)
        except Exception as exc:
            # The type only: the message may quote the submitted text.
            logger.warning("%s for %s cannot be built: %s", kind, owner.registration_id, error_name(exc))
            return UNBUILDABLE
        tags = {"event_id": owner.event_id, "registration_id": owner.registration_id, "mail_kind": kind}
        try:
            message_id = self.mailer.send(mail, raw, tags)
        except Exception as exc:
            reason = permanent_reason(exc, self.mailer.sender)
            if reason is None:
                self.store.mail_rows.release(owner, kind)
                raise
            return reason
        self.store.mail_rows.mark_sent(owner, kind, message_id, letter.now)
        logger.info("sent %s for %s", kind, owner.registration_id)
        return None

    def _after_failure(self, kind: str, reason: str, letter: _Letter, retry_failed: bool) -> int:
        """Tell somebody, once: the organisers of a registrant's mail, the alert topic of theirs."""
        if to_registrant(kind):
            letter.failures[kind] = reason
            return self._send_once(UNDELIVERABLE + kind, letter, retry_failed)
        if kind.startswith(ALERT):
            return 0
        self._publish_once(ALERT + kind, letter, lambda: self._alert_failed_mail(kind, reason, letter))
        return 0

    def _publish_once(self, kind: str, letter: _Letter, publish: Callable[[], None]) -> None:
        """An alert claimed like a mail, so a retried batch does not publish it twice."""
        if self.store.mail_rows.claim(letter.owner, kind, letter.now) is not None:
            return
        try:
            publish()
        except Exception:
            self.store.mail_rows.release(letter.owner, kind)
            raise
        self.store.mail_rows.mark_sent(letter.owner, kind, "alert", letter.now)

    def _alert_failed_mail(self, kind: str, reason: str, letter: _Letter) -> None:
        owner = letter.owner
        if owner.registration_id == EVENT_MAILS:
            about, stored, replay = "", "The registrations are stored", "send-due --retry-failed"
        else:
            about, stored, replay = (
                f"about registration {owner.registration_id} ",
                "The registration itself is stored",
                "send-mails --retry-failed",
            )
        self.alerts.publish(
            f"a mail to the organisers of {owner.event_id} failed for good",
            [
                f"The mail '{kind}' {about}of event {owner.event_id} "
                f"could not be delivered to the organisers: {reason}.",
                f"{stored}. Check the organiser addresses in the event file "
                "(and, while SES is in the sandbox, that they are verified), then replay with "
                f"`python -m chalicelib.cli --stage prod {replay} {owner.event_id}`.",
            ],
        )

    def cancel_link(self, event: Event, registration: Registration) -> str:
        """The registrant's signed cancel link, valid until the event ends."""
        expires = int(event.ends_instant.timestamp())
        return cancel_url(
            self.public_api_url, self.link_secret, CancelLink(event.event_id, registration.registration_id, expires)
        )

    def _complained(self, owner: MailOwner) -> bool:
        if not isinstance(owner, Registration):
            return False
        return owner.mail_problem == "complaint" or self.store.mail_rows.complained(owner.event_id, owner.email)

    def _build(self, kind: str, letter: _Letter) -> OutgoingMail:
        if kind in letter.builders:
            return letter.builders[kind]()
        event, registration = letter.record.event, letter.registration
        if kind.startswith(UNDELIVERABLE):
            failed = kind.removeprefix(UNDELIVERABLE)
            return organiser_undeliverable(event, registration, failed, letter.failures.get(failed, UNBUILDABLE))
        if kind == "organiser_new":
            # Told as it happened: a later promotion or cancellation has its own mail.
            first_status = Status.WAITLISTED if registration.waitlist_position else Status.CONFIRMED
            return organiser_notification(event, dataclasses.replace(registration, status=first_status))
        if kind == "organiser_promoted":
            return organiser_promotion(event, registration, registration.waitlist_position)
        if kind == "organiser_cancelled":
            was_waiting = registration.waitlist_position if registration.promoted_at is None else None
            return organiser_cancellation(event, registration, was_waiting)
        if kind == "organiser_bounced":
            return organiser_bounce(event, registration)
        if kind == "registrant_cancelled":
            return registrant_cancellation(event, registration)
        link = self.cancel_link(event, registration)
        if kind == "registrant_waitlisted":
            return registrant_waitlist_notice(event, registration, link)
        domain = self.mailer.sender.rpartition("@")[2]
        sequence = letter.record.announcements.sequence  # the latest change's calendar file supersedes
        if kind == REMINDER_MAIL:
            return registrant_reminder(event, registration, link, uid_domain=domain, now=letter.now, sequence=sequence)
        if kind in ("registrant_confirmed", "registrant_promoted"):
            promoted = kind == "registrant_promoted"
            return registrant_confirmation(
                event, registration, link, uid_domain=domain, now=letter.now, promoted=promoted, sequence=sequence
            )
        raise ValueError(f"unknown mail kind {kind!r}")


@dataclasses.dataclass
class _Letter:
    """One owner's mails in one run: its event, the registration (or the event's `event_owner`),
    the builders of mails made elsewhere, and what failed."""

    record: EventRecord
    owner: MailOwner
    now: datetime
    builders: dict[str, Callable[[], OutgoingMail]] = dataclasses.field(default_factory=dict)
    failures: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def registration(self) -> Registration:
        if not isinstance(self.owner, Registration):  # the event's own mails have their builders
            raise TypeError(f"no registration behind the mails of {self.owner.event_id}")
        return self.owner
