"""One registration as the service keeps it: the typed record, its id and its time stamps. Pure.

What a submission must look like to become one is `validation`'s business.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

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


class Status(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    # Joining a full event's waiting list: stored, numbered within moments (`numbering`); never
    # an answer, a mail or an export.
    PENDING = "pending"


# A registration that holds a seat or a place in line (and so may cancel).
ACTIVE = frozenset({Status.CONFIRMED, Status.WAITLISTED})


@dataclass(frozen=True)
class Registration:
    """One registration, as every module above the store handles it."""

    event_id: str
    registration_id: str
    email: str
    given_name: str
    family_name: str
    status: Status
    registered_at: str
    consent_at: str
    language: str
    consent_version: str = ""
    details: dict[str, str] = field(default_factory=dict)  # the optional standard fields given
    answers: dict[str, Answer] = field(default_factory=dict)
    waitlist_position: int | None = None  # the number on the list: unique, in order of arrival
    waitlist_place: int | None = None  # the place in line when it joined (people ahead + 1)
    promoted_at: str | None = None
    cancelled_at: str | None = None
    mail_problem: str | None = None  # "bounced" or "complaint": what SES reported
    mail_problem_detail: str | None = None
    mail_problem_at: str | None = None
    expires_at: int | None = None  # the TTL: epoch seconds

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def as_stored(self) -> dict[str, Any]:
        """The registration under its stored attribute names (what exports and the admin API
        show): the one place where `language` is called `lang`."""
        values: dict[str, Any] = {
            "event_id": self.event_id,
            "registration_id": self.registration_id,
            "email": self.email,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "status": str(self.status),
            "registered_at": self.registered_at,
            "consent_at": self.consent_at,
            "consent_version": self.consent_version,
            "lang": self.language,
            "waitlist_position": self.waitlist_position,
            "waitlist_place": self.waitlist_place,
            "promoted_at": self.promoted_at,
            "cancelled_at": self.cancelled_at,
            "mail_problem": self.mail_problem,
            "mail_problem_detail": self.mail_problem_detail,
            "mail_problem_at": self.mail_problem_at,
            "expires_at": self.expires_at,
            **self.details,
            **self.answers,
        }
        return {name: value for name, value in values.items() if value is not None}

    @classmethod
    def from_stored(cls, values: dict[str, Any]) -> Registration:
        """A registration from its stored attributes; every attribute not named here is the
        answer to a question (an event's question ids cannot shadow these: `events`)."""
        return cls(
            event_id=values["event_id"],
            registration_id=values["registration_id"],
            email=values["email"],
            given_name=values["given_name"],
            family_name=values["family_name"],
            status=Status(values["status"]),
            registered_at=values["registered_at"],
            consent_at=values["consent_at"],
            consent_version=values.get("consent_version", ""),
            language=values.get("lang", "de"),
            details={k: values[k] for k in DETAIL_FIELDS if values.get(k)},
            answers={k: v for k, v in values.items() if k not in STORED_ATTRIBUTES},
            waitlist_position=values.get("waitlist_position"),
            waitlist_place=values.get("waitlist_place"),
            promoted_at=values.get("promoted_at"),
            cancelled_at=values.get("cancelled_at"),
            mail_problem=values.get("mail_problem"),
            mail_problem_detail=values.get("mail_problem_detail"),
            mail_problem_at=values.get("mail_problem_at"),
            expires_at=values.get("expires_at"),
        )


# Every attribute a registration item holds besides its answers (and the sort key).
STORED_ATTRIBUTES = frozenset(
    (
        "event_id",
        "sk",
        "registration_id",
        "email",
        "given_name",
        "family_name",
        "status",
        "registered_at",
        "consent_at",
        "consent_version",
        "lang",
        "waitlist_position",
        "waitlist_place",
        "promoted_at",
        "cancelled_at",
        "mail_problem",
        "mail_problem_detail",
        "mail_problem_at",
        "expires_at",
        *DETAIL_FIELDS,
    )
)
