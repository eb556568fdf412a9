"""The organisers' live list as an HTML page. Pure: event and registrations in, text out.

In the event's language, like every organisers' mail. Every value is escaped: names, answers
and the event's own texts are whatever people typed. No script, no external resource, no link
leaving the page (the answer's headers forbid them too, `api.live_list`): the page's address
holds the key to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from urllib.parse import urlencode

from chalicelib.model.events import Event, Question
from chalicelib.model.registration import DETAIL_FIELDS, Answer, Registration, Status, utc_iso
from chalicelib.texts import field_label, text, when_text
from chalicelib.texts.times import stamp_text

# A phone shows each person as a card of label/value lines (a table of ten columns does not fit);
# paper gets the table in landscape, without the page's links.
_STYLE = (
    "body{font:1rem/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:90rem}"
    "h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #999;padding:.3rem .45rem;text-align:left;vertical-align:top}"
    "th{background:#eee}td{overflow-wrap:break-word}nav a{display:inline-block;margin:0 1rem .5rem 0}"
    ".private{background:#fff4d6;border:1px solid #e0b000;padding:.5rem .75rem}"
    "@media screen and (max-width:48rem){thead{display:none}"
    "table,tbody,tr,td{display:block}tr{border:1px solid #999;margin:0 0 .75rem;padding:.25rem}"
    "td{border:0;padding:.15rem .25rem}td:empty{display:none}"
    "td::before{content:attr(data-label) ': ';font-weight:600}}"
    "@media print{nav,.private{display:none}body{font-size:9pt;max-width:none;padding:0}"
    "thead{display:table-header-group}tr{break-inside:avoid}@page{size:A4 landscape;margin:1cm}}"
)


def _answer(value: Answer | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return text(language, "mail.yes" if value else "mail.no")
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _answer_of(person: Registration, question: Question, language: str) -> Answer | None:
    """The answer as the list's reader sees it: a choice under its label in `language`."""
    answer = person.answers.get(question.id)
    return None if answer is None else question.answer_in(answer, language)


def _cell(label: str, value: str) -> str:
    # data-label names the value on a phone, where the table's head is hidden.
    return f'<td data-label="{escape(label)}">{escape(value).replace(chr(10), "<br>")}</td>'


def _table(event: Event, people: list[tuple[str, Registration]], first: str, language: str) -> str:
    """One table: `first` heads the column of numbers (or places), then who and what they answered."""
    detail_fields = [f for f in DETAIL_FIELDS if f != "message"]
    heads = [first, text(language, "live.name"), field_label(language, "email")]
    heads += [field_label(language, f) for f in detail_fields]
    heads += [q.label_in(language) for q in event.questions]
    heads += [field_label(language, "message"), text(language, "live.registered_at")]
    rows = []
    for number, person in people:
        email = person.email
        if person.mail_problem:
            email += f" ({text(language, f'live.mail_problem.{person.mail_problem}')})"
        values = [number, f"{person.family_name}, {person.given_name}", email]
        values += [person.details.get(f, "") for f in detail_fields]
        values += [_answer(_answer_of(person, q, language), language) for q in event.questions]
        values += [person.details.get("message", ""), stamp_text(person.registered_at, event, language)]
        rows.append("<tr>" + "".join(_cell(h, v) for h, v in zip(heads, values, strict=True)) + "</tr>")
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _sections(event: Event, registrations: list[Registration], language: str) -> str:
    confirmed = [r for r in registrations if r.status == Status.CONFIRMED]
    waiting = sorted(
        (r for r in registrations if r.status == Status.WAITLISTED), key=lambda r: r.waitlist_position or 0
    )
    cancelled = [r for r in registrations if r.status == Status.CANCELLED]
    parts = []
    # The place in line now (1, 2, 3 …), not the one told at joining: people ahead left or moved up.
    for key, people, first in (
        ("live.confirmed", [(str(n), r) for n, r in enumerate(confirmed, 1)], text(language, "live.number")),
        ("live.waiting", [(str(n), r) for n, r in enumerate(waiting, 1)], text(language, "live.place")),
        ("live.cancelled", [(str(n), r) for n, r in enumerate(cancelled, 1)], text(language, "live.number")),
    ):
        if people:
            heading = escape(text(language, key, count=len(people)))
            parts.append(f"<h2>{heading}</h2>{_table(event, people, first, language)}")
    return "".join(parts) or f"<p>{escape(text(language, 'live.none'))}</p>"


def live_list_page(event: Event, registrations: Iterable[Registration], token: str, now: datetime) -> str:
    """Everyone registered for `event` so far, by status, with links to the same list as CSV and
    to the attendance list (relative: the same signed address with a `format`)."""
    language = event.language
    listed = list(registrations)
    title = escape(text(language, "live.title", title=event.title))
    as_of = text(language, "live.as_of", time=stamp_text(utc_iso(now), event, language))
    facts = [when_text(event, language), event.location or "", as_of]
    csv_href = escape("?" + _query(token, "csv"))
    attendance_href = escape("?" + _query(token, "attendance"))
    nav = (
        f'<nav><a href="{csv_href}">{escape(text(language, "live.csv"))}</a>'
        f'<a href="{attendance_href}">{escape(text(language, "live.attendance"))}</a></nav>'
    )
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{title}</h1><p>{'<br>'.join(escape(f) for f in facts if f)}</p>"
        f'<p class="private">{escape(text(language, "live.private"))}</p>{nav}'
        f"{_sections(event, listed, language)}</main></body></html>\n"
    )


def _query(token: str, output: str) -> str:
    return urlencode({"token": token, "format": output})
