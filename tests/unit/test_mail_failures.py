"""SES refusals sorted into "retry" and "this mail can never go"."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from chalicelib.mail.failures import (
    INVALID_MESSAGE,
    MESSAGE_REJECTED,
    RECIPIENT_REJECTED,
    permanent_reason,
)

SENDER = "anmeldung@example.org"


def refusal(code: str, message: str = "", status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "SendRawEmail",
    )


SANDBOX = "Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: "


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        # The registration's own address or message: parked, the organisers told.
        (refusal("MessageRejected", SANDBOX + "ana@example.org"), RECIPIENT_REJECTED),
        (refusal("MessageRejected", SANDBOX + "ana@example.org, pukhraj@example.org"), RECIPIENT_REJECTED),
        (refusal("MessageRejected", "Message length is more than 10485760 bytes long"), MESSAGE_REJECTED),
        (refusal("InvalidParameterValue", "Missing final '@domain'"), INVALID_MESSAGE),
        # Ours: the sender, the account, SES itself. Retried; after the retries, an alarm.
        (refusal("MessageRejected", SANDBOX + SENDER), None),
        (refusal("MessageRejected", SANDBOX + "ana@example.org, " + SENDER.upper()), None),
        (refusal("MessageRejected", SANDBOX + "example.org"), None),  # the sender's domain identity
        (refusal("MessageRejected", f"Did not have authority to send from email {SENDER}"), None),  # moto's words
        (refusal("MessageRejected", "Maximum sending rate exceeded."), None),
        (refusal("Throttling", "Maximum sending rate exceeded."), None),
        (refusal("AccountSendingPausedException", "Sending paused for this account."), None),
        (refusal("ConfigurationSetDoesNotExist", "Configuration set <registrations> does not exist."), None),
        (refusal("ConfigurationSetSendingPausedException"), None),
        (refusal("MailFromDomainNotVerifiedException"), None),
        (refusal("AccessDenied", "not authorized to perform ses:SendRawEmail"), None),
        (refusal("ServiceUnavailable", status=503), None),
        (refusal("InternalFailure", status=500), None),
        (EndpointConnectionError(endpoint_url="https://email.eu-central-1.amazonaws.com"), None),
        (ReadTimeoutError(endpoint_url="https://email.eu-central-1.amazonaws.com"), None),
        (RuntimeError("a bug of ours"), None),
    ],
)
def test_only_a_refusal_of_this_mail_is_permanent(exc, reason):
    assert permanent_reason(exc, SENDER) == reason
