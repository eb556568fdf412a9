"""One registration from request body to outcome: the straight path of the service.

event -> body -> window -> honeypot -> validation -> one DynamoDB transaction.
Nothing is mailed here: the mail function reads the table's stream. Every
refusal is an `Outcome`, never an exception; only `answers` turns outcomes
into HTTP.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from chalicelib.event_cache import EventCache
from chalicelib.events import Event, Window, expiry_epoch, registration_window
from chalicelib.forms import BodyError, Fields, parse_body
from chalicelib.registration import (
    FieldError,
    InvalidSubmission,
    new_registration,
    new_registration_id,
    validate_submission,
)
from chalicelib.seats import Contended, EventFull, EventGone, place
from chalicelib.store import AlreadyRegistered, EventRecord, Store, StoreUnavailable

logger = logging.getLogger(__name__)
EVENT_ID = re.compile(r"^[a-z0-9-]{3,64}$")


@dataclass(frozen=True)
class Accepted:
    registration_id: str
    status: str
    waitlist_position: int | None = None


@dataclass(frozen=True)
class Refused:
    code: str
    errors: tuple[FieldError, ...] = ()


Outcome = Accepted | Refused


@dataclass(frozen=True)
class IntakeResult:
    outcome: Outcome
    event: Event | None
    requested_language: str | None  # the submission's own `lang`, when it names one


def find_event(store: Store, event_id: str) -> EventRecord | None:
    """The event `event_id`, or None for an id that cannot exist or is not stored."""
    if not EVENT_ID.match(event_id):
        return None
    return store.find_event(event_id)


class Intake:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.events = EventCache(lambda event_id: find_event(store, event_id))

    def register(self, event_id: str, body: bytes | None, content_type: str | None, now: datetime) -> IntakeResult:
        try:
            record = self.events.get(event_id)
        except StoreUnavailable:
            logger.warning("event read failed", exc_info=True)
            return IntakeResult(Refused("unavailable"), None, None)
        if record is None:
            return IntakeResult(Refused("unknown_event"), None, None)
        event = record.event
        try:
            fields = parse_body(body, content_type)
        except BodyError as exc:
            return IntakeResult(Refused(exc.code), event, None)
        language = _requested_language(fields)
        return IntakeResult(self._decide(record, fields, now, language), event, language)

    def _decide(self, record: EventRecord, fields: Fields, now: datetime, language: str | None) -> Outcome:
        event = record.event
        window = registration_window(event, now)
        if window is not Window.OPEN:
            return Refused(window.value)
        if _honeypot_filled(fields):
            # Bots must believe they succeeded, or they learn to leave it empty.
            logger.info("honeypot filled; nothing stored")
            return Accepted(new_registration_id(now), "confirmed")
        try:
            valid = validate_submission(event, fields)
        except InvalidSubmission as exc:
            return Refused("invalid", tuple(exc.errors))
        registration = new_registration(event, valid, now, language or event.language)
        try:
            registration, counts = place(self.store, registration, record, expires_at=expiry_epoch(event))
        except AlreadyRegistered:
            return Refused("already_registered")
        except EventFull:
            return Refused("event_full")
        except EventGone:
            return Refused("unknown_event")
        except (StoreUnavailable, Contended):
            logger.warning("registration write failed", exc_info=True)
            return Refused("unavailable")
        # Mails follow from the stored registration (the table's stream feeds `outbox`).
        self.events.update(event.event_id, counts)
        return Accepted(registration.registration_id, registration.status, registration.waitlist_position)


def _requested_language(fields: Fields) -> str | None:
    values = fields.get("lang") or []
    value = values[0] if len(values) == 1 else None
    return value if value in ("de", "en") else None


def _honeypot_filled(fields: Fields) -> bool:
    return any(v.strip() if isinstance(v, str) else v not in (None, False) for v in fields.get("website", []))
