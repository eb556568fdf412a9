"""Registrations -> CSV (`sheet`), JSON or a printable attendance list for organisers. Pure: items in,
text out.

`render` is the one dispatcher: the command line and the admin API offer the same formats
with the same defaults.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from chalicelib.model.events import Event
from chalicelib.model.registration import Registration, Status
from chalicelib.texts import text, when_text
from chalicelib.texts.sheet import listed, to_csv

FORMATS = ("csv", "json", "attendance")
DEFAULT_FORMAT = "csv"


def default_separator(event: Event) -> str:
    """`;` for a German event: a German Excel opening a file by double-click expects it."""
    return ";" if event.language == "de" else ","


@dataclass(frozen=True)
class Rendered:
    body: str
    content_type: str
    filename: str


def render(
    event: Event,
    registrations: Iterable[Registration],
    output: str = DEFAULT_FORMAT,
    separator: str | None = None,
    *,
    include_cancelled: bool = False,
) -> Rendered:
    """The registrations of `event` as `output` (one of `FORMATS`); who cancelled only with
    `include_cancelled` (the attendance list never has them)."""
    name = event.event_id
    items = listed(registrations, include_cancelled)
    if output == "csv":
        body = to_csv(event, items, separator or default_separator(event), include_cancelled=include_cancelled)
        return Rendered(body, "text/csv; charset=utf-8", f"{name}.csv")
    if output == "attendance":
        return Rendered(to_attendance_list(event, items), "text/html; charset=utf-8", f"{name}-attendance.html")
    if output == "json":
        return Rendered(to_json(items), "application/json; charset=utf-8", f"{name}.json")
    raise ValueError(f"unknown format {output!r}")


def to_json(registrations: Iterable[Registration]) -> str:
    return json.dumps([r.as_stored() for r in registrations], ensure_ascii=False, indent=2) + "\n"


def to_attendance_list(event: Event, registrations: Iterable[Registration]) -> str:
    """A printable HTML attendance list: confirmed people by family name, an empty column to
    sign (funders of events ask organisers for signed lists)."""
    language = event.language
    people = sorted(
        (r for r in registrations if r.status == Status.CONFIRMED),
        key=lambda r: (r.family_name.casefold(), r.given_name.casefold()),
    )
    rows = "".join(
        f"<tr><td>{n}</td><td>{escape(p.family_name)}, {escape(p.given_name)}</td>"
        f"<td>{escape(p.details.get('organisation', ''))}</td><td class=sign></td></tr>"
        for n, p in enumerate(people, 1)
    )
    heads = [text(language, key) for key in ("list.number", "list.name", "list.organisation", "list.signature")]
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    title = escape(event.title)
    when = escape(when_text(event, language))
    where = escape(event.location or "")
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font:11pt/1.4 system-ui,sans-serif;margin:1.5cm}table{width:100%;border-collapse:collapse}"
        "th,td{border:1px solid #000;padding:6pt;text-align:left;vertical-align:top}td.sign{width:35%;height:24pt}"
        "@page{size:A4;margin:1.5cm}thead{display:table-header-group}tr{page-break-inside:avoid}</style></head>"
        f"<body><h1>{escape(text(language, 'list.title'))}</h1><p><strong>{title}</strong><br>{when}<br>{where}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )
