"""What an event's latest announcement owes its registrants: the notice of a change of
time or place (`notify-change`), or of the cancellation (`cancel-event`), to everyone confirmed or
waiting, each sent once.

The command sends them at once; whatever it could not send (SES down), the due function sends at
its next run, for as long as the event row says they may be owed (`Announcements.owed`). Every
notice goes the outbox's one path (claimed in a mail row, sent, marked; a permanent failure
parked and told to the organisers), so the two never send one twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.mail.changes import organiser_event_cancelled, registrant_changed, registrant_event_cancelled
from chalicelib.mail.mime import OutgoingMail
from chalicelib.mail.outbox import Outbox
from chalicelib.model.appointment import Announcements, as_announced
from chalicelib.model.events import Event, expiry_epoch
from chalicelib.model.registration import ACTIVE, Registration
from chalicelib.store import EventRecord, Store, event_owner
from chalicelib.store.keys import kind_family

# `registrant_changed_<sequence>`: one per change, so a second change is told even to those told of
# the first. `registrant_` makes the outbox treat it as the registrant's (a complaint suppresses it;
# a failure brings the organisers a "Nicht zugestellt" mail).
CHANGED_PREFIX = "registrant_changed_"
CANCELLED = "registrant_event_cancelled"
ORGANISERS_CANCELLED = "organiser_event_cancelled"
# A registration may still be stored this long after the cancellation was written: the API keeps
# an event for 10 s (`api.event_cache`) and a request runs at most 25 s. Until then the due
# function keeps looking for someone to tell.
LATE_REGISTRATION = timedelta(seconds=60)
# Mail rows that need nothing more: sent, or not sent because the address complained.
_FINISHED = frozenset({"sent", "suppressed"})


@dataclass(frozen=True)
class Told:
    """One sweep: the registrants' mail kind, how many went now, and, of those owed a notice, how
    many have had it (now or before) and how many it could not reach (parked, or suppressed)."""

    kind: str
    sent: int = 0
    told: int = 0
    not_delivered: int = 0
    organisers_told: bool = False

    @property
    def family(self) -> str:
        """The kind without its sequence, as reports count it: `registrant_changed`."""
        return kind_family(self.kind)


def notice_kind(announcements: Announcements) -> str | None:
    """The registrants' mail kind the latest announcement calls for; None before any."""
    if announcements.cancelled_at is not None:
        return CANCELLED
    return f"{CHANGED_PREFIX}{announcements.sequence}" if announcements.sequence else None


def recipients(announcements: Announcements, registrations: list[Registration]) -> list[Registration]:
    """Who is told: everyone confirmed or waiting; of a change, only those stored before it was
    announced (a later registration's confirmation has the new time and place already)."""
    active = [r for r in registrations if r.status in ACTIVE]
    if announcements.cancelled_at is not None or announcements.changed_at is None:
        return active
    changed_at = datetime.fromisoformat(announcements.changed_at)
    # Stored in the very millisecond of the announcement: told rather than maybe missed.
    return [r for r in active if datetime.fromisoformat(r.registered_at) <= changed_at]


def send_notices(
    store: Store, outbox: Outbox, record: EventRecord, now: datetime, *, retry_failed: bool = False
) -> Told:
    """Send every notice the latest announcement of `record` still owes, then (of a cancellation)
    the organisers' mail saying how many were told; mark them all done when nobody can be owed
    one any more. Raises on the first transient failure, after giving its claim back: what is
    left goes at the next try."""
    announcements = record.announcements
    kind = notice_kind(announcements)
    if kind is None:
        return Told("")
    # As announced, not as the file may say by now: a change loaded since is told by the next
    # `notify-change`, under its own SEQUENCE.
    event = as_announced(record.event, announcements.told) if announcements.told else record.event
    owed = recipients(announcements, store.registration_rows.of_event(event.event_id, consistent=True))
    states = store.mail_rows.states_of_event(event.event_id)
    sent = 0
    for registration in owed:
        if states.get((registration.registration_id, kind)) in _FINISHED:
            continue  # one Query instead of a refused claim per registrant on every run
        builders = {kind: _builder(outbox, announcements, event, registration, now)}
        sent += outbox.send(registration, [kind], now, record, builders=builders, retry_failed=retry_failed)
    states = store.mail_rows.states_of_event(event.event_id)
    finished = [states.get((r.registration_id, kind)) for r in owed]
    told = Told(kind, sent, finished.count("sent"), len(owed) - finished.count("sent"))
    if kind == CANCELLED:
        owner = event_owner(event.event_id, expiry_epoch(event))
        mail = {ORGANISERS_CANCELLED: lambda: organiser_event_cancelled(event, told.told, told.not_delivered)}
        went = outbox.send(owner, [ORGANISERS_CANCELLED], now, record, builders=mail, retry_failed=retry_failed)
        told = Told(kind, sent, told.told, told.not_delivered, organisers_told=bool(went))
    cancelled_at = announcements.cancelled_at
    if cancelled_at is None or now >= datetime.fromisoformat(cancelled_at) + LATE_REGISTRATION:
        store.event_rows.mark_notices_done(event.event_id, announcements.sequence)
    return told


def _builder(
    outbox: Outbox, announcements: Announcements, event: Event, registration: Registration, now: datetime
) -> Callable[[], OutgoingMail]:
    """The notice to `registration` about `event` as announced, built only when its claim is won."""
    domain = outbox.mailer.sender.rpartition("@")[2]
    sequence = announcements.sequence

    def build() -> OutgoingMail:
        if announcements.cancelled_at is not None:
            return registrant_event_cancelled(event, registration, uid_domain=domain, now=now, sequence=sequence)
        if announcements.before is None:
            raise ValueError("a change without what it replaced")  # parked as unbuildable: never so written
        link = outbox.cancel_link(event, registration)
        before = announcements.before
        return registrant_changed(event, registration, link, before, uid_domain=domain, now=now, sequence=sequence)

    return build
