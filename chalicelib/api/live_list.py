"""`GET /events/{event_id}/list?token=…`: the organisers' live list.

No credentials: the signed link in the organisers' mails is the key (`model.links`). It opens the
list of the one event it names, until that event's registrations expire; anything else (an
altered, expired or cancel link, another event's id in the path, an event gone) is a 403 that
tells nothing. Every answer forbids caching, indexing and passing the address on as a Referer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape

from chalice import Response

from chalicelib.api.guard import note_outcome
from chalicelib.api.negotiation import answer_language
from chalicelib.model.events import expiry_epoch
from chalicelib.model.links import read_list_token
from chalicelib.model.model_errors import InvalidToken
from chalicelib.store import EventRecord, Store
from chalicelib.texts import export, text
from chalicelib.texts.live_page import live_list_page

# The list is personal data behind a bearer link: no cache (a shared computer's, a proxy's) keeps
# it, no search engine lists it, no Referer carries its address away, and the page may load and
# run nothing (its one style sheet is inline).
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
}
# What `?format=` may ask for besides the page: the export's CSV and its attendance list.
FILES = ("csv", "attendance")


def answer(
    store: Store, secret: str, event_id: str, query: Mapping[str, str], accept_language: str | None, now: datetime
) -> Response:
    """The route's whole answer to `query` (`token`, and `format` for a file)."""
    token = query.get("token") or ""
    record = open_list(store, secret, event_id, token, now)
    if record is None:
        # Nothing known about whom it is for: the browser's language.
        return list_refused(answer_language(None, accept_language, None))
    return list_answer(store, record, token, query.get("format"), now)


def open_list(store: Store, secret: str, event_id: str, token: str | None, now: datetime) -> EventRecord | None:
    """The event whose list `token` opens, if it is a valid list token for `event_id` itself and the
    event's registrations have not expired; None for anything else."""
    try:
        link = read_list_token(secret, token or "", now)
    except InvalidToken:
        return None
    if link.event_id != event_id:
        return None  # a list link opens its own event's list, never another's
    record = store.event_rows.find(event_id)
    # The token's expiry was the event's when it was mailed; the event may have shortened it since.
    if record is None or now.timestamp() > expiry_epoch(record.event):
        return None
    return record


def list_answer(store: Store, record: EventRecord, token: str, output: str | None, now: datetime) -> Response:
    """The list of `record`'s event: the page, or (`output`) one of the export's `FILES`."""
    event = record.event
    if output not in (None, "", *FILES):
        note_outcome("unknown_format")
        page = _page(event.language, text(event.language, "live.unknown_format"))
        return _private(400, page, "text/html; charset=utf-8")
    # Read consistently: an organiser who reloads after a change must see it.
    registrations = store.registration_rows.of_event(event.event_id, consistent=True)
    note_outcome(output or "list")
    if output == "csv":
        rendered = export.render(event, registrations, "csv")
        filename = text(event.language, "mail.closing.csv_file", event_id=event.event_id)  # as the closing mail's
        response = _private(200, rendered.body, rendered.content_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if output == "attendance":
        return _private(200, export.render(event, registrations, "attendance").body, "text/html; charset=utf-8")
    return _private(200, live_list_page(event, registrations, token, now), "text/html; charset=utf-8")


def list_refused(language: str) -> Response:
    note_outcome("invalid_link")
    return _private(403, _page(language, text(language, "live.invalid")), "text/html; charset=utf-8")


def _page(language: str, message: str) -> str:
    title = escape(text(language, "live.heading"))
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{escape(message)}</p></main></body></html>\n"
    )


def _private(status: int, body: str, content_type: str) -> Response:
    return Response(body=body, status_code=status, headers={**PRIVATE_HEADERS, "Content-Type": content_type})
