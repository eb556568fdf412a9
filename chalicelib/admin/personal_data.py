"""One person's data across every event: the access report (GDPR Art. 15) and erasure (Art. 17).

Erasure deletes rather than cancels: nobody is mailed about the person, their seat goes to
the first on the waiting list (who is told, as after any cancellation), and their mail
records go too. Only their own rows are touched.

Erasure wins over mail in flight: the mail function claims each mail in a transaction that
requires the registration to exist, so once it is deleted no mail about it is claimed,
sent or recorded. A mail claimed just before is waited for (it is in SES' hands already),
then its record is deleted with the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.model.registration import Registration, Status, utc_iso
from chalicelib.model.submission import stored_address
from chalicelib.seats.handover import release
from chalicelib.store import Store
from chalicelib.store.keys import mail_kind

# The mail function runs at most 60 s (its Lambda timeout, .chalice/config.json): a claim
# older than this has nobody sending it any more.
MAIL_IN_FLIGHT_SECONDS = 90
POLL_SECONDS = 0.2


@dataclass
class Erased:
    event_id: str
    registration_id: str
    status: str
    promoted: str | None = None
    mail_records: int = 0


@dataclass
class Forgotten:
    """What `forget` removed: each registration, and the rows that named the address or were
    left behind by an erasure cut short."""

    registrations: list[Erased] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)  # event ids
    markers: list[str] = field(default_factory=list)  # event ids
    orphaned_mail_records: int = 0

    def __bool__(self) -> bool:
        return bool(self.registrations or self.complaints or self.markers or self.orphaned_mail_records)


@dataclass
class AccessReport:
    email: str
    registrations: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)

    def as_document(self) -> dict[str, Any]:
        return {"email": self.email, "registrations": self.registrations, "complaints": self.complaints}


def access_report(store: Store, email: str) -> AccessReport:
    """Everything stored about `email`: each registration with its answers, its marker and
    the mails sent about it, and every event whose mail it marked as spam."""
    traces = store.scans.traces_of(stored_address(email))
    report = AccessReport(email)
    complained = {row.event_id for row in traces.complaints}
    for registration in traces.registrations:
        marker = store.registration_rows.marker_of(registration)
        mails = [
            {
                "kind": mail_kind(record["sk"]),
                "state": record.get("mail_state"),
                "sent_at": record.get("sent_at"),
                "failure_reason": record.get("failure_reason"),
            }
            for record in store.mail_rows.records_of(registration)
        ]
        report.registrations.append(
            {
                **registration.as_stored(),
                "one_per_address_marker": bool(marker),
                "complaint_marker": registration.event_id in complained,
                "mails": mails,
            }
        )
    report.complaints = [
        {"event_id": row.event_id, "complained_at": row.values.get("complained_at")} for row in traces.complaints
    ]
    return report


def forget(store: Store, email: str, now: datetime) -> Forgotten:
    """Erase `email` from every event; returns what was removed.

    Repeatable: every step finds what is left from one scan of the whole table, so a run cut
    short (by a failure, or a write whose answer was lost) is finished by running it again,
    and a run that finds nothing says so truly. The registrations go first (nothing more is
    mailed about them), then their mail rows, then whatever else names the address."""
    at, address = utc_iso(now), stored_address(email)
    forgotten = Forgotten()
    traces = store.scans.traces_of(address)
    for registration in traces.registrations:
        released = release(
            store,
            registration,
            lambda reg, promote: store.seat_transactions.erase(reg, promote, at),
            states=frozenset(Status),
        )
        if released is None:
            continue  # erased meanwhile
        gone = released.registration
        _wait_for_mail_in_flight(store, gone, now)
        forgotten.registrations.append(
            Erased(
                gone.event_id,
                gone.registration_id,
                str(gone.status),
                promoted=released.promoted.registration_id if released.promoted else None,
                mail_records=store.mail_rows.delete_records(gone),
            )
        )
    # The scan's, and those of the events just erased from (SES may have reported one since).
    events = sorted({row.event_id for row in traces.complaints} | {e.event_id for e in forgotten.registrations})
    forgotten.complaints = [event_id for event_id in events if store.mail_rows.forget_complaint(event_id, address)]
    # A marker that names none of the person's registrations (none is left so; removed only
    # while it still names what it did, so a registration made meanwhile keeps its own).
    forgotten.markers = [row.event_id for row in traces.markers if store.scans.delete(row, unchanged="registration_id")]
    forgotten.orphaned_mail_records = sum(store.scans.delete(row) for row in traces.orphaned_mails)
    return forgotten


def _wait_for_mail_in_flight(store: Store, registration: Registration, now: datetime) -> None:
    """Return once no mail about the (already erased) `registration` is being sent: its
    sender marks it sent or gives it back, or the claim is too old to have a sender."""
    recent = int(now.timestamp()) - MAIL_IN_FLIGHT_SECONDS
    deadline = time.monotonic() + MAIL_IN_FLIGHT_SECONDS
    while time.monotonic() < deadline:
        records = store.mail_rows.records_of(registration)
        if not any(r.get("mail_state") == "sending" and r.get("claimed_at", 0) > recent for r in records):
            return
        store.table.sleep(POLL_SECONDS)
