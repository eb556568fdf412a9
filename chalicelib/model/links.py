"""Signed links in mails: the cancel link (`<PUBLIC_API_URL>/cancel?token=…`) and the organisers'
live list (`<PUBLIC_API_URL>/events/<event_id>/list?token=…`). Pure.

A token names what it opens and when it expires, signed with HMAC-SHA256 under the LINK_SECRET
setting; nobody without the secret can make or alter one. Each kind of link signs under its own
purpose, so a token of one kind is refused as the other whatever its payload says: a registrant's
cancel link can never open the list of everyone, nor a list link cancel anybody.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.model.model_errors import InvalidToken

# What a signature is for, signed along with the payload. "cancel" is what every cancel link
# already mailed was signed with: it must stay as it is.
CANCEL_PURPOSE = b"cancel"
LIST_PURPOSE = b"list"


@dataclass(frozen=True)
class CancelLink:
    event_id: str
    registration_id: str
    expires_at: int  # epoch seconds


@dataclass(frozen=True)
class ListLink:
    """The organisers' link to the live list of one event, valid until its registrations expire."""

    event_id: str
    expires_at: int  # epoch seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str, purpose: bytes = CANCEL_PURPOSE) -> str:
    return _b64(hmac.new(secret.encode(), purpose + b":" + payload.encode(), hashlib.sha256).digest())


def _token(secret: str, purpose: bytes, values: list[Any]) -> str:
    payload = _b64(json.dumps(values).encode())
    return f"{payload}.{_signature(secret, payload, purpose)}"


def _read(secret: str, purpose: bytes, token: str, now: datetime, arity: int) -> list[Any]:
    """The payload of `token` if it was signed for `purpose` and has not expired: a list whose
    last item is the expiry (epoch seconds)."""
    payload, _, signature = (token or "").partition(".")
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a fuzzer found it).
    expected = _signature(secret, payload, purpose).encode()
    if not payload or not hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass")):
        raise InvalidToken("bad signature")
    try:
        values = json.loads(_unb64(payload))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("not a payload of this kind")
        expires_at = int(values[-1])
    except (ValueError, TypeError, OverflowError):
        raise InvalidToken("bad payload") from None
    if now.timestamp() > expires_at:
        raise InvalidToken("expired")
    return values


def cancel_token(secret: str, link: CancelLink) -> str:
    return _token(secret, CANCEL_PURPOSE, [link.event_id, link.registration_id, link.expires_at])


def cancel_url(base_url: str, secret: str, link: CancelLink) -> str:
    return f"{base_url.rstrip('/')}/cancel?{urlencode({'token': cancel_token(secret, link)})}"


def read_cancel_token(secret: str, token: str, now: datetime) -> CancelLink:
    """The registration `token` names, if its signature holds and it has not expired."""
    event_id, registration_id, expires_at = _read(secret, CANCEL_PURPOSE, token, now, 3)
    return CancelLink(str(event_id), str(registration_id), int(expires_at))


def list_token(secret: str, link: ListLink) -> str:
    return _token(secret, LIST_PURPOSE, [link.event_id, link.expires_at])


def list_url(base_url: str, secret: str, link: ListLink) -> str:
    path = f"/events/{quote(link.event_id, safe='')}/list"
    return f"{base_url.rstrip('/')}{path}?{urlencode({'token': list_token(secret, link)})}"


def read_list_token(secret: str, token: str, now: datetime) -> ListLink:
    """The event whose list `token` opens, if it was signed as a list link and has not expired."""
    event_id, expires_at = _read(secret, LIST_PURPOSE, token, now, 2)
    return ListLink(str(event_id), int(expires_at))
