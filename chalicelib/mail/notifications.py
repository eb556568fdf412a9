"""What each mail says, to whom, on which occasion. Pure: event + registration in, `OutgoingMail` out.

Organisers read their mails in the event's language, registrants in their own.
Every submitted value is escaped in HTML parts and flattened in Subjects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from chalicelib.mail.ics import event_ics
from chalicelib.mail.mime import Attachment, OutgoingMail, one_line
from chalicelib.model.events import Event
from chalicelib.model.registration import Answer, Registration, Status
from chalicelib.store.keys import kind_family
from chalicelib.texts import field_label, text, when_text
from chalicelib.texts.times import stamp_text


@dataclass(frozen=True)
class Link:
    label: str
    url: str


# A mail is a list of blocks, rendered twice: as plain text and as HTML.
Block = str | list[tuple[str, Answer]] | Link


def _value_text(value: Answer, language: str) -> str:
    if isinstance(value, bool):
        return text(language, "mail.yes" if value else "mail.no")
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _plain(blocks: list[Block], language: str) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Link):
            lines += [block.url, ""]
        elif isinstance(block, list):
            for label, value in block:
                lines.append(f"{label}: " + _value_text(value, language).replace("\n", "\n    "))
            lines.append("")
        else:
            lines += [block, ""]
    return "\n".join(lines).rstrip() + "\n"


def _html(blocks: list[Block], language: str) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Link):
            parts.append(f'<p><a href="{escape(block.url)}">{escape(block.label)}</a></p>')
        elif isinstance(block, list):
            rows = "".join(
                f"<tr><th align=left valign=top>{escape(label)}</th>"
                f"<td>{escape(_value_text(value, language)).replace(chr(10), '<br>')}</td></tr>"
                for label, value in block
            )
            parts.append(f"<table cellpadding=4>{rows}</table>")
        else:
            parts.append(f"<p>{escape(block).replace(chr(10), '<br>')}</p>")
    return f'<!doctype html><html lang="{language}"><body>{"".join(parts)}</body></html>'


def _details(event: Event, registration: Registration, language: str) -> list[tuple[str, Answer]]:
    rows: list[tuple[str, Answer]] = [
        (field_label(language, "given_name"), registration.given_name),
        (field_label(language, "family_name"), registration.family_name),
        (field_label(language, "email"), registration.email),
    ]
    rows += [(field_label(language, key), value) for key, value in registration.details.items()]
    # A choice in the reader's language (`choice_labels`): an English registrant of a German event
    # reads "Municipality" where the organisers read the stored "Kommune".
    rows += [
        (q.label_in(language), q.answer_in(registration.answers[q.id], language))
        for q in event.questions
        if q.id in registration.answers
    ]
    return rows


def event_rows(event: Event, language: str) -> list[tuple[str, Answer]]:
    rows: list[tuple[str, Answer]] = [(text(language, "mail.when"), when_text(event, language))]
    if event.location:
        rows.append((text(language, "mail.where"), event.location))
    return rows


def contact(event: Event) -> str:
    first = event.organisers[0]
    return ", ".join(filter(None, [first.name, first.email, first.phone]))


def signature(event: Event, language: str) -> str:
    return text(language, "mail.signature", organisers=", ".join(o.name for o in event.organisers))


def compose(
    to: tuple[str, ...],
    reply_to: tuple[str, ...],
    subject: str,
    blocks: list[Block],
    language: str,
    attachments: tuple[Attachment, ...] = (),
) -> OutgoingMail:
    return OutgoingMail(
        to=to,
        reply_to=reply_to,
        subject=one_line(subject),
        body=_plain(blocks, language),
        html=_html(blocks, language),
        attachments=attachments,
    )


# --- to the organisers ------------------------------------------------------------------------
def organiser_notification(event: Event, registration: Registration) -> OutgoingMail:
    """A new registration (confirmed or waitlisted): the one mail every organiser gets."""
    lang = event.language
    name, title = one_line(registration.name), one_line(event.title)
    when = when_text(event, lang)
    if registration.status == Status.WAITLISTED:
        subject = text(lang, "mail.organiser.waitlisted_subject", title=title, name=name)
        intro = text(
            lang,
            "mail.organiser.waitlist_intro",
            title=title,
            when=when,
            position=registration.waitlist_position,
            place=registration.waitlist_place or registration.waitlist_position,
        )
    else:
        subject = text(lang, "mail.organiser.subject", title=title, name=name)
        intro = text(lang, "mail.organiser.intro", title=title, when=when)
    facts: list[tuple[str, Answer]] = [
        (text(lang, "mail.organiser.registered_at"), stamp_text(registration.registered_at, event, lang)),
        (text(lang, "mail.organiser.registration_id"), registration.registration_id),
    ]
    blocks: list[Block] = [
        intro,
        _details(event, registration, lang) + facts,
        text(lang, "mail.organiser.reply_hint", name=name),
    ]
    return compose(tuple(event.organiser_addresses()), (registration.email,), subject, blocks, lang)


def organiser_cancellation(event: Event, registration: Registration, was_waitlisted_at: int | None) -> OutgoingMail:
    lang = event.language
    values = {"name": one_line(registration.name), "email": registration.email, "title": one_line(event.title)}
    if was_waitlisted_at is None:
        intro = text(lang, "mail.organiser.cancelled_intro", **values)
    else:
        intro = text(lang, "mail.organiser.cancelled_waitlisted_intro", position=was_waitlisted_at, **values)
    subject = text(lang, "mail.organiser.cancelled_subject", **values)
    blocks: list[Block] = [intro, [(text(lang, "mail.organiser.registration_id"), registration.registration_id)]]
    return compose(tuple(event.organiser_addresses()), (registration.email,), subject, blocks, lang)


def organiser_promotion(event: Event, registration: Registration, from_position: int | None) -> OutgoingMail:
    lang = event.language
    values = {"name": one_line(registration.name), "email": registration.email, "title": one_line(event.title)}
    intro = text(lang, "mail.organiser.promoted_intro", position=from_position, **values)
    subject = text(lang, "mail.organiser.promoted_subject", **values)
    blocks: list[Block] = [intro, _details(event, registration, lang)]
    return compose(tuple(event.organiser_addresses()), (registration.email,), subject, blocks, lang)


# --- to the registrant ------------------------------------------------------------------------
def calendar_attachment(
    event: Event, language: str, uid_domain: str, now: datetime, *, sequence: int = 0
) -> Attachment:
    """The event as a calendar file, named in the reader's language ("einladung.ics", "invitation.ics");
    `sequence`: the event's latest announcement, so that it supersedes older files."""
    ics = event_ics(event, uid_domain, now, sequence=sequence)
    return Attachment(text(language, "mail.calendar_file"), "text/calendar; method=PUBLISH", ics)


def registrant_confirmation(
    event: Event,
    registration: Registration,
    cancel_url: str,
    *,
    uid_domain: str,
    now: datetime,
    promoted: bool,
    sequence: int = 0,
) -> OutgoingMail:
    """Confirmed (at once, or moved up from the waiting list): with the calendar entry and the cancel link."""
    lang = registration.language
    kind = "promoted" if promoted else "confirmed"
    blocks: list[Block] = [
        text(lang, "mail.hello", name=one_line(registration.name)),
        text(lang, f"mail.{kind}.intro"),
        event.title,
        event_rows(event, lang),
        text(lang, "mail.calendar_hint", file=text(lang, "mail.calendar_file")),
        text(lang, "mail.cancel_hint"),
        Link(text(lang, "mail.cancel_link"), cancel_url),
        text(lang, "mail.your_details"),
        _details(event, registration, lang),
        text(lang, "mail.contact", contact=contact(event)),
        signature(event, lang),
    ]
    calendar = calendar_attachment(event, lang, uid_domain, now, sequence=sequence)
    subject = text(lang, f"mail.{kind}.subject", title=one_line(event.title))
    return compose((registration.email,), tuple(event.organiser_addresses()[:1]), subject, blocks, lang, (calendar,))


def registrant_reminder(
    event: Event, registration: Registration, cancel_url: str, *, uid_domain: str, now: datetime, sequence: int = 0
) -> OutgoingMail:
    """A few days before the start (`reminder_days_before`): when and where, the calendar entry
    again, and the cancel link, so a seat nobody will use can still go to someone else."""
    lang = registration.language
    blocks: list[Block] = [
        text(lang, "mail.hello", name=one_line(registration.name)),
        text(lang, "mail.reminder.intro", when=when_text(event, lang)),
        event.title,
        event_rows(event, lang),
        text(lang, "mail.calendar_hint", file=text(lang, "mail.calendar_file")),
        text(lang, "mail.reminder.cancel_hint"),
        Link(text(lang, "mail.cancel_link"), cancel_url),
        text(lang, "mail.contact", contact=contact(event)),
        signature(event, lang),
    ]
    calendar = calendar_attachment(event, lang, uid_domain, now, sequence=sequence)
    subject = text(lang, "mail.reminder.subject", title=one_line(event.title))
    return compose((registration.email,), tuple(event.organiser_addresses()[:1]), subject, blocks, lang, (calendar,))


def registrant_waitlist_notice(event: Event, registration: Registration, cancel_url: str) -> OutgoingMail:
    """On the waiting list: the place, no calendar entry."""
    lang = registration.language
    blocks: list[Block] = [
        text(lang, "mail.hello", name=one_line(registration.name)),
        text(lang, "mail.waitlisted.intro", place=registration.waitlist_place or registration.waitlist_position),
        event.title,
        event_rows(event, lang),
        text(lang, "mail.waitlist_cancel_hint"),
        Link(text(lang, "mail.cancel_link"), cancel_url),
        text(lang, "mail.contact", contact=contact(event)),
        signature(event, lang),
    ]
    subject = text(lang, "mail.waitlisted.subject", title=one_line(event.title))
    return compose((registration.email,), tuple(event.organiser_addresses()[:1]), subject, blocks, lang)


def registrant_cancellation(event: Event, registration: Registration) -> OutgoingMail:
    lang = registration.language
    blocks: list[Block] = [
        text(lang, "mail.hello", name=one_line(registration.name)),
        text(lang, "mail.cancelled.intro"),
        event.title,
        event_rows(event, lang),
        text(lang, "mail.contact", contact=contact(event)),
        signature(event, lang),
    ]
    subject = text(lang, "mail.cancelled.subject", title=one_line(event.title))
    return compose((registration.email,), tuple(event.organiser_addresses()[:1]), subject, blocks, lang)


# --- to the organisers, when a mail to a registrant did not arrive ------------------------------
def organiser_undeliverable(event: Event, registration: Registration, kind: str, reason: str) -> OutgoingMail:
    """Mail `kind` to the registrant failed for good (`reason`, a `mail.failures` code)."""
    lang = event.language
    values = {"name": one_line(registration.name), "email": registration.email, "title": one_line(event.title)}
    mail = text(lang, f"mail.kind.{kind_family(kind)}")  # `registrant_changed_2` like every change
    intro = text(lang, "mail.organiser.undeliverable_intro", mail=mail, **values)
    blocks: list[Block] = [
        intro,
        [
            (text(lang, "mail.reason"), text(lang, f"mail.failure.{reason}")),
            (text(lang, "mail.organiser.registration_id"), registration.registration_id),
        ],
        text(lang, "mail.organiser.undeliverable_advice"),
        _details(event, registration, lang),
    ]
    subject = text(lang, "mail.organiser.undeliverable_subject", **values)
    return compose(tuple(event.organiser_addresses()), (registration.email,), subject, blocks, lang)


def organiser_bounce(event: Event, registration: Registration) -> OutgoingMail:
    """A mail to the registrant bounced for good: most often a typo in the address."""
    lang = event.language
    values = {"name": one_line(registration.name), "email": registration.email, "title": one_line(event.title)}
    blocks: list[Block] = [
        text(lang, "mail.organiser.bounced_intro", **values),
        # The phone number only when the person gave one.
        text(
            lang,
            "mail.organiser.bounced_advice",
            phone=text(lang, "mail.organiser.bounced_phone") if registration.details.get("phone") else "",
        ),
        _details(event, registration, lang),
    ]
    subject = text(lang, "mail.organiser.bounced_subject", **values)
    # No Reply-To: the registrant's address is the one that does not work.
    return compose(tuple(event.organiser_addresses()), (), subject, blocks, lang)
