"""Mails sent through the embedded AWS, read back from moto's `/moto-api/data.json`."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable
from email import message_from_string
from email.policy import default as default_policy
from typing import Any


def sent_mails(endpoint: str) -> list[dict[str, Any]]:
    """Every mail SES accepted, oldest first: {id, source, to, reply_to, subject, body}."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    mails = []
    # The service sends raw MIME only (SendRawEmail); moto keeps each as it arrived.
    for record in data.get("ses", {}).get("RawMessage", []):
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
    """Prints each newly sent mail, polling twice a second."""

    def __init__(self, endpoint: str, emit: Callable[[str], None] = print) -> None:
        super().__init__(daemon=True)
        self.endpoint = endpoint
        self.emit = emit
        self._stop = threading.Event()
        self._seen: set[str] = set()

    def run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                mails = sent_mails(self.endpoint)
            except OSError:
                continue
            for mail in mails:
                if mail["id"] not in self._seen:
                    self._seen.add(mail["id"])
                    self.emit(format_mail(mail))

    def stop(self) -> None:
        self._stop.set()
