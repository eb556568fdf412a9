"""Stored instants as people read them: on the event's wall clock, never as UTC ISO strings.

The table keeps `2026-12-04T14:33:35.292Z` (`registration.utc_iso`); an organiser in Berlin
reads `04.12.2026, 15:33` in a mail and `2026-12-04 15:33` in a spreadsheet. The event's zone
decides, not the server's nor the reader's: it is the zone every other time of the event is in.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.model.events import Event
from chalicelib.texts import text


def local(stamp: str, event: Event) -> datetime:
    """A stored instant (ISO 8601 with `Z` or an offset) on the event's wall clock."""
    return datetime.fromisoformat(stamp).astimezone(event.zone)


def stamp_text(stamp: str, event: Event, language: str) -> str:
    """ "04.12.2026, 15:33" (German) or "4 Dec 2026, 15:33" (English): a stored instant in a mail."""
    moment = local(stamp, event)
    month = text(language, "date.stamp_months").split()[moment.month - 1]
    return text(language, "date.stamp", day=moment.day, month=month, year=moment.year, time=f"{moment:%H:%M}")


def sheet_stamp(stamp: str | None, event: Event) -> str:
    """ "2026-12-04 15:33": a stored instant in a CSV cell, the form Excel reads as a date and time
    in a German and an English installation alike (a `T` or a `Z` would keep it text)."""
    return local(stamp, event).strftime("%Y-%m-%d %H:%M") if stamp else ""
