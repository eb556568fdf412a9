"""The registration page of an event, built from the event itself (`cli page`), so the page and
the API cannot disagree about fields, choices, lengths or the consent sentence.

Only the command line (and the local stack) builds pages: jinja2 is in requirements-dev.txt,
not requirements.txt, so the Lambda package does not carry it. Nothing the functions import
(app.py and what it imports) may import this module.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from chalicelib.model.events import Event
from chalicelib.model.submission import STANDARD_FIELDS
from chalicelib.page.fields import form_fields, required_standard_fields
from chalicelib.page.languages import page_language
from chalicelib.page.page_errors import PageError
from chalicelib.page.page_texts import TEXTS
from chalicelib.texts import LANGUAGES, text

TEMPLATES = Path(__file__).parent / "templates"
# What `page --out DIR` writes: the page and what it links to.
PAGE_FILES = ("index.html", "register.js", "register.css", "privacy.html")
# Why nobody can register now, as the API's event view says it (`refused_with`): the page's
# script says it in the API's words, in every language (the script is the same for every event).
REFUSALS = ("registration_not_open", "registration_closed", "event_full")


def _date(value: date, language: str) -> str:
    return TEXTS[language]["date"].format(
        weekday=text(language, "date.weekdays").split()[value.weekday()],
        day=value.day,
        month=text(language, "date.months").split()[value.month - 1],
        year=value.year,
    )


def _date_time(value: datetime, language: str) -> str:
    return TEXTS[language]["date_time"].format(date=_date(value, language), time=value.strftime("%H:%M"))


def when(event: Event, language: str) -> str:
    """When the event is, in its own zone: as the mails say it, or from one day to another."""
    from chalicelib.mail.notifications import when_text  # the mails' wording for a one-day event

    if event.ends_at is None or event.ends_at.date() == event.starts_at.date():
        return when_text(event, language)
    start, end = _date_time(event.starts_at, language), _date_time(event.ends_at, language)
    return TEXTS[language]["span"].format(start=start, end=end)


def deadline(event: Event, language: str) -> str:
    """The last day (a date deadline runs through its end) or instant to register."""
    value = event.registration_deadline
    if isinstance(value, datetime):
        return _date_time(value, language)
    return _date(value, language)


def retention(event: Event, language: str) -> str:
    """How long registrations are kept, as the privacy notice says it."""
    texts, days = TEXTS[language], event.retention_days
    if days == 0:
        return texts["privacy.how_long_at_once"]
    return texts["privacy.how_long_one_day"] if days == 1 else texts["privacy.how_long_text"].format(days=days)


def phone_link(phone: str) -> str:
    """`tel:` with the digits (and a leading +) of a number written for people."""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + re.sub(r"\D", "", phone)


def registrations_url(api_url: str, event_id: str) -> str:
    """The form's action: `api_url` is the API's base (the stack's EndpointURL), with or without
    a trailing slash."""
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PageError(
            f"--api-url {api_url!r} is not the API's address, like https://abc.execute-api.eu-central-1.amazonaws.com/api"
        )
    return f"{api_url.strip().rstrip('/')}/events/{event_id}/registrations"


def _environment() -> jinja2.Environment:
    # autoescape: every value from the event file (titles, labels, choices) is escaped in HTML.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(
    event: Event, api_url: str, privacy_url: str = "privacy.html", language: str | None = None
) -> dict[str, str]:
    """The page's files by name (`PAGE_FILES`): the form, its script and style, a privacy notice;
    in `language` if the event offers it (`languages`), by default in the event's own. The form
    posts its language (`lang`), so the answer and the registrant's mails are in it too."""
    language = page_language(event, language)
    context: dict[str, Any] = {
        "event": event,
        "language": language,
        "t": TEXTS[language],
        "action": registrations_url(api_url, event.event_id),
        "when": when(event, language),
        "deadline": deadline(event, language),
        "opens": _date_time(event.registration_opens_at, language) if event.registration_opens_at else None,
        "fields": form_fields(event, language),
        "consent_text": event.consent.text_in(language),
        "privacy_url": privacy_url,
        "retention": retention(event, language),
        "phone_link": phone_link,
        "standard_fields": list(STANDARD_FIELDS),
        "required_fields": required_standard_fields(),
        "refusals": {lang: {code: text(lang, f"error.{code}") for code in REFUSALS} for lang in LANGUAGES},
    }
    environment = _environment()
    return {
        "index.html": environment.get_template("index.html.j2").render(context),
        "register.js": environment.get_template("register.js.j2").render(context),
        "register.css": (TEMPLATES / "register.css").read_text(encoding="utf-8"),
        "privacy.html": environment.get_template("privacy.html.j2").render(context),
    }
