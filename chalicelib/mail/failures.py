"""Why SES did not take a mail, and whether trying again can help. Pure.

Transient: the failure is SES's or ours, not the registration's (throttling, outages,
timeouts, and a refused or unverified *sender*, a paused account or configuration set:
an admin fixes it and the same mail goes). Such a failure is retried, in order.

Permanent for this one mail: SES refuses its recipient or the message itself. Retrying
cannot help; the mail is parked as failed with one of the reason codes below, somebody
is told, and the mails behind it go on.

Anything not known to be permanent counts as transient: retried, and after the retries
dead-lettered, which raises an alarm. A failure is never dropped unseen.
"""

from __future__ import annotations

import re

from botocore.exceptions import BotoCoreError, ClientError

# Reason codes stored on a failed mail row (`failure_reason`) and named in the notices.
UNBUILDABLE = "unbuildable"  # the mail could not be put together from the registration
RECIPIENT_REJECTED = "recipient_rejected"  # SES refuses the address (in the sandbox: not verified)
MESSAGE_REJECTED = "message_rejected"  # SES refuses the message (content, size)
INVALID_MESSAGE = "invalid_message"  # SES finds the message or an address malformed

# SES's refusals that are about our account, sender or configuration: nothing is wrong
# with the registration, so the same mail goes once an admin has fixed it.
_SENDER_SIDE_CODES = frozenset(
    {
        "AccountSendingPausedException",
        "ConfigurationSetDoesNotExist",
        "ConfigurationSetDoesNotExistException",
        "ConfigurationSetSendingPausedException",
        "MailFromDomainNotVerifiedException",
        "MailFromDomainNotVerified",
    }
)
# "Email address is not verified. The following identities failed the check in region
# EU-CENTRAL-1: a@example.org, b@example.org" (the SES sandbox's refusal).
_FAILED_IDENTITIES = re.compile(r"failed the check(?: in region [A-Za-z0-9-]+)?:\s*(?P<identities>.+)$", re.DOTALL)
# moto's refusal of an unverified sender, and SES's own wordings of it.
_SENDER_REFUSALS = ("did not have authority to send from", "sending paused", "account is paused")


def permanent_reason(exc: BaseException, sender: str) -> str | None:
    """The reason code when `exc` (raised by `SendRawEmail`) dooms this mail for good;
    None when a retry may succeed."""
    if isinstance(exc, BotoCoreError) or not isinstance(exc, ClientError):
        return None  # unreachable, timed out, or not SES's answer at all
    error = exc.response.get("Error", {})
    code, message = str(error.get("Code", "")), str(error.get("Message", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400)
    if status >= 500 or code in _SENDER_SIDE_CODES or code.startswith("Throttling"):
        return None
    if code == "MessageRejected":
        if "Maximum sending rate exceeded" in message or _names_sender(message, sender):
            return None
        return RECIPIENT_REJECTED if _FAILED_IDENTITIES.search(message) else MESSAGE_REJECTED
    if code == "InvalidParameterValue":
        return INVALID_MESSAGE
    return None


def _names_sender(message: str, sender: str) -> bool:
    """Whether SES's refusal is about our From address (or its domain), not a recipient."""
    lowered = message.lower()
    if any(refusal in lowered for refusal in _SENDER_REFUSALS):
        return True
    found = _FAILED_IDENTITIES.search(message)
    if found is None:
        return False
    identities = {part.strip().strip(".").lower() for part in found["identities"].split(",")}
    address = sender.lower()
    return address in identities or address.rpartition("@")[2] in identities
