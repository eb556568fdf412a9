"""The table's keys and attribute names: the one place that knows them.

One table. Partition key `event_id`, sort key `sk`:

    sk = "event"                 the event: its definition and its seat counts
    sk = "event#pending#<ULID>"  a registration just stored (W8), not yet placed: placed moments
                                 later with others (W9), it moves to "registration#<ULID>"
    sk = "refused#<ULID>"        a pending registration refused because the event was full (W9):
                                 no personal data, kept an hour so that its request reads why
    sk = "registration#<ULID>"   one registration (ULIDs sort by arrival)
    sk = "email#<address>"       the one-per-address marker, address lower-cased
    sk = "mail#<ULID>#<kind>"    one mail about a registration: claimed, then sent (exactly once)
    sk = "mail#event#<kind>"     one mail about the event as a whole (the closing mail, a day's digest)
    sk = "rate#<key>#<hour>"     registrations from one (pseudonymised) address in one hour
    sk = "complaint#<address>"   the address marked our mail as spam: no more mail to it for this event

so an admin finds an event's registrations with one Query in the console:
`event_id = <id>` and `sk` begins with `registration#`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.store.codec import item

EVENT_SK = "event"
# Right after the event row, so that one Query reads the counts and who is joining, in order.
PENDING_PREFIX = "event#pending#"
REGISTRATION_PREFIX = "registration#"
REFUSED_PREFIX = "refused#"
REFUSAL_SECONDS = 3600
EMAIL_PREFIX = "email#"
MAIL_PREFIX = "mail#"
RATE_PREFIX = "rate#"
COMPLAINT_PREFIX = "complaint#"
TTL_ATTRIBUTE = "expires_at"
# The event row's counters.
CONFIRMED = "confirmed_count"  # seats taken
WAITLISTED = "waitlisted_count"  # waiting-list numbers handed out so far (the last one)
WAITING = "waiting_count"  # people on the waiting list now
CAPACITY = "capacity"
COUNTER_NAMES = {"#confirmed": CONFIRMED, "#waitlisted": WAITLISTED, "#waiting": WAITING, "#capacity": CAPACITY}
# What the event row says its registrants were told (`model.appointment.Announcements`).
ANNOUNCED = "announced"  # the time and place last announced: a map, first written by `load-events`
ANNOUNCED_BEFORE = "announced_before"  # the time and place the latest change replaced
SEQUENCE = "ics_sequence"  # the calendar file's SEQUENCE; absent counts as 0
CHANGED_AT = "announced_at"  # when the latest change was announced
EVENT_CANCELLED_AT = "cancelled_at"  # when `cancel-event` cancelled the event
NOTICES_DONE = "notices_done"  # the sequence whose notices have all gone
ANNOUNCEMENT_ID = "announcement_id"  # names the latest announcement's write, to read it back


def absent_or_zero(name: str) -> str:
    """The condition "counter `name` is zero": a counter never written is zero too (`:zero` is 0)."""
    return f"(attribute_not_exists({name}) OR {name} = :zero)"


def counted_as(name: str, value: str) -> str:
    """The condition "counter `name` equals `value`", a counter never written counting as zero."""
    return f"({name} = {value} OR (attribute_not_exists({name}) AND {value} = :zero))"


NOBODY_WAITING = absent_or_zero("#waiting")


def event_key(event_id: str) -> dict[str, Any]:
    return item({"event_id": event_id, "sk": EVENT_SK})


def registration_key(event_id: str, registration_id: str) -> dict[str, Any]:
    return item({"event_id": event_id, "sk": REGISTRATION_PREFIX + registration_id})


def pending_key(event_id: str, registration_id: str) -> dict[str, Any]:
    return item({"event_id": event_id, "sk": PENDING_PREFIX + registration_id})


def refused_key(event_id: str, registration_id: str) -> dict[str, Any]:
    return item({"event_id": event_id, "sk": REFUSED_PREFIX + registration_id})


def marker_sk(email: str) -> str:
    return EMAIL_PREFIX + email.lower()


def marker_key(event_id: str, email: str) -> dict[str, Any]:
    return item({"event_id": event_id, "sk": marker_sk(email)})


def complaint_sk(email: str) -> str:
    return COMPLAINT_PREFIX + email.lower()


def complaint_key(event_id: str, email: str) -> dict[str, Any]:
    return item({"event_id": event_id, "sk": complaint_sk(email)})


def mail_sk(registration_id: str, kind: str) -> str:
    return f"{MAIL_PREFIX}{registration_id}#{kind}"


# The owner of the mail rows about an event as a whole, in place of a registration id: never a
# ULID (26 upper-case characters), so no registration's rows can meet them.
EVENT_MAILS = "event"
CLOSING_MAIL = "organiser_closing"
REMINDER_MAIL = "registrant_reminder"
# A day's digest is `organiser_digest_<YYYY-MM-DD>`: one row per local day. `_`, not `#`, so that
# `mail_kind` reads the kind back and SES takes it as a message tag.
DIGEST_MAIL_PREFIX = "organiser_digest_"


def digest_mail(day: date) -> str:
    """The kind of the organisers' digest of the local day `day`."""
    return f"{DIGEST_MAIL_PREFIX}{day.isoformat()}"


def mail_owner_key(event_id: str, owner_id: str) -> dict[str, Any]:
    """The row a mail row's owner is: the registration, or the event row for `EVENT_MAILS`."""
    return event_key(event_id) if owner_id == EVENT_MAILS else registration_key(event_id, owner_id)


def mail_of(sk: str) -> tuple[str, str]:
    """(registration id or `EVENT_MAILS`, kind) of a mail row's sort key."""
    owner, _, kind = sk.removeprefix(MAIL_PREFIX).partition("#")
    return owner, kind


def kind_family(kind: str) -> str:
    """A numbered mail kind without its number (`registrant_changed_2` -> `registrant_changed`):
    how texts name it and reports count it."""
    return kind.rstrip("0123456789").rstrip("_")


def mail_kind(sk: str) -> str:
    """The mail kind a mail row's sort key names."""
    return mail_of(sk)[1]


def is_registration(sk: str) -> bool:
    return sk.startswith(REGISTRATION_PREFIX)
