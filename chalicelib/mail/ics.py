"""The event as an iCalendar file (RFC 5545), in the event's own time zone. Pure.

Every file of an event carries the same UID, so a calendar keeps one entry for it, and the
SEQUENCE of the event's latest announcement (RFC 5545 3.8.7.4; `model.appointment`): a calendar
that has the entry takes a file with a higher SEQUENCE as its new version (RFC 5546 2.1.4),
and one with a lower or equal SEQUENCE changes nothing. The files are published (METHOD:PUBLISH,
no attendees), as they always were; a cancelled event's file is METHOD:CANCEL with
STATUS:CANCELLED (RFC 5546 3.2.5), which removes the entry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from chalicelib.model.events import Event


def event_ics(event: Event, uid_domain: str, now: datetime, *, sequence: int = 0) -> bytes:
    """A VCALENDAR with one VEVENT and its VTIMEZONE; the UID is stable per event,
    so a calendar that imports it twice keeps one entry."""
    calendar, _ = _calendar(event, uid_domain, now, sequence, "PUBLISH")
    return calendar.to_ical()


def cancelled_ics(event: Event, uid_domain: str, now: datetime, *, sequence: int, attendee: str) -> bytes:
    """The cancellation of the entry `event_ics` made, for the registrant `attendee`: RFC 5546
    asks a CANCEL of a whole event to name the attendees it goes to."""
    import icalendar

    calendar, entry = _calendar(event, uid_domain, now, sequence, "CANCEL")
    entry.add("status", "CANCELLED")
    # A mailto URI: what RFC 6068 does not allow bare in one is percent-encoded (a `#`, `?` or
    # `%` a mail address may hold would otherwise end or garble the URI).
    entry.add("attendee", icalendar.vCalAddress("mailto:" + quote(attendee, safe="@!$'()*+-._~")))
    return calendar.to_ical()


def _calendar(event: Event, uid_domain: str, now: datetime, sequence: int, method: str) -> tuple[Any, Any]:
    import icalendar  # a slow import: only the mail function pays it, when it writes a calendar file

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//event-registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = icalendar.Event()
    entry.add("uid", f"{event.event_id}@{uid_domain}")
    entry.add("sequence", sequence)
    entry.add("dtstamp", now)
    entry.add("summary", event.title)
    entry.add("dtstart", event.instant(event.starts_at))
    entry.add("dtend", event.ends_instant)
    if event.location:
        entry.add("location", event.location)
    contact = event.organisers[0]
    organiser = icalendar.vCalAddress(f"mailto:{contact.email}")
    organiser.params["cn"] = icalendar.vText(contact.name)
    entry.add("organizer", organiser)
    calendar.add_component(entry)
    # Only the transitions around the event: a short file every calendar app reads.
    year = event.starts_at.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 1, 12, 31))
    return calendar, entry
