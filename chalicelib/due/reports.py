"""The organisers' mails about an event as a whole: the closing mail when registration closes, and
the daily digest (`organiser_mails: daily`). Pure: event and registrations in, `OutgoingMail` out.

Both are in the event's language, like every organisers' mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from chalicelib.due.owed import ClosingReason, Counts, DayChanges
from chalicelib.mail.mime import Attachment, OutgoingMail, one_line
from chalicelib.mail.notifications import Block, compose
from chalicelib.model.events import Event
from chalicelib.model.registration import Answer, Registration, Status
from chalicelib.texts import text, when_text
from chalicelib.texts.export import default_separator, to_attendance_list
from chalicelib.texts.sheet import to_csv
from chalicelib.texts.times import stamp_text


def _count_rows(language: str, counts: Counts) -> list[tuple[str, Answer]]:
    return [
        (text(language, "mail.count.confirmed"), str(counts.confirmed)),
        (text(language, "mail.count.waiting"), str(counts.waiting)),
        (text(language, "mail.count.cancelled"), str(counts.cancelled)),
    ]


def organiser_closing(
    event: Event, reason: ClosingReason, counts: Counts, registrations: Iterable[Registration]
) -> OutgoingMail:
    """Registration has closed (`reason`): the numbers, every registration as CSV for Excel and
    the printable attendance list, so nobody has to ask an admin for them."""
    lang = event.language
    listed = list(registrations)
    title, when = one_line(event.title), when_text(event, lang)
    csv_name = text(lang, "mail.closing.csv_file", event_id=event.event_id)
    list_name = text(lang, "mail.closing.attendance_file", event_id=event.event_id)
    blocks: list[Block] = [text(lang, f"mail.closing.{reason}", title=title, when=when), _count_rows(lang, counts)]
    if reason == "full":
        blocks.append(text(lang, "mail.closing.full_reopens"))
    blocks += [
        text(lang, "mail.closing.attachments", csv=csv_name, attendance=list_name),
        text(lang, "mail.closing.later"),
    ]
    attachments = (
        # `;` for a German event: what a German Excel expects when the file is opened by double-click.
        Attachment(csv_name, "text/csv", to_csv(event, listed, default_separator(event)).encode("utf-8")),
        Attachment(list_name, "text/html", to_attendance_list(event, listed).encode("utf-8")),
    )
    subject = text(lang, "mail.closing.subject", title=title)
    return compose(tuple(event.organiser_addresses()), (), subject, blocks, lang, attachments)


def organiser_digest(event: Event, day: date, changes: DayChanges, counts: Counts) -> OutgoingMail:
    """The registrations, cancellations and moves up before 08:00 on `day` that the organisers
    were not told of yet (usually those of the 24 hours before), and the numbers now: one mail a
    day instead of one per change."""
    lang = event.language
    title = one_line(event.title)
    blocks: list[Block] = [text(lang, "mail.digest.intro", title=title, when=when_text(event, lang))]
    for heading, stamp, listed in (
        ("mail.digest.registered", "registered_at", changes.registered),
        ("mail.digest.cancelled", "cancelled_at", changes.cancelled),
        ("mail.digest.promoted", "promoted_at", changes.promoted),
    ):
        blocks.append(f"{text(lang, heading)} ({len(listed)})")
        if listed:
            blocks.append([(one_line(r.name), _who(event, r, stamp, lang)) for r in listed])
    blocks += [text(lang, "mail.digest.now"), _count_rows(lang, counts)]
    subject = text(lang, "mail.digest.subject", title=title, day=day_text(day, lang))
    # Reply-To none: the mail is about many people, "Reply" must not write to one of them.
    return compose(tuple(event.organiser_addresses()), (), subject, blocks, lang)


def _who(event: Event, registration: Registration, stamp: str, language: str) -> str:
    """ "ana@example.org · Stadt Bonn · bestätigt · 09.11.2016, 18:04": how to reach the person,
    where they stand, and when the change reported (`stamp`) happened, on the event's clock."""
    position = registration.waitlist_position
    if registration.status == Status.WAITLISTED and position:
        status = text(language, "mail.digest.waitlisted_at", position=position)
    elif registration.status == Status.CANCELLED:
        status = text(language, "mail.digest.status_cancelled")
    else:
        status = text(language, "mail.digest.confirmed")
    at = getattr(registration, stamp)
    parts = (
        registration.email,
        registration.details.get("organisation"),
        status,
        at and stamp_text(at, event, language),
    )
    return " · ".join(part for part in parts if part)


def day_text(day: date, language: str) -> str:
    """ "10. November 2016" / "10 November 2016"."""
    month = text(language, "date.months").split()[day.month - 1]
    return text(language, "date.day", day=day.day, month=month, year=day.year)
