"""Telling registrants of a change and cancelling an event: the work behind the commands
`notify-change EVENT_ID` and `cancel-event EVENT_ID`.

Each records its announcement on the event row first (a conditional write, read back when its
answer is lost: `EventRows.announce_change`, `EventRows.cancel`), then sends what that
announcement owes (`due.notices`). So a run that stopped part-way (SES down) is finished by the
next run of the same command, or by the due function within 15 minutes, and nobody is told twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.due.notices import Told, notice_kind, send_notices
from chalicelib.mail.outbox import Outbox
from chalicelib.model.appointment import Appointment, appointment_of, as_announced, changed_fields
from chalicelib.model.registration import utc_iso
from chalicelib.seats.numbering import settle
from chalicelib.store import EventRecord, Store
from chalicelib.texts import text, when_text

# Announcements that meet another at the same moment (two admins) decide again from a fresh
# read; more rounds than this means something keeps writing the row.
ROUNDS = 3


class CannotAnnounce(Exception):
    """Nothing to do as asked: the event is unknown, cancelled, or its row keeps changing."""


class NotAllSent(Exception):
    """Sending stopped at a transient failure (its claim given back): the announcement is recorded
    (`outcome`), and the same command again, or the due function, sends the rest."""

    def __init__(self, outcome: Outcome, error: str) -> None:
        super().__init__(error)
        self.outcome = outcome
        self.error = error


@dataclass(frozen=True)
class Outcome:
    """What a command did: whether this run made the announcement, the changed parts told as
    `(label, was, now)` in the event's language, and the notices' sweep (None: none owed)."""

    record: EventRecord
    announced_now: bool
    changes: tuple[tuple[str, str, str], ...] = ()
    told: Told | None = None


def notify_change(store: Store, outbox: Outbox, event_id: str, now: datetime) -> Outcome:
    """Announce the time and place the event has now, if registrants were told others; then send
    every notice the latest change still owes."""
    record, announced_now, changes = _read(store, event_id), False, ()
    for _ in range(ROUNDS):
        announcements = record.announcements
        if announcements.cancelled_at is not None:
            raise CannotAnnounce(f"{event_id} is cancelled: there is no change to tell")
        # A row no load-events of this version wrote: its definition is what registrants know.
        told = announcements.told or appointment_of(record.event)
        current = appointment_of(record.event)
        if not changed_fields(told, current):
            break
        if store.event_rows.announce_change(event_id, announcements.sequence, told, current, utc_iso(now)):
            announced_now, changes = True, _described(record, told, current)
            record = _read(store, event_id)
            break
        record = _read(store, event_id)  # another run announced first: decide again
    else:
        raise CannotAnnounce(f"the row of {event_id} kept changing: run notify-change again")
    return _with_notices(store, outbox, Outcome(record, announced_now, changes), now)


def cancel_event(store: Store, outbox: Outbox, event_id: str, now: datetime) -> Outcome:
    """Cancel the event (registration closes, no reminder or closing mail follows) and send every
    registrant confirmed or waiting the cancellation, then the organisers how many were told."""
    record, announced_now = _read(store, event_id), False
    for _ in range(ROUNDS):
        if record.announcements.cancelled_at is not None:
            break
        announced_now = store.event_rows.cancel(event_id, record.announcements.sequence, utc_iso(now))
        record = _read(store, event_id)
        if announced_now:
            break
    else:
        raise CannotAnnounce(f"the row of {event_id} kept changing: run cancel-event again")
    if store.pending_rows.first(event_id) is not None:
        # Stored but not placed when registration closed: placed now, they are told with the rest.
        settle(store, event_id, utc_iso(now))
    return _with_notices(store, outbox, Outcome(record, announced_now), now)


def _read(store: Store, event_id: str) -> EventRecord:
    record = store.event_rows.find(event_id, consistent=True)
    if record is None:
        raise CannotAnnounce(f"no event {event_id!r} in table {store.table_name}")
    return record


def _with_notices(store: Store, outbox: Outbox, outcome: Outcome, now: datetime) -> Outcome:
    if not outcome.record.announcements.owed:
        return outcome
    try:
        return replace(outcome, told=send_notices(store, outbox, outcome.record, now))
    except Exception as exc:  # SES or DynamoDB failing for a moment: the claim was given back
        raise NotAllSent(outcome, type(exc).__name__) from exc


def _described(record: EventRecord, was: Appointment, now: Appointment) -> tuple[tuple[str, str, str], ...]:
    event, lang = record.event, record.event.language
    before, after = as_announced(event, was), as_announced(event, now)
    parts = {"when": ("mail.when", lambda e: when_text(e, lang)), "where": ("mail.where", lambda e: e.location or "–")}
    return tuple(
        (text(lang, parts[name][0]), parts[name][1](before), parts[name][1](after)) for name in changed_fields(was, now)
    )


def summary(outcome: Outcome, command: str) -> list[str]:
    """What the command prints: what was announced, and how many were told."""
    record = outcome.record
    event_id, announcements = record.event.event_id, record.announcements
    lines: list[str] = []
    if command == "cancel-event":
        lines.append(
            f"{event_id}: cancelled; registration is closed"
            if outcome.announced_now
            else f"{event_id}: cancelled already"
        )
    elif outcome.announced_now:
        lines.append(
            f"{event_id}: announced change {announcements.sequence} (calendar SEQUENCE {announcements.sequence}):"
        )
        lines += [f"  {label}: {was} → {now}" for label, was, now in outcome.changes]
    elif announcements.sequence == 0:
        lines.append(f"{event_id}: nothing changed since it was loaded: nothing to tell")
    else:
        lines.append(f"{event_id}: nothing changed since change {announcements.sequence} was announced")
    told = outcome.told
    if told is None:
        if announcements.sequence:
            lines.append(f"every registrant owed the {notice_kind(announcements)} mail has had it: nothing sent")
        return lines
    line = f"sent {told.sent} mail(s) now; {told.told} registrant(s) told in all"
    if told.not_delivered:
        line += f", {told.not_delivered} not reached (the organisers get a mail about each)"
    if told.organisers_told:
        line += "; the organisers got a mail saying how many were told"
    lines.append(line)
    return lines
