"""When and where an event takes place, as its registrants were told: what `notify-change` compares
and `cancel-event` ends. Pure.

The event row keeps the appointment last announced beside the definition (`store.event_rows`):
`load-events` stores a new definition at once, but registrants only learn of it from the
announcement, so the difference between the two is the change still to tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.model.events import Event


@dataclass(frozen=True)
class Appointment:
    """Start, end and place, as the event file writes them (local times in `timezone`)."""

    timezone: str
    starts_at: str
    ends_at: str | None = None
    location: str | None = None

    def as_stored(self) -> dict[str, str]:
        # DynamoDB stores no null inside a map: what is not given is left out.
        values = {"timezone": self.timezone, "starts_at": self.starts_at, "ends_at": self.ends_at}
        return {key: value for key, value in (values | {"location": self.location}).items() if value is not None}

    @classmethod
    def from_stored(cls, values: dict[str, Any]) -> Appointment:
        return cls(values["timezone"], values["starts_at"], values.get("ends_at"), values.get("location"))


def appointment_of(event: Event) -> Appointment:
    ends_at = event.ends_at.isoformat() if event.ends_at is not None else None
    return Appointment(event.timezone, event.starts_at.isoformat(), ends_at, event.location)


def appointment_in_file(definition: dict[str, Any]) -> Appointment:
    """The appointment of a stored definition read as plain JSON: one stored by an older version
    need not validate against today's model to say when and where it was."""
    ends_at = definition.get("ends_at")
    return Appointment(
        definition["timezone"],
        _local(definition["starts_at"]),
        _local(ends_at) if ends_at else None,
        definition.get("location"),
    )


def _local(value: str) -> str:
    # Written as `appointment_of` writes it, so that an unchanged time compares equal.
    return datetime.fromisoformat(value).isoformat()


def as_announced(event: Event, appointment: Appointment) -> Event:
    """`event` with the time and place of `appointment`: the event as registrants knew it, for the
    texts that describe it (`when_text`). Not validated again: it was, when it was loaded."""
    ends_at = datetime.fromisoformat(appointment.ends_at) if appointment.ends_at else None
    return event.model_copy(
        update={
            "timezone": appointment.timezone,
            "starts_at": datetime.fromisoformat(appointment.starts_at),
            "ends_at": ends_at,
            "location": appointment.location,
        }
    )


@dataclass(frozen=True)
class Announcements:
    """What an event's row says its registrants were told.

    `told` is the appointment last announced (None: a row no `load-events` of this version has
    written yet: its definition is what they were told), `before` the one the latest change
    replaced, `sequence` the calendar file's SEQUENCE (RFC 5545: a higher one supersedes; 0
    until the first change), `changed_at` when the latest change was announced (registrations
    stored before it are told of it), `cancelled_at` when the event was cancelled, and `done` the
    sequence whose notices have all gone (the due function sends while it is below `sequence`)."""

    told: Appointment | None = None
    before: Appointment | None = None
    sequence: int = 0
    changed_at: str | None = None
    cancelled_at: str | None = None
    done: int = 0

    @property
    def owed(self) -> bool:
        """Whether notices of the latest announcement (a change, or the cancellation) may still be owed."""
        return self.sequence > self.done


def changed_fields(told: Appointment, now: Appointment) -> list[str]:
    """Which of `when` (start, end or zone) and `where` differ between what registrants were told and
    the event now; [] when nothing they were told has changed."""
    when = (told.timezone, told.starts_at, told.ends_at) != (now.timezone, now.starts_at, now.ends_at)
    return [name for name, differs in (("when", when), ("where", told.location != now.location)) if differs]
