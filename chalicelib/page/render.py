"""The registration page of an event, built from the event itself (`cli page`), so the page and
the API cannot disagree about fields, choices, lengths or the consent sentence.

Only the command line (and the local stack) builds pages: jinja2 is in requirements-dev.txt,
not requirements.txt, so the Lambda package does not carry it. Nothing the functions import
(app.py and what it imports) may import this module.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import jinja2

from chalicelib.model.events import Event
from chalicelib.model.submission import STANDARD_FIELDS, Submission
from chalicelib.page.page_texts import TEXTS
from chalicelib.texts import LANGUAGES, field_label, text


class PageError(ValueError):
    """The page cannot be built as asked (e.g. the API URL is no http(s) URL)."""


TEMPLATES = Path(__file__).parent / "templates"
# What `page --out DIR` writes: the page and what it links to.
PAGE_FILES = ("index.html", "register.js", "register.css", "privacy.html")
# A text question allowing at most this many characters is a one-line input (as organisation
# and role are); more is a textarea (as the message is).
ONE_LINE_MAX = 200
# A required choice with at most this many choices shows them all as radio buttons; more, or
# an optional one (a radio cannot be unticked, a select keeps "Bitte wählen"), is a select.
RADIO_MAX = 4

Kind = Literal["input", "textarea", "select", "radios", "checkboxes", "checkbox"]
# Why nobody can register now, as the API's event view says it (`refused_with`): the page's
# script says it in the API's words, in every language (the script is the same for every event).
REFUSALS = ("registration_not_open", "registration_closed", "event_full")


@dataclass(frozen=True)
class FormField:
    """One field of the form as the template draws it."""

    name: str
    label: str
    kind: Kind
    required: bool = False
    input_type: str = "text"
    autocomplete: str | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()


# The standard fields a page shows (consent, the honeypot, `lang` and the time trap have
# their own places in the template), with their input type and browser autofill hint.
_STANDARD_INPUTS = (
    ("given_name", "text", "given-name"),
    ("family_name", "text", "family-name"),
    ("email", "email", "email"),
    ("organisation", "text", "organization"),
    ("role", "text", "organization-title"),
    ("phone", "tel", "tel"),
)


@functools.cache
def _submission_rules() -> tuple[dict[str, int], frozenset[str]]:
    """The standard fields' maximum lengths and required names, read from the model that
    validates submissions: the page's `maxlength` and `*` cannot drift from the API."""
    schema = Submission.model_json_schema(mode="validation")
    lengths = {}
    for name, prop in schema["properties"].items():
        for option in (prop, *prop.get("anyOf", [])):
            if "maxLength" in option:
                lengths[name] = option["maxLength"]
    return lengths, frozenset(schema.get("required", ()))


def required_standard_fields() -> list[str]:
    """The standard fields a submission must have, in form order."""
    required = _submission_rules()[1]
    return [name for name in STANDARD_FIELDS if name in required]


def form_fields(event: Event) -> list[FormField]:
    """Every field a person fills in, in form order: who they are, the event's questions, a message."""
    language = event.language
    lengths, required = _submission_rules()
    fields = [
        FormField(
            name=name,
            label=field_label(language, name),
            kind="input",
            required=name in required,
            input_type=input_type,
            autocomplete=autocomplete,
            max_length=lengths.get(name),
        )
        for name, input_type, autocomplete in _STANDARD_INPUTS
    ]
    for question in event.questions:
        label, choices = question.label_in(language), tuple(question.choices or ())
        if question.type == "text":
            kind: Kind = "input" if question.max_length <= ONE_LINE_MAX else "textarea"
            fields.append(FormField(question.id, label, kind, question.required, max_length=question.max_length))
        elif question.type == "choice":
            kind = "radios" if question.required and len(choices) <= RADIO_MAX else "select"
            fields.append(FormField(question.id, label, kind, question.required, choices=choices))
        elif question.type == "multi":
            fields.append(FormField(question.id, label, "checkboxes", question.required, choices=choices))
        else:
            fields.append(FormField(question.id, label, "checkbox", question.required))
    message = TEXTS[language]["message"]
    fields.append(FormField("message", message, "textarea", "message" in required, max_length=lengths["message"]))
    return fields


def _date(value: date, language: str) -> str:
    return TEXTS[language]["date"].format(
        weekday=text(language, "date.weekdays").split()[value.weekday()],
        day=value.day,
        month=text(language, "date.months").split()[value.month - 1],
        year=value.year,
    )


def _date_time(value: datetime, language: str) -> str:
    return TEXTS[language]["date_time"].format(date=_date(value, language), time=value.strftime("%H:%M"))


def when(event: Event) -> str:
    """When the event is, in its own zone: as the mails say it, or from one day to another."""
    from chalicelib.mail.notifications import when_text  # the mails' wording for a one-day event

    language = event.language
    if event.ends_at is None or event.ends_at.date() == event.starts_at.date():
        return when_text(event, language)
    start, end = _date_time(event.starts_at, language), _date_time(event.ends_at, language)
    return TEXTS[language]["span"].format(start=start, end=end)


def deadline(event: Event) -> str:
    """The last day (a date deadline runs through its end) or instant to register."""
    value = event.registration_deadline
    if isinstance(value, datetime):
        return _date_time(value, event.language)
    return _date(value, event.language)


def retention(event: Event) -> str:
    """How long registrations are kept, as the privacy notice says it."""
    texts, days = TEXTS[event.language], event.retention_days
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


def render_page(event: Event, api_url: str, privacy_url: str = "privacy.html") -> dict[str, str]:
    """The page's files by name (`PAGE_FILES`): the form, its script and style, a privacy notice."""
    language = event.language
    context: dict[str, Any] = {
        "event": event,
        "language": language,
        "t": TEXTS[language],
        "action": registrations_url(api_url, event.event_id),
        "when": when(event),
        "deadline": deadline(event),
        "opens": _date_time(event.registration_opens_at, language) if event.registration_opens_at else None,
        "fields": form_fields(event),
        "consent_text": event.consent.text_in(language),
        "privacy_url": privacy_url,
        "retention": retention(event),
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
