"""What an event is owed by the schedule at `now`: its closing mail, its reminders, the organisers'
digest of a day. Pure: the event, its counts, registrations or mail states, and the clock in;
answers out.

Whether a mail was sent already is not decided here: every mail is claimed in the table before
it goes (`outbox`), so asking twice, or from two runs at once, sends it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from chalicelib.mail.outbox import FLOW_TO_ORGANISERS, mails_due
from chalicelib.model.events import Event, Window, registration_window
from chalicelib.model.registration import Registration, Status

ClosingReason = Literal["deadline", "closed", "full"]
# The organisers' digest goes at this hour of the event's zone, with the changes before it.
DIGEST_HOUR = time(8, 0)


def closing_reason(event: Event, confirmed: int, now: datetime) -> ClosingReason | None:
    """Why registration is closed at `now`: the deadline passed, the file says `closed`, or the
    last seat went and there is no waiting list; None while it is open, not open yet, or once
    the event is over (a list mailed after the day helps nobody)."""
    if now >= event.ends_instant:
        return None
    window = registration_window(event, now)
    if window is Window.CLOSED:
        return "closed" if event.closed else "deadline"
    full = event.capacity is not None and not event.waitlist and confirmed >= event.capacity
    return "full" if window is Window.OPEN and full else None


def reminder_at(event: Event) -> datetime | None:
    """When the registrants are reminded: `reminder_days_before` days before the start, at the
    same wall-clock time in the event's zone (so a change of daylight saving time between does
    not move it); None when the event asks for no reminder."""
    if event.reminder_days_before is None:
        return None
    return event.instant(event.starts_at - timedelta(days=event.reminder_days_before))


def reminders_due(event: Event, now: datetime) -> bool:
    """Whether the confirmed registrants are to be reminded at `now`: from `reminder_at` until the
    start (a run missed at `reminder_at` reminds at the next)."""
    at = reminder_at(event)
    return at is not None and at <= now < event.instant(event.starts_at)


def reminder_recipients(registrations: Iterable[Registration], reminded_at: datetime) -> list[Registration]:
    """The registrations a reminder goes to: those confirmed before `reminded_at` (the event's
    `reminder_at`). Someone given a seat since (registered or moved up late) has just had the
    mail that says so, with the calendar file and everything a reminder says: a reminder
    seconds after it would only repeat it."""
    return [r for r in registrations if r.status == Status.CONFIRMED and _seated_at(r) < reminded_at]


def _seated_at(registration: Registration) -> datetime:
    return datetime.fromisoformat(registration.promoted_at or registration.registered_at)


def digest_day(event: Event, now: datetime) -> date | None:
    """The local day whose digest is due at `now` (the latest whose 08:00 has passed); None for an
    event with `organiser_mails: none` (nothing goes to the organisers while it says so), and once
    the day before's 08:00 is after the event's end (nothing changes after the day: the cancel
    links expire).

    Due for an `each` event too: one switched from `daily` (or `none`) still owes the organisers
    the changes no digest reported yet, and gets them at the 08:00 the next digest would have
    come; an `each` event that owes nothing gets nothing (`unreported` is empty)."""
    if event.organiser_mails == "none":
        return None
    local = now.astimezone(event.zone)
    day = local.date() if local.time() >= DIGEST_HOUR else local.date() - timedelta(days=1)
    return day if digest_cutoff(event, day - timedelta(days=1)) < event.ends_instant else None


def digest_cutoff(event: Event, day: date) -> datetime:
    """08:00 on `day` in the event's zone: the digest of `day` reports the changes before it."""
    return event.instant(datetime.combine(day, DIGEST_HOUR))


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0


def counts(registrations: Iterable[Registration]) -> Counts:
    """How many registrations are confirmed, on the waiting list and cancelled."""
    statuses = [r.status for r in registrations]
    return Counts(statuses.count(Status.CONFIRMED), statuses.count(Status.WAITLISTED), statuses.count(Status.CANCELLED))


@dataclass(frozen=True)
class Notice:
    """One organisers' notice of the flow of registrations (`outbox.FLOW_TO_ORGANISERS`): the
    mail `kind` about `registration`, sent on its own or reported in a digest, once."""

    registration: Registration
    kind: str


# The time stamp of the change each notice of the flow reports.
_STAMPS = {"organiser_new": "registered_at", "organiser_promoted": "promoted_at", "organiser_cancelled": "cancelled_at"}


def unreported(
    registrations: Iterable[Registration], mail_states: Mapping[tuple[str, str], str], before: datetime
) -> list[Notice]:
    """The notices of the flow the registrations call for (`mails_due`) about changes before
    `before` that no mail has reported: their mail row (`mail_states`, by registration id and
    kind) is missing or still `sending`. Missing whatever `organiser_mails` said at the change
    (`daily` and `none` send none on their own), or the mail function has not come to it yet.

    A notice being sent is claimed by its sender, so the digest's own claim decides: refused
    while the sender is at it, granted once that claim went stale (the sender died)."""
    return [
        Notice(registration, kind)
        for registration in registrations
        for kind in mails_due(registration)
        if kind in FLOW_TO_ORGANISERS
        and mail_states.get((registration.registration_id, kind)) in (None, "sending")
        and datetime.fromisoformat(str(getattr(registration, _STAMPS[kind]))) < before
    ]


@dataclass(frozen=True)
class DayChanges:
    """What a digest reports: the registrations that arrived, were cancelled and moved up."""

    registered: list[Registration] = field(default_factory=list)
    cancelled: list[Registration] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)


def day_changes(notices: Iterable[Notice]) -> DayChanges:
    """The changes `notices` report, each list in arrival order."""
    listed = list(notices)

    def reported(kind: str) -> list[Registration]:
        return [notice.registration for notice in listed if notice.kind == kind]

    return DayChanges(reported("organiser_new"), reported("organiser_cancelled"), reported("organiser_promoted"))
