"""Signed cancel links: `<PUBLIC_API_URL>/cancel?token=…`. Pure.

A token names one registration and when it expires, signed with HMAC-SHA256
under the LINK_SECRET setting; nobody without the secret can make or alter one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from chalicelib.model.model_errors import InvalidToken


@dataclass(frozen=True)
class CancelLink:
    event_id: str
    registration_id: str
    expires_at: int  # epoch seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"cancel:" + payload.encode(), hashlib.sha256).digest())


def cancel_token(secret: str, link: CancelLink) -> str:
    payload = _b64(json.dumps([link.event_id, link.registration_id, link.expires_at]).encode())
    return f"{payload}.{_signature(secret, payload)}"


def cancel_url(base_url: str, secret: str, link: CancelLink) -> str:
    return f"{base_url.rstrip('/')}/cancel?{urlencode({'token': cancel_token(secret, link)})}"


def read_cancel_token(secret: str, token: str, now: datetime) -> CancelLink:
    """The registration `token` names, if its signature holds and it has not expired."""
    payload, _, signature = (token or "").partition(".")
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a fuzzer found it).
    expected = _signature(secret, payload).encode()
    if not payload or not hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass")):
        raise InvalidToken("bad signature")
    try:
        event_id, registration_id, expires_at = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        raise InvalidToken("bad payload") from None
    if now.timestamp() > expires_at:
        raise InvalidToken("expired")
    return CancelLink(str(event_id), str(registration_id), int(expires_at))
