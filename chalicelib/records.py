"""One registration as the service keeps it: the typed record, its id and its time stamps. Pure.

What a submission must look like to become one is `registration`'s business.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from chalicelib.events import Event

Answer = str | bool | list[str]
# The optional standard fields, kept when given.
DETAIL_FIELDS = ("organisation", "role", "phone", "message")


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_registration_id(now: datetime) -> str:
    """A ULID: 26 characters that sort by arrival time, then 80 random bits."""
    value = (int(now.timestamp() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as stored and exported."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Registration:
    """One accepted registration, as it is stored and mailed."""

    event_id: str
    registration_id: str
    email: str
    given_name: str
    family_name: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    registered_at: str
    consent_at: str
    language: str
    consent_version: str = ""
    details: dict[str, str] = field(default_factory=dict)  # the optional standard fields given
    answers: dict[str, Answer] = field(default_factory=dict)
    waitlist_position: int | None = None  # the number on the list: unique, in order of arrival
    waitlist_place: int | None = None  # the place in line when it joined (people ahead + 1)

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def registration_from_item(event: Event, item: dict[str, Any]) -> Registration:
    """A stored registration (plain values, as `store` returns them) as a `Registration`."""
    return Registration(
        event_id=item["event_id"],
        registration_id=item["registration_id"],
        email=item["email"],
        given_name=item["given_name"],
        family_name=item["family_name"],
        status=item["status"],
        registered_at=item["registered_at"],
        consent_at=item["consent_at"],
        consent_version=item.get("consent_version", ""),
        language=item.get("lang", event.language),
        details={k: item[k] for k in DETAIL_FIELDS if item.get(k)},
        answers={q.id: item[q.id] for q in event.questions if q.id in item},
        waitlist_position=item.get("waitlist_position"),
        waitlist_place=item.get("waitlist_place"),
    )
