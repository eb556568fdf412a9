"""Sending through SES: `Mailer` hands a rendered `OutgoingMail` over, with the tags that
bring bounces and complaints back to their registration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.config import aws
from chalicelib.mail.mime import OutgoingMail, to_mime


class Mailer:
    """Sends `OutgoingMail` through SES as `sender`, with the configuration set that reports
    bounces and complaints back (`configuration_set`, when deployed)."""

    def __init__(self, sender: str, configuration_set: str | None = None, client: Callable[[], Any] = aws.ses) -> None:
        self.sender = sender
        self.configuration_set = configuration_set
        self._client = client

    def render(self, mail: OutgoingMail) -> bytes:
        """The bytes SES sends for `mail` (raises if `mail` cannot be put into MIME)."""
        return to_mime(mail, self.sender).as_bytes()

    def send(self, mail: OutgoingMail, raw: bytes, tags: dict[str, str] | None = None) -> str:
        """Hand `raw` (`render(mail)`) to SES, recipients named apart from the headers; returns
        SES's message id.

        `tags` travel with SES's bounce and complaint notices (letters, digits, `_` and `-` only),
        so a notice finds its registration without a search."""
        request: dict[str, Any] = {
            "Source": self.sender,
            "Destinations": list(mail.to),
            "RawMessage": {"Data": raw},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        if tags:
            request["Tags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
        response = self._client().send_raw_email(**request)
        return str(response["MessageId"])
