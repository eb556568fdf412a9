"""Mails sent through the embedded AWS, read back from its `/embedded-aws/mails` (only the new ones)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable
from email import message_from_string
from email.policy import default as default_policy
from typing import Any

# Served by the embedded AWS (devstack/embedded_aws.py): the mails after the first N.
MAILS_PATH = "/embedded-aws/mails"


def sent_mails(endpoint: str, after: int = 0) -> list[dict[str, Any]]:
    """Every mail SES accepted after the first `after`, oldest first: {id, source, to, reply_to,
    subject, body, attachments}."""
    return _parsed(_new_mails(endpoint, after)[0])


def raw_mails(endpoint: str, after: int = 0) -> list[dict[str, Any]]:
    """Every mail SES accepted after the first `after`, as sent: {id, source, raw_data}."""
    return _new_mails(endpoint, after)[0]


def _new_mails(endpoint: str, after: int) -> tuple[list[dict[str, Any]], int]:
    """The raw mails after the first `after`, and how many there are now."""
    with urllib.request.urlopen(f"{endpoint}{MAILS_PATH}?after={after}", timeout=10) as response:
        data = json.load(response)
    return data["mails"], data["next"]


def _parsed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mails = []
    # The service sends raw MIME only (SendRawEmail); moto keeps each as it arrived.
    for record in records:
        message = message_from_string(record["raw_data"], policy=default_policy)
        body = message.get_body(preferencelist=("plain",))
        mails.append(
            {
                "id": record["id"],
                "source": record["source"],
                "to": [str(a.addr_spec) for a in message["To"].addresses] if message["To"] else [],
                "reply_to": [str(message.get("Reply-To", ""))],
                "subject": str(message.get("Subject", "")),
                "body": body.get_content() if body is not None else "",
                "attachments": [part.get_filename() for part in message.iter_attachments()],
            }
        )
    return mails


def format_mail(mail: dict[str, Any]) -> str:
    rule = "-" * 72
    return (
        f"{rule}\nFrom:     {mail['source']}\nTo:       {', '.join(mail['to'])}\n"
        f"Reply-To: {', '.join(mail['reply_to'])}\nSubject:  {mail['subject']}\n"
        + (f"Attached: {', '.join(mail['attachments'])}\n" if mail["attachments"] else "")
        + f"\n{mail['body']}\n{rule}"
    )


class MailPrinter(threading.Thread):
    """Prints each newly sent mail, polling twice a second for the new ones only (a poll costs
    the same after 10,000 mails as after one)."""

    def __init__(self, endpoint: str, emit: Callable[[str], None] = print) -> None:
        super().__init__(daemon=True)
        self.endpoint = endpoint
        self.emit = emit
        self._stop = threading.Event()
        self._printed = 0  # mails SES had accepted when last asked

    def run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                records, self._printed = _new_mails(self.endpoint, self._printed)
            except OSError:
                continue
            for mail in _parsed(records):
                self.emit(format_mail(mail))

    def stop(self) -> None:
        self._stop.set()
