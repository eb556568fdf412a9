"""The organisers' digest of a day: every change to the registrations reported to the organisers
exactly once, whatever `organiser_mails` said when it happened or says now.

The bookkeeping is per registration, in the very mail rows the mail function claims to send
each notice on its own under `organiser_mails: each` (`organiser_new`, `organiser_promoted`,
`organiser_cancelled`): a digest claims the notices it reports before it goes and marks them
reported in it after. Whoever claims a notice first tells the organisers; the other never does.
So a digest leaves out what went on its own (`each` -> `daily`); what `daily` or `none` held back
comes in the next digest, also once the event says `each` (`owed.digest_day`) or `daily` again;
and a digest missed for a day (the function down) leaves its changes to the next.

An event's digest of a day goes once (its own mail row `organiser_digest_<day>`): a change
it did not take (held back by `none` until a switch after 08:00, or its own mail being sent
as it read) goes in the next day's, unless its own mail went meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from chalicelib.due import owed
from chalicelib.due.reports import organiser_digest
from chalicelib.mail.outbox import Outbox
from chalicelib.model.events import expiry_epoch
from chalicelib.model.registration import Registration
from chalicelib.store import EVENT_MAILS, EventRecord, Store, digest_mail, event_owner


def send_digest(
    store: Store,
    outbox: Outbox,
    record: EventRecord,
    registrations: Callable[[], list[Registration]],
    day: date,
    now: datetime,
    *,
    retry_failed: bool = False,
) -> int:
    """Send the digest of `day` if it is not sent yet and some change before its 08:00 is not
    reported yet; returns 1 if it went now. `registrations` reads the event's (once, and only
    when the day's digest may still go). Raises on a transient failure, after giving every claim
    back; a permanent one (parked and alerted by the outbox) gives them back too, for the next
    digest or the admin's replay (`retry_failed`)."""
    event = record.event
    kind = digest_mail(day)
    states = store.mail_rows.states_of_event(event.event_id)
    digest_state = states.get((EVENT_MAILS, kind))
    if digest_state is not None and not (retry_failed and digest_state == "failed"):
        return 0  # the day's digest went, is going, or failed for good
    items = registrations()
    notices = [
        notice
        for notice in owed.unreported(items, states, owed.digest_cutoff(event, day))
        if store.mail_rows.claim(notice.registration, notice.kind, now) is None
    ]
    if not notices:
        return 0  # a day without changes sends nothing: an empty digest is noise
    changes = owed.day_changes(notices)
    builders = {kind: lambda: organiser_digest(event, day, changes, owed.counts(items))}
    owner = event_owner(event.event_id, expiry_epoch(event))
    try:
        sent = outbox.send(owner, [kind], now, record, builders=builders, retry_failed=retry_failed)
    except Exception:
        _give_back(store, notices)
        raise
    if not sent:
        # Another run's digest of the day went first, or this one failed for good: no organiser
        # saw these changes, so they stay unreported.
        _give_back(store, notices)
        return 0
    for notice in notices:
        store.mail_rows.mark_reported(notice.registration, notice.kind, kind, now)
    return sent


def _give_back(store: Store, notices: list[owed.Notice]) -> None:
    for notice in notices:
        store.mail_rows.release(notice.registration, notice.kind)
