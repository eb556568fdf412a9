"""Mails as MIME: `OutgoingMail` -> the bytes SES sends. Pure.

What each mail says is `notifications`' business, sending it `sender`'s. Here: submitted text only
ever lands in a body, an attachment or, flattened to one line, the Subject;
recipients go to SES apart from the headers, so no submitted value can add a
header or a recipient.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import formatdate, make_msgid
from typing import Any


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
    """Every control character (CR, LF, NUL, ...) and line or paragraph separator becomes a space.

    U+2028/U+2029 are no control characters, yet `str.splitlines` breaks at them and so the
    email package refuses them in a header ("may not contain linefeed"): a Subject with one
    could never be built. A lone surrogate (no UTF-8 form) becomes U+FFFD rather than fail.
    """
    return "".join(_one_line_char(ch) for ch in value).strip()


def _one_line_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category in ("Cc", "Zl", "Zp"):
        return " "
    return "\ufffd" if category == "Cs" else ch


class _SubjectKeepsSpaces(EmailPolicy):
    """SMTP policy whose non-ASCII Subject is folded by the legacy `Header` encoder.

    CPython's modern folder drops a space that falls between two encoded words
    ("– Jürgen" arrived as "–Jürgen"); the legacy encoder keeps it (measured by
    round-tripping random names in tests/unit/test_mime.py).

    The Subject is also kept as written: the modern parser reads an "=?utf-8?q?Bob?=" inside a
    value as an encoded word and would mail "Bob" for a registrant who typed the former.
    """

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if name.lower() != "subject" or not isinstance(value, str):
            return super().header_store_parse(name, value)
        if len(value.splitlines()) > 1:  # as the base class: no header smuggled in with a line break
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return (name, value)

    def fold(self, name: str, value: Any) -> str:
        return self._legacy(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        folded = self._legacy(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)

    def _legacy(self, name: str, value: Any) -> str | None:
        # An ASCII Subject with "=?" in it is encoded too: written as it is, a reader would decode
        # it as an encoded word.
        if name.lower() != "subject" or (str(value).isascii() and "=?" not in str(value)):
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
