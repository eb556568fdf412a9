"""Mails as SES sends them: `OutgoingMail` -> MIME (pure) -> SES.

What each mail says is `notifications`' business. Here: submitted text only
ever lands in a body, an attachment or, flattened to one line, the Subject;
recipients go to SES apart from the headers, so no submitted value can add a
header or a recipient.
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


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=PUBLISH"
    data: bytes


@dataclass(frozen=True)
class OutgoingMail:
    to: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    body: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()


def one_line(value: str) -> str:
    """Every control character (CR, LF, NUL, ...) becomes a space."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value).strip()


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
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
    for attachment in mail.attachments:
        kind, _, params = attachment.content_type.partition(";")
        maintype, subtype = kind.strip().split("/")
        if maintype == "text":
            # As text with its charset: a calendar title with „…“ must not arrive as mojibake.
            message.add_attachment(
                attachment.data.decode("utf-8"), subtype=subtype, charset="utf-8", filename=attachment.filename
            )
        else:
            message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        if params:
            key, _, value = params.strip().partition("=")
            message.get_payload()[-1].set_param(key, value)
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
