"""The admin API (IAM-signed callers only): events with their counts, an event's
registrations as JSON, CSV or attendance list, and cancelling one registration."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalice import Response

from chalicelib import export
from chalicelib.answers import event_document
from chalicelib.cancellation import ACTIVE, Cancellable, cancel
from chalicelib.store import Store

FORMATS = {"json", "csv", "attendance"}


def _json(status: int, document: Any) -> Response:
    return Response(
        body=json.dumps(document, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def _problem(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": code, "message": message})


def list_events(store: Store, now: datetime) -> Response:
    events = []
    for record in store.all_events():
        view = event_document(record, now).model_dump(mode="json")
        events.append(
            {**view, "confirmed": record.confirmed, "waitlisted": record.waitlisted, "capacity": record.event.capacity}
        )
    return _json(200, {"events": events})


def registrations(store: Store, event_id: str, output: str | None) -> Response:
    output = output or "json"
    if output not in FORMATS:
        return _problem(400, "invalid", f"format must be one of {', '.join(sorted(FORMATS))}")
    record = store.find_event(event_id)
    if record is None:
        return _problem(404, "unknown_event", f"no event {event_id!r}")
    items = list(store.registrations(event_id))
    if output == "csv":
        body = export.to_csv(record.event, items, ";")
        disposition = f'attachment; filename="{event_id}.csv"'
        headers = {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": disposition}
        return Response(body=body, status_code=200, headers=headers)
    if output == "attendance":
        body = export.to_attendance_list(record.event, items)
        return Response(body=body, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
    return _json(200, {"event_id": event_id, "registrations": items})


def cancel_registration(store: Store, event_id: str, registration_id: str, now: datetime) -> Response:
    record = store.find_event(event_id)
    registration = store.get_registration(event_id, registration_id) if record else None
    if record is None or registration is None:
        return _problem(404, "unknown_registration", f"no registration {registration_id!r} in {event_id!r}")
    if registration["status"] not in ACTIVE or not cancel(store, Cancellable(record.event, registration), now):
        return _problem(409, "already_cancelled", f"registration {registration_id!r} is cancelled already")
    current = store.get_registration(event_id, registration_id) or registration
    return _json(200, {"registration_id": registration_id, "status": current["status"]})
