"""Defences against bots: the honeypot, a minimum fill time, and a per-address hourly limit. Pure.

A filled honeypot answers "accepted" and stores nothing, so a bot learns nothing: people
never see or reach the field. A post faster than the minimum fill time answers 429 with the
seconds to wait, because a quick person (browser autofill, then a click) must never be told
"registered" when nothing was kept. The hourly limit answers 429 too: a person behind a busy
shared address (a town hall's network) must be told to try again later.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import UTC, datetime
from typing import Any

Fields = dict[str, list[Any]]


def honeypot_filled(fields: Fields) -> bool:
    return any(v.strip() if isinstance(v, str) else v not in (None, False) for v in fields.get("website", []))


def seconds_too_soon(fields: Fields, now: datetime, min_seconds: int) -> int:
    """How many more seconds a post must wait to count as a person's (0: it may pass).

    The page sets `form_started_at` (epoch milliseconds, a number or its text) when it loads; a
    person needs longer. Only a start less than `min_seconds` ago holds a post back, and that
    wait ends: a post sent again (with the same value) passes. Whatever else proves nothing and
    passes: absent (no JavaScript), repeated, in the future (a clock that runs ahead), long ago,
    or no epoch milliseconds at all."""
    values = fields.get("form_started_at", [])
    if min_seconds <= 0 or len(values) != 1:
        return 0
    try:
        started = float(values[0]) / 1000
    except (TypeError, ValueError, OverflowError):
        # Not read as a date either: a hand-built or CMS page that puts a date here writes when
        # the page was made, not when the person opened it. Every resend carries the same value,
        # so holding it back would hold that person back for good, and would stop no bot: a bot
        # leaves the field out, or writes a number. A JSON integer too large for a float lands here too.
        return 0
    elapsed = now.timestamp() - started
    return math.ceil(min_seconds - elapsed) if 0 <= elapsed < min_seconds else 0


def address_key(source_ip: str, secret: str) -> str:
    """A stable pseudonym for an IP address: counted, never stored in the clear."""
    return hmac.new(secret.encode(), b"ip:" + source_ip.encode(), hashlib.sha256).hexdigest()[:20]


def hour_window(now: datetime) -> tuple[str, int]:
    """The hour `now` falls in ("2016111011", UTC) and the seconds until it ends."""
    moment = now.astimezone(UTC)
    return moment.strftime("%Y%m%d%H"), 3600 - (moment.minute * 60 + moment.second)
