"""Registrations -> CSV or JSON for organisers. Pure: items in, text out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from chalicelib.events import Event
from chalicelib.messages import text

BASE_COLUMNS = (
    "registration_id",
    "status",
    "waitlist_position",
    "registered_at",
    "given_name",
    "family_name",
    "email",
    "organisation",
    "role",
    "phone",
    "message",
    "consent_at",
    "lang",
)
# OWASP CSV injection: Excel treats a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def columns(event: Event) -> list[str]:
    return list(BASE_COLUMNS) + [q.id for q in event.questions]


def safe_cell(value: Any, language: str) -> str:
    """One CSV cell: text Excel shows as typed, never evaluates."""
    if value is None:
        cell = ""
    elif isinstance(value, bool):
        cell = text(language, "mail.yes" if value else "mail.no")
    elif isinstance(value, list):
        cell = "; ".join(str(v) for v in value)
    else:
        cell = str(value)
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def to_csv(event: Event, items: Iterable[dict[str, Any]]) -> str:
    """CSV with a UTF-8 byte order mark, so Excel opens umlauts correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    names = columns(event)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for item in items:
        writer.writerow([safe_cell(item.get(name), event.language) for name in names])
    return out.getvalue()


def to_json(items: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"
