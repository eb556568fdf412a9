"""Outcome -> HTTP: JSON or browser answers (303 / HTML), CORS headers, the answer's language.

The only module that knows status codes.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from chalice import Response
from pydantic import BaseModel

from chalicelib.api.intake import Accepted, IntakeResult, Outcome, Refused
from chalicelib.api.response_shapes import (
    ConsentView,
    EventView,
    FieldProblem,
    InvalidProblem,
    Problem,
    QuestionView,
    Registered,
)
from chalicelib.model.events import Event, Window, registration_window
from chalicelib.model.validation import FieldError
from chalicelib.store import EventRecord
from chalicelib.texts import field_label, text
from chalicelib.texts.export import Rendered

STATUS = {
    "malformed": 400,
    "registration_closed": 403,
    "registration_not_open": 403,
    "unknown_event": 404,
    "already_registered": 409,
    "event_full": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "invalid": 422,
    "unknown_format": 400,
    "unknown_registration": 404,
    "already_cancelled": 409,
    "rate_limited": 429,
    "too_fast": 429,
    "internal_error": 500,
    "unavailable": 503,
}
PREFLIGHT_MAX_AGE_SECONDS = "600"
# When to try again after `unavailable` (DynamoDB busy or down, or the gateway's own throttling:
# infra/template.json says the same, and tests/unit/test_infra.py keeps the two equal).
RETRY_AFTER_SECONDS = 10
# Which of an event's `redirects` a browser-mode outcome goes to.
_REDIRECT_FOR = {
    "registration_closed": "closed",
    "registration_not_open": "closed",
    "event_full": "full",
}
# Refusals a person fixes or sends again later: a browser's page gets the form back, filled in.
_FORM_AGAIN = ("invalid", "already_registered", "rate_limited")


# --- CORS ----------------------------------------------------------------------------------
def cors_headers(event: Event | None, origin: str | None) -> dict[str, str]:
    """Echo `origin` when the event allows it; `Vary` so caches keep answers apart. The page's
    script may read `Retry-After` (it sends a refused submission again after that delay)."""
    headers = {"Vary": "Origin"}
    if event is not None and origin and event.allows_origin(origin):
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = "Retry-After"
    return headers


def preflight_response(event: Event | None, origin: str | None, methods: str) -> Response:
    headers = cors_headers(event, origin)
    if "Access-Control-Allow-Origin" in headers:
        headers.update(
            {
                "Access-Control-Allow-Methods": methods,
                "Access-Control-Allow-Headers": "Content-Type, Accept, Accept-Language",
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS,
            }
        )
    return Response(body="", status_code=204, headers=headers)


# --- registration answers ------------------------------------------------------------------
def registration_response(
    result: IntakeResult,
    *,
    event_id: str,
    json_mode: bool,
    origin: str | None,
    referer: str | None,
) -> Response:
    headers = cors_headers(result.event, origin)
    outcome, language = result.outcome, result.language
    status = 201 if isinstance(outcome, Accepted) else STATUS[outcome.code]
    if isinstance(outcome, Refused) and outcome.retry_after is not None:
        headers["Retry-After"] = str(outcome.retry_after)
    elif isinstance(outcome, Refused) and outcome.code == "unavailable":
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if json_mode:
        return _json(status, _outcome_document(outcome, event_id, language, result.event), headers)
    redirect = _redirect(result.event, outcome)
    if redirect:
        headers["Location"] = redirect
        return Response(body="", status_code=303, headers=headers)
    headers["Content-Type"] = "text/html; charset=utf-8"
    page = _outcome_page(outcome, language, result.event, referer)
    return Response(body=page, status_code=status, headers=headers)


def error_response(code: str, language: str, headers: dict[str, str] | None = None, *, page: bool = False) -> Response:
    """An error outside the registration outcomes (unknown event, unavailable, internal error):
    JSON, or for a browser (`page`) a small HTML page with the same status."""
    message = text(language, f"error.{code}")
    if page:
        response = _html(STATUS[code], _page(message, "", language))
        response.headers.update(headers or {})
        return response
    return _json(STATUS[code], Problem(error=code, message=message), headers or {})


def _json(status: int, document: BaseModel, headers: dict[str, str], *, nulls: bool = False) -> Response:
    """`nulls`: the shape shows absent values as null (the event view) rather than leaving them out."""
    return Response(
        body=json.dumps(document.model_dump(mode="json", exclude_none=not nulls), ensure_ascii=False),
        status_code=status,
        headers={**headers, "Content-Type": "application/json; charset=utf-8"},
    )


def _message(outcome: Outcome, language: str) -> str:
    if isinstance(outcome, Accepted):
        return text(language, f"outcome.{outcome.status}", place=outcome.waitlist_place)
    return text(language, f"error.{outcome.code}")


def field_error_message(error: FieldError, language: str, event: Event | None) -> str:
    label = field_label(language, error.field)
    if event is not None:
        label = next((q.label_in(language) for q in event.questions if q.id == error.field), label)
    return text(language, f"field_error.{error.code}", field=label, **error.params)


def _outcome_document(outcome: Outcome, event_id: str, language: str, event: Event | None) -> BaseModel:
    if isinstance(outcome, Accepted):
        return Registered(
            registration_id=outcome.registration_id,
            event_id=event_id,
            status=outcome.status,
            waitlist_position=outcome.waitlist_position,
            waitlist_place=outcome.waitlist_place,
            message=_message(outcome, language),
        )
    if outcome.code == "invalid":
        problems = [
            FieldProblem(field=e.field, code=e.code, message=field_error_message(e, language, event))
            for e in outcome.errors
        ]
        return InvalidProblem(message=_message(outcome, language), errors=problems)
    return Problem(error=outcome.code, message=_message(outcome, language))


def _redirect(event: Event | None, outcome: Outcome) -> str | None:
    if event is None:
        return None
    if isinstance(outcome, Accepted):
        target, status = event.redirects.success, outcome.status
    else:
        target, status = getattr(event.redirects, _REDIRECT_FOR.get(outcome.code, "error")), outcome.code
    if target is None:
        return None
    parts = urlsplit(str(target))  # ?status= goes into the query, before any #fragment
    query = "&".join(filter(None, [parts.query, urlencode({"status": status})]))
    return urlunsplit(parts._replace(query=query))


def _outcome_page(outcome: Outcome, language: str, event: Event | None, referer: str | None) -> str:
    items = f"<p>{escape(text(language, 'page.event', title=event.title))}</p>" if event else ""
    if isinstance(outcome, Accepted) and outcome.email:
        items += f"<p>{escape(text(language, 'page.mail_to', email=outcome.email))}</p>"
    if isinstance(outcome, Refused) and outcome.code in _FORM_AGAIN and event is not None:
        from chalicelib.page.filled_form import form_again  # imported when a browser is answered

        items += form_again(event, language, outcome.resend, _problems(outcome, language, event))
    elif isinstance(outcome, Refused) and outcome.resend:
        # The same fields again, posted to this page's own URL (the registration endpoint).
        hidden = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in outcome.resend
        )
        button = escape(text(language, "page.send_again"))
        items += f'<form method="post">{hidden}<p><button type="submit">{button}</button></p></form>'
    back = _back_link(event, referer)
    items += f'<p><a href="{escape(back)}">{escape(text(language, "page.back"))}</a></p>'
    return _page(_message(outcome, language), items, language)


def _problems(outcome: Refused, language: str, event: Event) -> list[tuple[str, str]]:
    """(field, message) to show beside each field: a used address is the e-mail field's."""
    if outcome.code == "already_registered":
        return [("email", text(language, "error.already_registered"))]
    return [(e.field, field_error_message(e, language, event)) for e in outcome.errors]


def _back_link(event: Event | None, referer: str | None) -> str:
    """The event's `form_url`, else the Referer (often just the site, cross-origin), else back."""
    if event is not None and event.form_url is not None:
        return str(event.form_url)
    if referer and urlsplit(referer).scheme in ("http", "https"):
        return referer
    return "javascript:history.back()"


def _page(title: str, body_html: str, language: str) -> str:
    """A small page in the registration page's style, which fits a phone; `body_html` is already escaped."""
    from chalicelib.page.style import stylesheet  # imported when a browser is answered

    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{stylesheet()}</style>"
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>{body_html}</main></body></html>"
    )


def _html(status: int, page: str) -> Response:
    return Response(body=page, status_code=status, headers={"Content-Type": "text/html; charset=utf-8"})


# --- the cancel link -----------------------------------------------------------------------
def cancel_question(name: str, title: str, language: str) -> Response:
    """GET: only a question, so a mail scanner opening the link changes nothing."""
    question = escape(text(language, "cancel.question", name=name, title=title))
    form = f'<p>{question}</p><form method="post"><button type="submit">{escape(text(language, "cancel.button"))}'
    return _html(200, _page(text(language, "cancel.title"), form + "</button></form>", language))


def cancel_done(language: str) -> Response:
    return _html(
        200, _page(text(language, "cancel.title"), f"<p>{escape(text(language, 'cancel.done'))}</p>", language)
    )


def cancel_already(language: str) -> Response:
    """A valid link of a registration cancelled already (a second click, a resend after a
    lost answer): what was asked for holds, so it is said kindly, not refused."""
    return _html(
        200, _page(text(language, "cancel.title"), f"<p>{escape(text(language, 'cancel.already'))}</p>", language)
    )


def cancel_refused(language: str) -> Response:
    body = f"<p>{escape(text(language, 'cancel.invalid'))}</p>"
    return _html(403, _page(text(language, "cancel.title"), body, language))


# --- the event -----------------------------------------------------------------------------
def event_document(record: EventRecord, now: datetime, language: str | None = None) -> EventView:
    """`GET /events/{id}`: the public view, times as instants with their offset, labels and the
    consent text in `language` (default: the event's)."""
    event = record.event
    language = language or event.language
    seats_left = record.seats_free
    # In the order a post is refused (`intake`): a page tells its reader what the post would.
    window = registration_window(event, now)
    refused_with = window.value if window is not Window.OPEN else None
    if refused_with is None and seats_left == 0 and not event.waitlist:
        refused_with = "event_full"
    opens = event.registration_opens_at
    return EventView(
        event_id=event.event_id,
        title=event.title,
        starts_at=event.instant(event.starts_at).isoformat(),
        ends_at=event.instant(event.ends_at).isoformat() if event.ends_at else None,
        timezone=event.timezone,
        location=event.location,
        registration_opens_at=event.instant(opens).isoformat() if opens else None,
        registration_deadline=event.accepts_until.isoformat(timespec="seconds"),
        open=refused_with is None,
        refused_with=refused_with,
        seats_left=seats_left,
        questions=[
            QuestionView(
                id=q.id,
                label=q.label_in(language),
                type=q.type,
                required=q.required,
                choices=q.choices,
                # Only text answers are measured (registration._answer); a number on a choice would mislead.
                max_length=q.max_length if q.type == "text" else None,
            )
            for q in event.questions
        ],
        consent=ConsentView(version=event.consent.version, text=event.consent.text_in(language)),
    )


def event_response(record: EventRecord, now: datetime, origin: str | None, language: str | None = None) -> Response:
    headers = cors_headers(record.event, origin)
    headers["Vary"] = "Origin, Accept-Language"  # the labels follow Accept-Language
    return _json(200, event_document(record, now, language), headers, nulls=True)


# --- the admin API -------------------------------------------------------------------------
def admin_events(events: list[tuple[EventRecord, dict[str, Any]]], now: datetime) -> Response:
    listed = [{**event_document(record, now).model_dump(mode="json"), **counts} for record, counts in events]
    return _plain_json(200, {"events": listed})


def admin_document(document: dict[str, Any]) -> Response:
    return _plain_json(200, document)


def admin_file(rendered: Rendered) -> Response:
    headers = {"Content-Type": rendered.content_type}
    if not rendered.content_type.startswith("text/html"):  # the attendance list opens in the browser to print
        headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return Response(body=rendered.body, status_code=200, headers=headers)


def admin_problem(code: str, message: str) -> Response:
    return _plain_json(STATUS[code], {"error": code, "message": message})


def _plain_json(status: int, document: dict[str, Any]) -> Response:
    return Response(
        body=json.dumps(document, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
