"""The event file model and the registration window. Pure: no I/O, the clock is a parameter."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from chalicelib.model.registration import STORED_ATTRIBUTES, Answer
from chalicelib.model.submission import STANDARD_FIELDS, Language, MailAddress, not_text

EVENT_ID_PATTERN = r"^[a-z0-9-]{3,64}$"

# Every attribute a registration item holds besides its answers: a question may not shadow one.
RESERVED_NAMES = frozenset((*STANDARD_FIELDS, *STORED_ATTRIBUTES, "mail_state"))

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def _stripped(value: object) -> object:
    # A posted answer is stripped before it is compared with the choices (validation.py): a
    # choice "Andere " could never be chosen. So every one-line text of an event file is kept
    # without surrounding whitespace, by the same `str.strip`; a definition stored before is
    # read back stripped. What is blank then is too short, with its field named.
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain control characters")
    # Titles, labels and names go into every mail and the calendar file: what is not text would
    # fail (or garble) every mail of the event. Refused here, when the organiser loads the file.
    if any(not_text(ch) for ch in value):
        raise ValueError("must not contain lone surrogates or noncharacters (not text)")
    return value


def _is_local_time(value: datetime) -> datetime:
    # Every time in a file is wall-clock time in the event's `timezone`; an
    # offset here would silently disagree with it.
    if value.tzinfo is not None:
        raise ValueError("must be a local time without offset; the zone comes from `timezone`")
    return value


def _deadline(value: object) -> date:
    # "2016-11-17" is a day (accepted through its end), "2016-11-17T12:00" an instant.
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("must be a local ISO date (2016-11-17) or datetime (2016-11-17T12:00)") from None
    if isinstance(value, datetime):
        return _is_local_time(value)
    if isinstance(value, date):
        return value
    raise ValueError("must be a local ISO date or datetime string")


# Stripped before the lengths are checked (a BeforeValidator runs before what precedes it).
Line = Annotated[
    str, Field(min_length=1, max_length=300), BeforeValidator(_stripped), AfterValidator(_no_control_characters)
]
LocalDateTime = Annotated[datetime, AfterValidator(_is_local_time)]
# A date or a datetime (a datetime is a date); kept as parsed, never converted.
Deadline = Annotated[
    date,
    PlainValidator(_deadline),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "description": "local ISO date or datetime"}),
]


class Organiser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: Line
    email: MailAddress
    phone: Line | None = None


class Redirects(BaseModel):
    """Where a plain browser form post is sent (303) for each kind of outcome."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    success: HttpUrl | None = None
    closed: HttpUrl | None = None
    full: HttpUrl | None = None
    error: HttpUrl | None = None


class SpamProtection(BaseModel):
    """Per event: how long a person needs at least, and how many registrations one
    address may make an hour (off unless set: a town hall's colleagues share one address)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    min_fill_seconds: int = Field(default=3, ge=0, le=600)
    per_address_per_hour: int | None = Field(default=None, ge=1)


DEFAULT_CONSENT = {
    "de": "Ich willige ein, dass meine Angaben zur Organisation dieser Veranstaltung verarbeitet werden.",
    "en": "I consent to my details being processed to organise this event.",
}


class Consent(BaseModel):
    """The consent text the form shows, and its version: stored with every registration, so
    an organiser can show what each person agreed to. Change the version with the text."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: str = Field(default="1", min_length=1, max_length=40)
    text: Line | dict[Language, Line] = Field(default_factory=lambda: dict(DEFAULT_CONSENT))

    def text_in(self, language: str) -> str:
        if isinstance(self.text, str):
            return self.text
        return self.text.get(language) or next(iter(self.text.values()))  # type: ignore[call-overload]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: Line | dict[Language, Line]
    type: Literal["text", "choice", "multi", "bool"]
    required: bool = False
    choices: list[Line] | None = None
    # How a choice reads in a language: {"en": {"Kommune": "Municipality"}}. The choice itself
    # stays what is posted, checked and stored, so one answer counts the same in every language.
    choice_labels: dict[Language, dict[Line, Line]] | None = None
    max_length: int = Field(default=500, ge=1, le=2000)

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Question:
        if self.type in ("choice", "multi"):
            if not self.choices:
                raise ValueError(f"question {self.id!r}: type {self.type} needs `choices`")
            repeated = [choice for choice, count in Counter(self.choices).items() if count > 1]
            if repeated:
                # Surrounding spaces are stripped by now: "Andere" and "Andere " are one choice.
                raise ValueError(f"question {self.id!r}: `choices` repeat {repeated[0]!r}")
        elif self.choices is not None or self.choice_labels is not None:
            raise ValueError(f"question {self.id!r}: only choice and multi take `choices` and `choice_labels`")
        for language, labels in (self.choice_labels or {}).items():
            unknown = [choice for choice in labels if choice not in (self.choices or [])]
            if unknown:
                # A typo here would silently leave the choice untranslated on every page.
                raise ValueError(f"question {self.id!r}: `choice_labels.{language}` names {unknown[0]!r}, no choice")
        return self

    def label_in(self, language: str) -> str:
        if isinstance(self.label, str):
            return self.label
        return self.label.get(language) or next(iter(self.label.values()))  # type: ignore[call-overload]

    def choice_in(self, choice: str, language: str) -> str:
        """How `choice` reads in `language`: its `choice_labels` entry, else the choice itself."""
        return (self.choice_labels or {}).get(language, {}).get(choice, choice)  # type: ignore[call-overload]

    def answer_in(self, answer: Answer, language: str) -> Answer:
        """A stored answer to this question as a person reading `language` sees it."""
        if self.type == "multi" and isinstance(answer, list):
            return [self.choice_in(choice, language) for choice in answer]
        if self.type == "choice" and isinstance(answer, str):
            return self.choice_in(answer, language)
        return answer


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    event_id: str = Field(pattern=EVENT_ID_PATTERN)
    title: Line
    timezone: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime | None = None
    location: Line | None = None
    language: Language = "de"
    registration_opens_at: LocalDateTime | None = None
    registration_deadline: Deadline
    closed: bool = False
    capacity: int | None = Field(default=None, ge=1)
    waitlist: bool = False
    organisers: list[Organiser] = Field(min_length=1, max_length=20)
    allowed_origins: list[str] = Field(default_factory=list)
    redirects: Redirects = Field(default_factory=Redirects)
    # The page with the form: where the answer page's "back" link goes (a browser tells
    # a cross-origin post only the site's origin, not the page).
    form_url: HttpUrl | None = None
    questions: list[Question] = Field(default_factory=list, max_length=30)
    retention_days: int = Field(default=90, ge=0, le=3650)
    spam_protection: SpamProtection = Field(default_factory=SpamProtection)
    consent: Consent = Field(default_factory=Consent)
    # Days before the start (same wall-clock time, in the event's zone) at which every confirmed
    # registrant is reminded; None sends no reminder.
    reminder_days_before: int | None = Field(default=2, ge=1, le=60)
    # The organisers' mail about registrations: one per change, one digest a day at 08:00, or none.
    organiser_mails: Literal["each", "daily", "none"] = "each"

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.registration_opens_at is not None and self.registration_opens_at >= _as_local_end(
            self.registration_deadline
        ):
            raise ValueError("registration_opens_at must be before registration_deadline")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name like Europe/Berlin") from None
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin like https://example.org")
        return value

    @field_validator("questions")
    @classmethod
    def _question_ids(cls, value: list[Question]) -> list[Question]:
        ids = [q.id for q in value]
        if len(set(ids)) != len(ids):
            raise ValueError("two questions share an id")
        clashes = sorted(set(ids) & RESERVED_NAMES)
        if clashes:
            raise ValueError(f"the id {clashes[0]!r} is a standard field name")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def instant(self, local: datetime) -> datetime:
        """A local time of this event as an aware datetime in its zone."""
        return local.replace(tzinfo=self.zone)

    @property
    def ends_instant(self) -> datetime:
        """When the event is over: `ends_at`, else the end of its first day."""
        if self.ends_at is not None:
            return self.instant(self.ends_at)
        return self.instant(_as_local_end(self.starts_at.date()))

    @property
    def accepts_until(self) -> datetime:
        """The last instant at which a submission is still in time (inclusive)."""
        return self.instant(_as_local_end(self.registration_deadline))

    def organiser_addresses(self) -> list[str]:
        return [o.email for o in self.organisers]

    def allows_origin(self, origin: str | None) -> bool:
        return bool(origin) and ("*" in self.allowed_origins or origin in self.allowed_origins)


def _as_local_end(deadline: date | datetime) -> datetime:
    # A bare date means "through that day" where the event is: 23:59:59.999999.
    if isinstance(deadline, datetime):
        return deadline
    return datetime.combine(deadline, time.max)


class Window(enum.Enum):
    OPEN = "open"
    NOT_OPEN = "registration_not_open"
    CLOSED = "registration_closed"


def registration_window(event: Event, now: datetime) -> Window:
    """Whether `event` takes registrations at the aware instant `now` (seats aside)."""
    if event.closed:
        return Window.CLOSED
    if event.registration_opens_at is not None and now < event.instant(event.registration_opens_at):
        return Window.NOT_OPEN
    if now > event.accepts_until:
        return Window.CLOSED
    return Window.OPEN


def expiry_epoch(event: Event) -> int:
    """The TTL (epoch seconds) of everything stored for a registration to `event`."""
    return int((event.ends_instant + timedelta(days=event.retention_days)).timestamp())
