"""Defences against bots: the honeypot, a minimum fill time, and a per-address hourly limit. Pure.

The first two answer "accepted" and store nothing, so a bot learns nothing;
the limit answers 429, because a person behind a busy shared address (a town
hall's network) must be told to try again later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

Fields = dict[str, list[Any]]


def honeypot_filled(fields: Fields) -> bool:
    return any(v.strip() if isinstance(v, str) else v not in (None, False) for v in fields.get("website", []))


def filled_too_fast(fields: Fields, now: datetime, min_seconds: int) -> bool:
    """The page sets `form_started_at` (epoch milliseconds) when it loads; a person needs longer.

    Absent (no JavaScript) or in the future (a clock that runs ahead) proves nothing;
    a value that is not a number was not written by our page."""
    values = fields.get("form_started_at") or [""]
    if min_seconds <= 0 or len(values) != 1 or values[0] in ("", None):
        return False
    try:
        started = float(values[0]) / 1000
    except (TypeError, ValueError):
        return True
    elapsed = now.timestamp() - started
    return 0 <= elapsed < min_seconds


def address_key(source_ip: str, secret: str) -> str:
    """A stable pseudonym for an IP address: counted, never stored in the clear."""
    return hmac.new(secret.encode(), b"ip:" + source_ip.encode(), hashlib.sha256).hexdigest()[:20]


def hour_window(now: datetime) -> tuple[str, int]:
    """The hour `now` falls in ("2016111011", UTC) and the seconds until it ends."""
    moment = now.astimezone(UTC)
    return moment.strftime("%Y%m%d%H"), 3600 - (moment.minute * 60 + moment.second)
