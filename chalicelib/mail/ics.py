"""The event as an iCalendar file (RFC 5545), in the event's own time zone. Pure."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.model.events import Event


def event_ics(event: Event, uid_domain: str, now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT and its VTIMEZONE; the UID is stable per event,
    so a calendar that imports it twice keeps one entry."""
    import icalendar  # a slow import: only the mail function pays it, when it writes a calendar file

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//event-registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{event.event_id}@{uid_domain}")
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
    return calendar.to_ical()
