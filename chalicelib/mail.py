"""Mails: building them (pure functions of their inputs) and handing them to SES.

Submitted text only ever lands in a mail's body or, flattened to one line, in
its Subject; recipients and Reply-To go to SES as separate address fields, so
no submitted value can add a header or a recipient.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import formatdate, make_msgid
from typing import Any

from chalicelib import aws
from chalicelib.events import Event
from chalicelib.messages import field_label, text
from chalicelib.registration import Answer, Registration

_DATE_FORMATS = {"de": "%d.%m.%Y, %H:%M Uhr", "en": "%d %b %Y, %H:%M"}


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    body: str


def one_line(value: str) -> str:
    """Every control character (CR, LF, NUL, ...) becomes a space."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value).strip()


def event_when(event: Event, language: str) -> str:
    return event.starts_at.strftime(_DATE_FORMATS.get(language, _DATE_FORMATS["de"]))


def _answer_text(value: Answer, language: str) -> str:
    if isinstance(value, bool):
        return text(language, "mail.yes" if value else "mail.no")
    if isinstance(value, list):
        return ", ".join(value)
    return value.replace("\n", "\n    ")


def organiser_notification(event: Event, registration: Registration) -> OutgoingMail:
    """The one mail every organiser gets for an accepted registration, in the event's language."""
    lang = event.language
    name = one_line(registration.name)
    title = one_line(event.title)
    when = event_when(event, lang)
    if registration.status == "waitlisted":
        subject = text(lang, "mail.organiser.waitlisted_subject", title=title, name=name)
        intro = text(
            lang, "mail.organiser.waitlist_intro", title=title, when=when, position=registration.waitlist_position
        )
    else:
        subject = text(lang, "mail.organiser.subject", title=title, name=name)
        intro = text(lang, "mail.organiser.intro", title=title, when=when)
    rows: list[tuple[str, Answer]] = [
        (field_label(lang, "given_name"), registration.given_name),
        (field_label(lang, "family_name"), registration.family_name),
        (field_label(lang, "email"), registration.email),
    ]
    rows += [(field_label(lang, key), value) for key, value in registration.details.items()]
    rows += [(q.label_in(lang), registration.answers[q.id]) for q in event.questions if q.id in registration.answers]
    rows += [
        (text(lang, "mail.organiser.registered_at"), registration.registered_at),
        (text(lang, "mail.organiser.registration_id"), registration.registration_id),
    ]
    lines = [intro, ""]
    lines += [f"{label}: {_answer_text(value, lang)}" for label, value in rows]
    lines += ["", text(lang, "mail.organiser.reply_hint", name=name)]
    return OutgoingMail(
        to=tuple(event.organiser_addresses()),
        reply_to=(registration.email,),
        subject=one_line(subject),
        body="\n".join(lines) + "\n",
    )


class _SubjectKeepsSpaces(EmailPolicy):
    """SMTP policy whose non-ASCII Subject is folded by the legacy `Header` encoder.

    CPython's modern folder drops a space that falls between two encoded words
    ("– Jürgen" arrived as "–Jürgen"); the legacy encoder keeps it (measured by
    round-tripping random names in tests/unit/test_mail.py).
    """

    def fold(self, name: str, value: Any) -> str:
        return self._legacy(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        folded = self._legacy(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _legacy(self, name: str, value: Any) -> str | None:
        if name.lower() != "subject" or str(value).isascii():
            return None
        encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
        return f"{name}: {encoded}{self.linesep}"


MIME_POLICY = _SubjectKeepsSpaces() + SMTP


def to_mime(mail: OutgoingMail, sender: str) -> EmailMessage:
    """The MIME message SES sends. The email package refuses CR/LF in any header value."""
    message = EmailMessage(policy=MIME_POLICY)
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(mail.body, charset="utf-8")
    return message


class Mailer:
    """Sends `OutgoingMail` through SES as `sender`."""

    def __init__(self, sender: str, client: Callable[[], Any] = aws.ses) -> None:
        self.sender = sender
        self._client = client

    def send(self, mail: OutgoingMail) -> str:
        """Hand `mail` to SES, recipients named apart from the headers; returns SES's message id."""
        response = self._client().send_raw_email(
            Source=self.sender,
            Destinations=list(mail.to),
            RawMessage={"Data": to_mime(mail, self.sender).as_bytes()},
        )
        return str(response["MessageId"])
