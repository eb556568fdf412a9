"""Registrations placed in groups: every newcomer joins the queue (W8), and the first of those
pending places them all, in order of arrival (W9; docs/design.md, "Placing in groups"). Each
race is staged in a fixed order; the state machine and the end-to-end rounds run them at
random."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import timedelta

import pytest

import app as app_module
from chalicelib.admin.personal_data import forget
from chalicelib.api.forms import parse_body
from chalicelib.model.events import Event
from chalicelib.model.registration import Registration, Status, new_registration_id
from chalicelib.model.validation import new_registration, validate_submission
from chalicelib.seats import numbering, placing
from chalicelib.seats.seats_errors import Contended
from chalicelib.store.budget import CALL_SECONDS, LAST_WAIT_SECONDS, REQUEST_SECONDS, Budget
from chalicelib.store.keys import PENDING_PREFIX
from chalicelib.store.pending_rows import PendingRows
from chalicelib.store.store_errors import Overtaken, StoreUnavailable
from tests.api.conftest import all_items, mails_to, reload_events
from tests.factories import SEED_EVENT_ID, event, submission

PATH = f"/events/{SEED_EVENT_ID}/registrations"


class Counting:
    """The DynamoDB client, counting the calls made through it."""

    def __init__(self, real) -> None:
        self.real = real
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name):
        method = getattr(self.real, name)
        if not callable(method):
            return method

        def counted(*args, **kwargs):
            self.calls[name] += 1
            return method(*args, **kwargs)

        return counted


@pytest.fixture
def calls(monkeypatch):
    counting = Counting(app_module.store.table.client())
    monkeypatch.setattr(app_module.store.table, "client", lambda: counting)
    return counting.calls


@pytest.fixture
def no_grace(monkeypatch):
    """Whoever waits behind a pending registration numbers it at once (its request ended)."""
    monkeypatch.setattr(numbering, "LEADER_GRACE_SECONDS", 0.0)


def a_person(event: Event, name: str = "someone", **changes) -> Registration:
    body = json.dumps(submission(email=f"{name}@example.org", given_name=name)).encode()
    fields = parse_body(body, "application/json")
    return dataclasses.replace(
        new_registration(event, validate_submission(event, fields), app_module.now(), "de"), **changes
    )


def person(name: str) -> dict:
    return {"email": f"{name}@example.org", "given_name": name}


def left_pending(store, clock, name) -> Registration:
    """`name` joined the list and its request ended before anyone numbered it."""
    clock.now += timedelta(milliseconds=1)  # arrival order is the ids' order
    joined = a_person(store.event_rows.find(SEED_EVENT_ID).event, name, registration_id=new_registration_id(clock.now))
    joined = dataclasses.replace(joined, status=Status.PENDING)
    store.seat_transactions.join(joined, expires_at=2_000_000_000)
    clock.now += timedelta(milliseconds=1)
    return joined


def seated(store, person: Registration) -> None:
    """`person` joined and was placed at once: a seat while one is free, else the next number."""
    store.seat_transactions.join(
        dataclasses.replace(person, status=Status.PENDING, waitlist_position=None, waitlist_place=None),
        expires_at=2_000_000_000,
    )
    numbering.settle(store, person.event_id, person.registered_at)


def numbers(store) -> list[tuple[str, str, int | None, int | None]]:
    """(given name, status, number, place) of every registration, in order of arrival."""
    return [
        (r.given_name, str(r.status), r.waitlist_position, r.waitlist_place)
        for r in store.registration_rows.of_event(SEED_EVENT_ID, consistent=True)
    ]


def pending_rows(store) -> list[dict]:
    return [i for i in all_items(store) if i["sk"]["S"].startswith(PENDING_PREFIX)]


@pytest.mark.usefixtures("no_grace")
def test_registrations_left_pending_are_numbered_first_in_order_of_arrival(api, store, clock, mail_function):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    left_pending(store, clock, "early")
    left_pending(store, clock, "earlier-id-later-name")

    answer = api.post(**person("late"))
    status, answer = answer.status, answer.body

    assert (status, answer["waitlist_position"], answer["waitlist_place"]) == (201, 3, 3)
    assert numbers(store) == [
        ("first", "confirmed", None, None),
        ("early", "waitlisted", 1, 1),
        ("earlier-id-later-name", "waitlisted", 2, 2),
        ("late", "waitlisted", 3, 3),
    ]
    # Numbered by someone else's request, they are mailed like anyone: their place is true.
    mail_function.deliver()
    assert "Platz 1 der Warteliste" in mails_to("early@example.org")[0].get_body().get_content()


@pytest.mark.usefixtures("no_grace")
def test_a_seat_given_back_while_people_join_goes_to_the_first_of_them(api, store, clock):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    left_pending(store, clock, "early")
    first = store.registration_rows.holder_of_address(SEED_EVENT_ID, "first@example.org")
    store.seat_transactions.cancel(first, None, "2016-11-10T11:00:00.000Z")  # nobody waits: the seat goes back
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 0

    answer = api.post(**person("late"))
    status, answer = answer.status, answer.body

    # The free seat was early's (the first to arrive); late waits behind nobody.
    assert (status, answer["status"], answer["waitlist_place"]) == (201, "waitlisted", 1)
    assert numbers(store)[1:] == [("early", "confirmed", None, None), ("late", "waitlisted", 1, 1)]


def test_someone_waiting_is_numbered_by_the_first_of_those_joining(store, clock, calls, monkeypatch):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    seated(app_module.store, a_person(store.event_rows.find(SEED_EVENT_ID).event, "first", status=Status.CONFIRMED))
    early = left_pending(store, clock, "early")
    joined = left_pending(store, clock, "late")

    def the_first_numbers_meanwhile(seconds):
        numbering.settle(store, SEED_EVENT_ID, early.registered_at)

    monkeypatch.setattr(app_module.store.table, "sleep", the_first_numbers_meanwhile)
    calls.clear()

    stored, _ = numbering.await_number(app_module.store, joined, app_module.store.table.budget(), early.registered_at)

    assert (stored.status, stored.waitlist_position, stored.waitlist_place) == (Status.WAITLISTED, 2, 2)
    assert calls["transact_write_items"] == 0  # it only read: the first numbered it


def test_the_same_submission_sent_again_while_pending_gets_its_number(api, store, clock):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    joined = left_pending(store, clock, "again")  # the first post's answer never came

    answer = api.post(**person("again"))
    status, answer = answer.status, answer.body

    assert (status, answer["registration_id"], answer["waitlist_place"]) == (201, joined.registration_id, 1)
    assert pending_rows(store) == []


def test_the_due_function_numbers_registrations_left_pending(api, client, store, clock, mail_function):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    left_pending(store, clock, "early")
    left_pending(store, clock, "later")

    scheduled = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    assert client.lambda_.invoke("due", scheduled).payload == {"sent": {}, "numbered": 2}

    assert numbers(store)[1:] == [("early", "waitlisted", 1, 1), ("later", "waitlisted", 2, 2)]
    assert pending_rows(store) == []
    mail_function.deliver()
    assert mails_to("later@example.org")


def test_a_registration_still_pending_can_be_erased(store, clock):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    left_pending(store, clock, "gone")

    [erased] = forget(store, "gone@example.org", app_module.now()).registrations

    assert erased.status == "pending"
    assert pending_rows(store) == []
    assert store.registration_rows.marker(SEED_EVENT_ID, "gone@example.org") is None
    assert pending_rows(store) == []


def test_numbering_is_all_or_nothing_when_one_of_them_was_erased_meanwhile(store, clock):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    left_pending(store, clock, "stays")
    left_pending(store, clock, "gone")
    queue = store.pending_rows.look(SEED_EVENT_ID)
    forget(store, "gone@example.org", app_module.now())
    before = all_items(store)

    with pytest.raises(Overtaken):
        numbering.number_once(store, queue, "2016-11-10T11:00:00.000Z")

    assert all_items(store) == before
    assert numbering.settle(store, SEED_EVENT_ID, "2016-11-10T11:00:00.000Z") == 1
    assert numbers(store) == [("stays", "confirmed", None, None)]


def test_a_long_queue_is_numbered_in_groups_in_order(store, clock):
    store.event_rows.save([event(capacity=3, waitlist=True)])
    names = [f"p{i:02d}" for i in range(60)]
    for name in names:
        left_pending(store, clock, name)

    assert numbering.settle(store, SEED_EVENT_ID, "2016-11-10T11:00:00.000Z") == 60

    stored = numbers(store)
    assert [name for name, *_ in stored] == names
    assert [s[1] for s in stored] == ["confirmed"] * 3 + ["waitlisted"] * 57
    assert [(s[2], s[3]) for s in stored[3:]] == [(n, n) for n in range(1, 58)]
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waitlisted, record.waiting) == (3, 57, 57)


def test_a_registrant_not_numbered_within_the_budget_is_taken_back_and_hears_503(
    api, store, clock, skipped_time, monkeypatch
):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    before = all_items(store)

    def always_lost(*_, **__):
        raise Overtaken()

    monkeypatch.setattr(PendingRows, "number", always_lost)

    started = skipped_time.clock()
    answer = api.post(**person("unlucky"))
    status, answer = answer.status, answer.body
    took = skipped_time.clock() - started

    assert (status, answer["error"]) == (503, "unavailable")
    # It kept trying until only the taking back and a read after it could still end in time,
    # and answered inside the request's budget.
    assert REQUEST_SECONDS - 2 * CALL_SECONDS - LAST_WAIT_SECONDS <= took <= REQUEST_SECONDS
    # "Not stored" is true: its row and marker are gone, and so is its count.
    assert [i for i in all_items(store) if i["sk"]["S"] != "event"] == [i for i in before if i["sk"]["S"] != "event"]
    assert pending_rows(store) == []


def test_a_registrant_numbered_just_as_its_budget_ran_out_gets_its_201(store, clock, monkeypatch):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    seated(store, a_person(store.event_rows.find(SEED_EVENT_ID).event, "first"))
    joined = left_pending(store, clock, "late")
    erase = store.seat_transactions.erase

    def numbered_first(registration, promote, at):
        numbering.settle(store, SEED_EVENT_ID, at)  # someone numbered it a moment before
        erase(registration, promote, at)

    monkeypatch.setattr(store.seat_transactions, "erase", numbered_first)

    stored, _ = numbering.await_number(store, joined, Budget.of(0), joined.registered_at)

    assert (stored.status, stored.waitlist_place) == (Status.WAITLISTED, 1)


def test_a_registrant_that_cannot_even_be_taken_back_stays_pending_for_the_due_function(store, clock, monkeypatch):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    seated(store, a_person(store.event_rows.find(SEED_EVENT_ID).event, "first"))
    joined = left_pending(store, clock, "late")

    def table_down(*_, **__):
        raise StoreUnavailable("down")

    monkeypatch.setattr(store.seat_transactions, "erase", table_down)

    with pytest.raises(Contended):
        numbering.await_number(store, joined, Budget.of(0), joined.registered_at)
    assert len(pending_rows(store)) == 1  # the one case where a 503 leaves a registration stored


@pytest.mark.parametrize(
    ("capacity", "told"),
    [
        (2, (409, "event_full", None)),  # early takes the one free seat: none is left for late
        (3, (201, "confirmed", None)),  # a seat is left after early: late takes it
    ],
)
@pytest.mark.usefixtures("no_grace")
def test_a_newcomer_is_never_put_on_a_waiting_list_switched_off_behind_those_pending(api, store, clock, capacity, told):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    left_pending(store, clock, "early")  # joined while the list was open: owed a seat or a number
    reload_events(store, event(capacity=capacity, waitlist=False))  # more seats, and no list any more

    answer = api.post(**person("late"))
    status, answer = answer.status, answer.body

    # early came first and gets the first free seat; late arrived after the list was switched
    # off, so it is given a seat or turned away, never a number on a list the event no longer has.
    assert (status, answer.get("status") or answer.get("error"), answer.get("waitlist_position")) == told
    assert numbers(store)[:2] == [("first", "confirmed", None, None), ("early", "confirmed", None, None)]
    assert [stored for _, stored, *_ in numbers(store)[2:]] == (["confirmed"] if status == 201 else [])
    assert pending_rows(store) == []


def test_an_admin_cancelling_someone_still_pending_places_everyone_pending_first(api, client, store, clock):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person("first"))
    early = left_pending(store, clock, "early")
    left_pending(store, clock, "later")

    response = client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{early.registration_id}/cancel")

    assert response.status_code == 200
    # early was given number 1 (later number 2) before the cancel took it off the list.
    assert numbers(store)[1:] == [("early", "cancelled", 1, 1), ("later", "waitlisted", 2, 2)]
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (1, 1)


def test_with_the_limit_lifted_people_waiting_move_up_before_anyone_pending_is_placed(store, clock):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    seated(store, a_person(store.event_rows.find(SEED_EVENT_ID).event, "first"))
    second = a_person(store.event_rows.find(SEED_EVENT_ID).event, "second", status=Status.WAITLISTED)
    second = dataclasses.replace(second, waitlist_position=1, waitlist_place=1)
    seated(store, second)
    left_pending(store, clock, "late")
    store.event_rows.save([event(capacity=None, waitlist=True)])  # `load-events` stopped before its move-up

    numbering.settle(store, SEED_EVENT_ID, "2016-11-10T11:00:00.000Z")

    # second waited first: it moves up before late (pending) gets its seat.
    statuses = {name: status for name, status, *_ in numbers(store)}
    assert statuses == {"first": "confirmed", "second": "confirmed", "late": "confirmed"}
    assert [r.given_name for r in store.registration_rows.waiting(SEED_EVENT_ID)] == []
    promoted = store.registration_rows.holder_of_address(SEED_EVENT_ID, "second@example.org")
    assert promoted.promoted_at == "2016-11-10T11:00:00.000Z"


def test_a_registrant_numbered_and_cancelled_before_it_looked_is_told_what_it_was_given(store, clock, monkeypatch):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    seated(store, a_person(store.event_rows.find(SEED_EVENT_ID).event, "first"))
    early = left_pending(store, clock, "early")
    joined = left_pending(store, clock, "late")

    def numbered_then_cancelled_meanwhile(seconds):
        numbering.settle(store, SEED_EVENT_ID, early.registered_at)
        placed = store.registration_rows.get(SEED_EVENT_ID, joined.registration_id)
        store.seat_transactions.cancel(placed, None, early.registered_at)

    monkeypatch.setattr(store.table, "sleep", numbered_then_cancelled_meanwhile)

    stored, _ = numbering.await_number(store, joined, store.table.budget(), early.registered_at)
    answer = placing._as_answer(stored)

    assert (answer.status, answer.waitlist_position, answer.waitlist_place) == (Status.WAITLISTED, 2, 2)


def test_a_registrant_waiting_for_its_number_rides_out_a_failing_table(store, clock, monkeypatch):
    store.event_rows.save([event(capacity=1, waitlist=True)])
    seated(store, a_person(store.event_rows.find(SEED_EVENT_ID).event, "first"))
    joined = left_pending(store, clock, "late")
    first = store.pending_rows.first
    failures = iter([StoreUnavailable("throttled"), StoreUnavailable("throttled")])

    def failing_twice(event_id):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return first(event_id)

    monkeypatch.setattr(store.pending_rows, "first", failing_twice)
    monkeypatch.setattr(store.table, "sleep", lambda _: None)

    stored, _ = numbering.await_number(store, joined, store.table.budget(), joined.registered_at)

    assert (stored.status, stored.waitlist_place) == (Status.WAITLISTED, 1)
