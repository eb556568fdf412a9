"""What an event is owed by the schedule at `now`: its closing mail, its reminders, the organisers'
digest of a day. Pure: the event, its counts or registrations, and the clock in; answers out.

Whether a mail was sent already is not decided here: every mail is claimed in the table before
it goes (`outbox`), so asking twice, or from two runs at once, sends it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from chalicelib.model.events import Event, Window, registration_window
from chalicelib.model.registration import Registration, Status

ClosingReason = Literal["deadline", "closed", "full"]
# The organisers' digest goes at this hour of the event's zone and covers the 24 hours before.
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
    start (someone confirmed late, by moving up, is reminded too, as long as it is before the day)."""
    at = reminder_at(event)
    return at is not None and at <= now < event.instant(event.starts_at)


def reminder_recipients(registrations: Iterable[Registration]) -> list[Registration]:
    """The registrations a reminder goes to: the confirmed ones."""
    return [r for r in registrations if r.status == Status.CONFIRMED]


def digest_day(event: Event, now: datetime) -> date | None:
    """The local day whose digest is due at `now` (the latest whose 08:00 has passed), for an
    event with `organiser_mails: daily`; None for other events, and once the digest's 24 hours
    start after the event's end (nothing changes after the day: the cancel links expire)."""
    if event.organiser_mails != "daily":
        return None
    local = now.astimezone(event.zone)
    day = local.date() if local.time() >= DIGEST_HOUR else local.date() - timedelta(days=1)
    start, _ = digest_window(event, day)
    return day if start < event.ends_instant else None


def digest_window(event: Event, day: date) -> tuple[datetime, datetime]:
    """The 24 hours the digest of `day` covers: from 08:00 the day before to 08:00 on `day`, in
    the event's zone (23 or 25 hours across a change of daylight saving time)."""
    end = event.instant(datetime.combine(day, DIGEST_HOUR))
    start = event.instant(datetime.combine(day - timedelta(days=1), DIGEST_HOUR))
    return start, end


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
class DayChanges:
    """The registrations that arrived, were cancelled and moved up within one digest's hours."""

    registered: list[Registration] = field(default_factory=list)
    cancelled: list[Registration] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.registered or self.cancelled or self.promoted)


def day_changes(registrations: Iterable[Registration], start: datetime, end: datetime) -> DayChanges:
    """What happened in [start, end), read from each registration's time stamps."""

    def within(stamp: str | None) -> bool:
        return bool(stamp) and start <= datetime.fromisoformat(str(stamp)) < end

    listed = list(registrations)
    return DayChanges(
        registered=[r for r in listed if within(r.registered_at)],
        cancelled=[r for r in listed if within(r.cancelled_at)],
        promoted=[r for r in listed if within(r.promoted_at)],
    )
