"""German and English texts for answers, pages and mails, looked up by key."""

from __future__ import annotations

from chalicelib.model.events import Event
from chalicelib.model.submission import LANGUAGES
from chalicelib.texts import de, en

__all__ = ["LANGUAGES", "field_label", "text", "when_text"]
_TEXTS = {"de": de.TEXTS, "en": en.TEXTS}


def text(language: str, key: str, **values: object) -> str:
    """The text `key` in `language` (German when unknown), with `values` filled in."""
    template = _TEXTS.get(language, de.TEXTS)[key]
    return template.format(**values) if values else template


def field_label(language: str, field: str) -> str:
    """A standard field's label, or the field name itself for anything else."""
    return _TEXTS.get(language, de.TEXTS).get(f"field.{field}", field)


def when_text(event: Event, language: str) -> str:
    """ "Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr" in the event's zone."""
    start = event.starts_at
    values = {
        "weekday": text(language, "date.weekdays").split()[start.weekday()],
        "day": start.day,
        "month": text(language, "date.months").split()[start.month - 1],
        "year": start.year,
        "start": start.strftime("%H:%M"),
    }
    if event.ends_at is not None and event.ends_at.date() == start.date():
        return text(language, "date.format", end=event.ends_at.strftime("%H:%M"), **values)
    return text(language, "date.format_open_end", **values)
