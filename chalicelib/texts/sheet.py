"""Registrations -> the CSV an organiser opens in Excel or feeds a mail merge. Pure.

Written for people, in the event's language: headers as the form names the fields ("Vorname",
a question's label), statuses in words, times on the event's wall clock in a form Excel reads
as dates. Programs read the JSON export, which keeps the stored names and instants.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.model.events import Event
from chalicelib.model.registration import Registration, Status
from chalicelib.texts import field_label, text
from chalicelib.texts.times import sheet_stamp

# OWASP CSV injection: Excel treats a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = Callable[[Registration], Any]


@dataclass(frozen=True)
class Column:
    header: str
    cell: Cell
    question_id: str | None = None  # a question's column: renamed if its label repeats a header


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


def listed(registrations: Iterable[Registration], include_cancelled: bool) -> list[Registration]:
    """The rows of an export: who holds a seat or waits for one, and with `include_cancelled`
    also who cancelled (a mail merge to the participants must not reach them)."""
    return [r for r in registrations if include_cancelled or r.status != Status.CANCELLED]


def waiting_places(registrations: Iterable[Registration]) -> dict[str, int]:
    """Each waiting registration's place in line now (1: next to move up), by registration id.
    Its `waitlist_position` is its number on the list, which keeps counting those who left."""
    waiting = sorted(
        (r for r in registrations if r.status == Status.WAITLISTED), key=lambda r: r.waitlist_position or 0
    )
    return {r.registration_id: place for place, r in enumerate(waiting, 1)}


def _columns(event: Event, places: dict[str, int], include_cancelled: bool) -> list[Column]:
    """(header, how to get the cell) in column order: who, where they stand, the answers, the record."""
    lang = event.language

    def status(r: Registration) -> str:
        return text(lang, f"export.status.{r.status}") if r.status != Status.PENDING else str(r.status)

    def detail(name: str) -> Cell:
        return lambda r: r.details.get(name)

    def stamp(name: str) -> Cell:
        return lambda r: sheet_stamp(getattr(r, name), event)

    columns = [
        Column(field_label(lang, "given_name"), lambda r: r.given_name),
        Column(field_label(lang, "family_name"), lambda r: r.family_name),
        Column(field_label(lang, "email"), lambda r: r.email),
        Column(field_label(lang, "organisation"), detail("organisation")),
        Column(field_label(lang, "role"), detail("role")),
        Column(field_label(lang, "phone"), detail("phone")),
        Column(text(lang, "export.status"), status),
        # Blank for everyone not waiting, also for someone who moved up from the list.
        Column(text(lang, "export.waitlist_place"), lambda r: places.get(r.registration_id)),
    ]
    for question in event.questions:
        columns.append(Column(question.label_in(lang), _answer(question.id, question.answer_in, lang), question.id))
    columns += [
        Column(field_label(lang, "message"), detail("message")),
        Column(text(lang, "export.registered_at"), stamp("registered_at")),
        Column(text(lang, "export.promoted_at"), stamp("promoted_at")),
    ]
    if include_cancelled:
        columns.append(Column(text(lang, "export.cancelled_at"), stamp("cancelled_at")))
    columns += [
        Column(text(lang, "export.consent_at"), stamp("consent_at")),
        Column(text(lang, "export.consent_version"), lambda r: r.consent_version),
        Column(text(lang, "export.lang"), lambda r: r.language),
        Column(text(lang, "export.mail_problem"), lambda r: _mail_problem(r, lang)),
        Column(text(lang, "export.registration_id"), lambda r: r.registration_id),
    ]
    return columns


def _answer(question_id: str, shown: Callable[[Any, str], Any], language: str) -> Cell:
    def cell(registration: Registration) -> Any:
        answer = registration.answers.get(question_id)
        return None if answer is None else shown(answer, language)

    return cell


def _mail_problem(registration: Registration, language: str) -> str | None:
    problem = registration.mail_problem
    return text(language, f"export.mail_problem.{problem}") if problem in ("bounced", "complaint") else problem


def headers(columns: list[Column]) -> list[str]:
    """A mail merge addresses a column by its header, so no two may be alike: a question labelled
    like another column ("Organisation", or two questions "Name") gets its id added."""
    seen: dict[str, int] = {}
    for column in columns:
        seen[column.header.casefold()] = seen.get(column.header.casefold(), 0) + 1
    return [
        f"{column.header} ({column.question_id})"
        if column.question_id and seen[column.header.casefold()] > 1
        else column.header
        for column in columns
    ]


def to_csv(
    event: Event, registrations: Iterable[Registration], separator: str = ",", *, include_cancelled: bool = False
) -> str:
    """CSV with a UTF-8 byte order mark, so Excel opens umlauts correctly; `;` is what a German
    Excel expects when the file is opened by double-click."""
    rows = listed(registrations, include_cancelled)
    columns = _columns(event, waiting_places(rows), include_cancelled)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([safe_cell(header, event.language) for header in headers(columns)])
    for registration in rows:
        writer.writerow([safe_cell(column.cell(registration), event.language) for column in columns])
    return out.getvalue()
