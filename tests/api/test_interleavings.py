"""Races on seats and the waiting list, each reproduced by running the rival write at the one
moment it hurts: between a read and the write that depends on it (no timing, no luck).

The rival is another Lambda instance (its own `Intake`), as in AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import app as app_module
from chalicelib.api.intake import Intake, Submitted
from chalicelib.model.links import CancelLink, cancel_url
from chalicelib.seats.cancellation import Cancellable, cancel
from chalicelib.store.registration_rows import RegistrationRows
from tests.api.conftest import mails_to, registration_items, reload_events
from tests.factories import SEED_EVENT_ID, event, submission


def register_elsewhere(store, email):
    """A registration handled by another instance of the API function."""
    other = Intake(store, address_secret=lambda: "another-instance-secret-of-32-chars")
    body = json.dumps(submission(email=email)).encode()
    return other.register(Submitted(SEED_EVENT_ID, body, "application/json", "10.0.0.9", app_module.now())).outcome


def after_first_call(monkeypatch, owner, name: str, rival: Callable[[], object]) -> list[object]:
    """`owner.name` answers its first caller only after `rival` ran: the rival's write lands
    between that read (or write) and whatever its caller does next. Returns the rival's result."""
    real = getattr(owner, name)
    results: list[object] = []

    def hooked(*args, **kwargs):
        answer = real(*args, **kwargs)
        if not results:
            results.append(rival())
        return answer

    monkeypatch.setattr(owner, name, hooked)
    return results


def cancel_elsewhere(store, registration_id):
    """A cancellation handled by another instance of the API function (the link's POST)."""
    item = store.registration_rows.get(SEED_EVENT_ID, registration_id)
    target = Cancellable(store.event_rows.find(SEED_EVENT_ID).event, item)
    assert cancel(store, target, app_module.now())


def cancel_link_path(registration_id):
    claim = CancelLink(SEED_EVENT_ID, registration_id, 2**31)
    return cancel_url("", app_module.settings.link_secret, claim)


def cancel_by_link(client, store, registration_id):
    assert client.http.post(cancel_link_path(registration_id)).status_code == 200


def cancel_by_admin(client, store, registration_id):
    response = client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{registration_id}/cancel")
    assert response.status_code == 200


def forget(client, store, registration_id):
    from chalicelib.admin.personal_data import forget as erase

    [item] = [i for i in registration_items(store) if i["registration_id"] == registration_id]
    assert len(erase(store, item["email"], app_module.now()).registrations) == 1


RELEASES = {"cancel link": cancel_by_link, "admin cancel": cancel_by_admin, "forget": forget}


@pytest.mark.parametrize("release", list(RELEASES))
def test_a_newcomer_between_the_releases_read_and_write_gets_the_freed_seat(api, client, store, monkeypatch, release):
    reload_events(store, event(capacity=1, waitlist=True))
    first = api.register(email="first@example.org")
    # The release has just seen that nobody waits; the newcomer now finds the event full.
    rival = after_first_call(
        monkeypatch, RegistrationRows, "first_waiting", lambda: register_elsewhere(store, "new@example.org")
    )
    RELEASES[release](client, store, first["registration_id"])
    assert rival[0].status == "waitlisted"  # the newcomer was told the truth at that moment
    [newcomer] = [i for i in registration_items(store) if i["email"] == "new@example.org"]
    assert newcomer["status"] == "confirmed"  # ... and the freed seat went to them, not back to the event
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting, record.seats_free) == (1, 0, 0)
    assert any("frei geworden" in str(m["Subject"]) for m in mails_to("new@example.org"))


def test_a_newcomer_whose_read_is_overtaken_by_a_cancellation_takes_the_seat(api, store, monkeypatch):
    reload_events(store, event(capacity=1, waitlist=True))
    first = api.register(email="first@example.org")
    app_module.intake.events.clear()
    # The newcomer has read "full" and is about to join the queue when the seat comes back.
    real_join = app_module.store.seat_transactions.join
    cancelled = []

    def cancel_first_then_join(*args, **kwargs):
        if not cancelled:
            cancelled.append(True)
            cancel_elsewhere(store, first["registration_id"])
        return real_join(*args, **kwargs)

    monkeypatch.setattr(app_module.store.seat_transactions, "join", cancel_first_then_join)
    assert api.register(email="new@example.org")["status"] == "confirmed"
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (1, 0)


def test_the_seat_goes_to_the_first_in_line_even_when_they_leave_during_the_handover(api, client, store, monkeypatch):
    reload_events(store, event(capacity=1, waitlist=True))
    first = api.register(email="first@example.org")
    api.register(email="w1@example.org")
    api.register(email="w2@example.org")
    [w1] = [i for i in registration_items(store) if i["email"] == "w1@example.org"]
    # The cancellation has picked w1 to move up; w1 leaves the list before the handover is written.
    leaves = lambda: cancel_elsewhere(store, w1["registration_id"])  # noqa: E731
    after_first_call(monkeypatch, RegistrationRows, "first_waiting", leaves)
    cancel_by_link(client, store, first["registration_id"])
    statuses = {i["email"]: i["status"] for i in registration_items(store)}
    assert statuses == {"first@example.org": "cancelled", "w1@example.org": "cancelled", "w2@example.org": "confirmed"}
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (1, 0)


def test_a_newcomer_with_a_stale_nobody_waits_does_not_pass_the_list_when_the_limit_goes(api, store):
    reload_events(store, event())  # no capacity
    api.register(email="first@example.org")  # this instance now caches "no limit, nobody waits"
    store.event_rows.save([event(capacity=1, waitlist=True)])
    assert register_elsewhere(store, "waiting@example.org").status == "waitlisted"
    store.event_rows.save([event()])  # the limit removed, the list not yet moved up (load-events runs on)
    assert api.register(email="new@example.org")["status"] == "confirmed"
    statuses = {i["email"]: i["status"] for i in registration_items(store)}
    assert statuses["waiting@example.org"] == "confirmed"  # moved up before the newcomer took a seat
    [waited] = [i for i in registration_items(store) if i["email"] == "waiting@example.org"]
    [newcomer] = [i for i in registration_items(store) if i["email"] == "new@example.org"]
    assert waited["promoted_at"] <= newcomer["registered_at"]
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).waiting == 0
