"""The admin API's work (IAM-signed callers only): events with their counts, an event's
registrations in an export format, and cancelling one registration. Answers are built by
`api.responses`; a refusal is an `AdminRefusal` naming its error code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.admin.admin_errors import AdminRefusal
from chalicelib.model.registration import ACTIVE, Status, utc_iso
from chalicelib.seats.cancellation import Cancellable, cancel
from chalicelib.seats.numbering import settle
from chalicelib.store import EventRecord, Store
from chalicelib.texts import export


def events_with_counts(store: Store) -> list[tuple[EventRecord, dict[str, Any]]]:
    """Every stored event, with the counts an admin wants beside its public view."""
    return [
        (
            record,
            {
                "confirmed": record.confirmed,
                # Two counts that differ once anyone left the list or moved up: who waits now,
                # and the last number handed out (kept under its first name for scripts).
                "waiting": record.waiting,
                "waitlisted": record.waitlisted,
                "capacity": record.event.capacity,
                # Stored, not placed yet: normally 0 a moment later.
                "pending": store.pending_rows.count(record.event.event_id),
            },
        )
        for record in store.event_rows.all()
    ]


def export_registrations(
    store: Store, event_id: str, output: str | None, everyone: str | None = None
) -> export.Rendered:
    """`?format=` and `?all` as the command line's `--format` and `--all`: `all` given (bare, or
    any value but 0, false, no, off) lists who cancelled too."""
    output = output or export.DEFAULT_FORMAT
    if output not in export.FORMATS:
        raise AdminRefusal("unknown_format", f"format must be one of {', '.join(export.FORMATS)}")
    record = store.event_rows.find(event_id)
    if record is None:
        raise AdminRefusal("unknown_event", f"no event {event_id!r}")
    include_cancelled = everyone is not None and everyone.strip().lower() not in ("0", "false", "no", "off")
    return export.render(
        record.event, store.registration_rows.of_event(event_id), output, include_cancelled=include_cancelled
    )


def cancel_by_admin(store: Store, event_id: str, registration_id: str, now: datetime) -> str:
    """Cancel as the person's own link would; returns the registration's status afterwards."""
    record = store.event_rows.find(event_id)
    registration = store.registration_rows.get(event_id, registration_id) if record else None
    if record is None or registration is None:
        raise AdminRefusal("unknown_registration", f"no registration {registration_id!r} in {event_id!r}")
    if registration.status == Status.PENDING:
        # Still joining the waiting list (its request ended first): placed now, with everyone
        # pending before it, so that what is cancelled is a seat or a number like any other.
        settle(store, event_id, utc_iso(now))
        registration = store.registration_rows.get(event_id, registration_id)
        if registration is None:  # erased meanwhile
            raise AdminRefusal("unknown_registration", f"no registration {registration_id!r} in {event_id!r}")
    if registration.status not in ACTIVE or not cancel(store, Cancellable(record.event, registration), now):
        raise AdminRefusal("already_cancelled", f"registration {registration_id!r} is cancelled already")
    current = store.registration_rows.get(event_id, registration_id) or registration
    return str(current.status)
