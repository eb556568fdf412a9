"""One registration from request body to outcome: the straight path of the service.

event -> body -> window -> bot traps -> validation -> one DynamoDB transaction.
Nothing is mailed here: the mail function reads the table's stream. Every
refusal is an `Outcome`, never an exception; only `responses` turns outcomes
into HTTP.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.api import spam
from chalicelib.api.event_cache import EventCache
from chalicelib.api.forms import BodyError, Fields, parse_body
from chalicelib.api.negotiation import answer_language
from chalicelib.model.events import Event, Window, expiry_epoch, registration_window
from chalicelib.model.model_errors import InvalidSubmission
from chalicelib.model.registration import new_registration_id
from chalicelib.model.validation import FieldError, new_registration, validate_submission
from chalicelib.seats.placing import place
from chalicelib.seats.seats_errors import Contended, EventFull, EventGone, Forgotten
from chalicelib.store import EventRecord, HourlyLimit, Store
from chalicelib.store.store_errors import AlreadyRegistered, RateLimited, StoreUnavailable

logger = logging.getLogger(__name__)
EVENT_ID = re.compile(r"^[a-z0-9-]{3,64}$")


@dataclass(frozen=True)
class Accepted:
    registration_id: str
    status: str
    waitlist_position: int | None = None
    waitlist_place: int | None = None
    email: str | None = None  # where the confirmation goes: a browser's answer page names it


@dataclass(frozen=True)
class Refused:
    code: str
    errors: tuple[FieldError, ...] = ()
    retry_after: int | None = None  # seconds, for `rate_limited` and `too_fast` (`responses` knows `unavailable`'s)
    # The fields as posted, so a browser's answer page can offer them again: as they were
    # (`too_fast`, `unavailable`), or filled into the form to fix (`invalid`, `already_registered`,
    # `rate_limited`): a page without JavaScript would otherwise lose what the person typed.
    resend: tuple[tuple[str, str], ...] = ()


Outcome = Accepted | Refused


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    event: Event | None
    language: str  # of the answer and of the registrant's mails


def find_event(store: Store, event_id: str) -> EventRecord | None:
    """The event `event_id`, or None for an id that cannot exist or is not stored."""
    if not EVENT_ID.match(event_id):
        return None
    return store.event_rows.find(event_id)


@dataclass(frozen=True)
class Submitted:
    """One POST as the API function received it."""

    event_id: str
    body: bytes | None
    content_type: str | None
    source_ip: str | None
    now: datetime
    accept_language: str | None = None


class Intake:
    def __init__(self, store: Store, address_secret: Callable[[], str]) -> None:
        self.store = store
        # Pseudonymises client addresses for the hourly limit; asked for only when a limit
        # applies (in AWS it is read from Secrets Manager on first need).
        self.address_secret = address_secret
        self.events = EventCache(lambda event_id: find_event(store, event_id))

    def register(self, post: Submitted) -> IntakeResult:
        event_id = post.event_id
        try:
            record = self.events.get(event_id)
        except StoreUnavailable as exc:
            logger.warning("event read failed: %s", exc)  # StoreUnavailable names a code only
            return IntakeResult(Refused("unavailable"), None, self._language(post))
        if record is None:
            return IntakeResult(Refused("unknown_event"), None, self._language(post))
        event = record.event
        try:
            fields = parse_body(post.body, post.content_type)
        except BodyError as exc:
            return IntakeResult(Refused(exc.code), event, self._language(post, event=event))
        language = self._language(post, _requested_language(fields), event)
        return IntakeResult(self._decide(record, fields, post, language), event, language)

    @staticmethod
    def _language(post: Submitted, requested: str | None = None, event: Event | None = None) -> str:
        return answer_language(requested, post.accept_language, event)

    def _decide(self, record: EventRecord, fields: Fields, post: Submitted, language: str) -> Outcome:
        event, now = record.event, post.now
        window = registration_window(event, now)
        if window is not Window.OPEN:
            return Refused(window.value)
        if spam.honeypot_filled(fields):
            # People never see or reach the field; bots must believe they succeeded.
            logger.info("bot trap: honeypot filled; nothing stored")
            return Accepted(new_registration_id(now), "confirmed")
        wait = spam.seconds_too_soon(fields, now, event.spam_protection.min_fill_seconds)
        if wait:
            # A quick person (autofill, then a click) may be behind it: say so, never "registered".
            return Refused("too_fast", retry_after=wait, resend=_resendable(fields))
        try:
            valid = validate_submission(event, fields)
        except InvalidSubmission as exc:
            return Refused("invalid", tuple(exc.errors), resend=_resendable(fields))
        registration = new_registration(event, valid, now, language)
        limit, retry_after = self._hourly_limit(event, post)
        try:
            registration, counts = place(self.store, registration, record, expires_at=expiry_epoch(event), limit=limit)
        except AlreadyRegistered:
            return Refused("already_registered", resend=_resendable(fields))
        except RateLimited:
            return Refused("rate_limited", retry_after=retry_after, resend=_resendable(fields))
        except EventFull:
            return Refused("event_full")
        except EventGone:
            return Refused("unknown_event")
        except (StoreUnavailable, Contended, Forgotten) as exc:
            # Forgotten: erased (`forget`) while it waited for its number; nothing is stored.
            logger.warning("registration write failed: %s", type(exc).__name__)
            # Sent again, the same submission is answered like the first (even one stored after all).
            return Refused("unavailable", resend=_resendable(fields))
        # Mails follow from the stored registration (the table's stream feeds `outbox`).
        if counts is not None:
            self.events.update(event.event_id, counts)
        return Accepted(
            registration.registration_id,
            str(registration.status),
            registration.waitlist_position,
            registration.waitlist_place,
            registration.email,
        )

    def _hourly_limit(self, event: Event, post: Submitted) -> tuple[HourlyLimit | None, int]:
        per_hour = event.spam_protection.per_address_per_hour
        if per_hour is None or not post.source_ip:
            return None, 0
        window, seconds_left = spam.hour_window(post.now)
        key = f"{spam.address_key(post.source_ip, self.address_secret())}#{window}"
        expires = int(post.now.timestamp()) + seconds_left + 3600
        return HourlyLimit(key, per_hour, expires), seconds_left


def _resendable(fields: Fields) -> tuple[tuple[str, str], ...]:
    """The posted text values, for a form of hidden fields that sends them again."""
    return tuple((name, value) for name, values in fields.items() for value in values if isinstance(value, str))


def _requested_language(fields: Fields) -> str | None:
    values = fields.get("lang") or []
    value = values[0] if len(values) == 1 else None
    return value if value in ("de", "en") else None
