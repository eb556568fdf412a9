"""The one rule for an e-mail address this service stores or sends from: what SES can carry.

No SMTPUTF8, so the local part must be ASCII; an international domain is kept in its ASCII
(punycode) form. The syntax is email_validator's; nothing here checks that the domain exists.
"""

from __future__ import annotations

import re

from chalicelib.model.model_errors import InvalidAddress

# "=?utf-8?q?x?=@example.org" is valid, but a mail reader decodes the "=?…?=" in the Reply-To
# of the organisers' mail as an encoded word: their reply would go to x@example.org.
_ENCODED_WORD = re.compile(r"=\?.*\?=")


def mail_address(value: str) -> str:
    """`value` as the address to store and send to; raises `InvalidAddress`."""
    # email_validator compiles its grammar on import: only the first address checked pays it.
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(str(exc)) from None
    address = str(result.ascii_email or result.normalized)
    if _ENCODED_WORD.search(address):
        raise InvalidAddress("looks like an encoded word (=?…?=)")
    return address
