"""The mails that tell of a change to an event or of its cancellation. Pure: event,
registration and what was announced in, `OutgoingMail` out.

Registrants read them in their own language, the organisers in the event's. Only a confirmed
registrant gets a calendar file: someone waiting never had an entry to update or remove.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.mail.ics import cancelled_ics
from chalicelib.mail.mime import Attachment, OutgoingMail, one_line
from chalicelib.mail.notifications import (
    Block,
    Link,
    calendar_attachment,
    compose,
    contact,
    event_rows,
    signature,
)
from chalicelib.model.appointment import Appointment, appointment_of, as_announced, changed_fields
from chalicelib.model.events import Event
from chalicelib.model.registration import Answer, Registration, Status
from chalicelib.texts import text, when_text


def registrant_changed(
    event: Event,
    registration: Registration,
    cancel_url: str,
    before: Appointment,
    *,
    uid_domain: str,
    now: datetime,
    sequence: int,
) -> OutgoingMail:
    """The event moved (`before` -> `event`): what changed, old and new, the event as it is now and,
    for a confirmed registrant, the calendar file that replaces theirs (SEQUENCE `sequence`)."""
    lang = registration.language
    confirmed = registration.status == Status.CONFIRMED
    blocks: list[Block] = [
        text(lang, "mail.hello", name=one_line(registration.name)),
        text(lang, "mail.changed.intro"),
        event.title,
        change_rows(as_announced(event, before), event, lang),
    ]
    if confirmed:
        blocks += [
            text(lang, "mail.changed.calendar_hint", file=text(lang, "mail.calendar_file")),
            text(lang, "mail.changed.cancel_hint"),
        ]
    else:
        blocks += [text(lang, "mail.changed.waitlisted"), text(lang, "mail.waitlist_cancel_hint")]
    blocks += [
        Link(text(lang, "mail.cancel_link"), cancel_url),
        text(lang, "mail.contact", contact=contact(event)),
        signature(event, lang),
    ]
    calendar = (calendar_attachment(event, lang, uid_domain, now, sequence=sequence),) if confirmed else ()
    subject = text(lang, "mail.changed.subject", title=one_line(event.title))
    return compose((registration.email,), tuple(event.organiser_addresses()[:1]), subject, blocks, lang, calendar)


def change_rows(was: Event, now: Event, language: str) -> list[tuple[str, Answer]]:
    """Each of time and place that changed, as it was and as it is (on the event's clock)."""
    changed = changed_fields(appointment_of(was), appointment_of(now))
    rows: list[tuple[str, Answer]] = []
    for name, label, value in (("when", "mail.when", when_text), ("where", "mail.where", _where)):
        if name in changed:
            rows += [
                (text(language, "mail.changed.was", label=text(language, label)), value(was, language)),
                (text(language, "mail.changed.now", label=text(language, label)), value(now, language)),
            ]
    return rows


def _where(event: Event, language: str) -> str:
    return event.location or text(language, "mail.changed.no_location")


def registrant_event_cancelled(
    event: Event, registration: Registration, *, uid_domain: str, now: datetime, sequence: int
) -> OutgoingMail:
    """The event is cancelled: when and where it would have been and, for a confirmed registrant,
    the calendar file that removes their entry (METHOD:CANCEL, SEQUENCE `sequence`)."""
    lang = registration.language
    blocks: list[Block] = [
        text(lang, "mail.hello", name=one_line(registration.name)),
        text(lang, "mail.event_cancelled.intro"),
        event.title,
        event_rows(event, lang),
    ]
    attachments: tuple[Attachment, ...] = ()
    if registration.status == Status.CONFIRMED:
        name = text(lang, "mail.event_cancelled.calendar_file")
        ics = cancelled_ics(event, uid_domain, now, sequence=sequence, attendee=registration.email)
        attachments = (Attachment(name, "text/calendar; method=CANCEL", ics),)
        blocks.append(text(lang, "mail.event_cancelled.calendar_hint", file=name))
    blocks += [
        text(lang, "mail.event_cancelled.nothing_to_do"),
        text(lang, "mail.contact", contact=contact(event)),
        signature(event, lang),
    ]
    subject = text(lang, "mail.event_cancelled.subject", title=one_line(event.title))
    return compose((registration.email,), tuple(event.organiser_addresses()[:1]), subject, blocks, lang, attachments)


def organiser_event_cancelled(event: Event, told: int, not_delivered: int) -> OutgoingMail:
    """To the organisers, once every registrant's notice is done: how many were told, and how many
    notices could not be delivered (each of those has brought its own "Nicht zugestellt" mail)."""
    lang = event.language
    title = one_line(event.title)
    rows: list[tuple[str, Answer]] = [(text(lang, "mail.organiser.event_cancelled_told"), str(told))]
    if not_delivered:
        rows.append((text(lang, "mail.organiser.event_cancelled_not_delivered"), str(not_delivered)))
    blocks: list[Block] = [
        text(lang, "mail.organiser.event_cancelled_intro", title=title, when=when_text(event, lang)),
        rows,
    ]
    if not_delivered:
        blocks.append(text(lang, "mail.organiser.event_cancelled_advice"))
    subject = text(lang, "mail.organiser.event_cancelled_subject", title=title)
    return compose(tuple(event.organiser_addresses()), (), subject, blocks, lang)
