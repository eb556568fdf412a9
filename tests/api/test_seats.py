"""Capacity and the waiting list through the app (sequential; the concurrent cases are in tests/e2e)."""

from __future__ import annotations

import json
from collections import Counter

import app as app_module
from chalicelib.cli import main
from chalicelib.seats import handover
from chalicelib.store.registration_rows import RegistrationRows
from chalicelib.store.seat_transactions import SeatTransactions
from tests.api.conftest import organiser_mails, registration_items, reload_events, sent_mails, text_of
from tests.factories import PROJECT_DIR, SEED_EVENT_ID, event, seed_event_document, submission


def person(i):
    return {"email": f"person{i}@example.org", "given_name": f"Person{i}"}


def describe(client):
    return json.loads(client.http.get(f"/events/{SEED_EVENT_ID}").body)


def test_seats_then_a_gap_free_waiting_list(api, client, store):
    reload_events(store, event(capacity=2, waitlist=True))
    answers = [api.post(**person(i)) for i in range(5)]
    assert [a.body["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [a.body.get("waitlist_position") for a in answers] == [None, None, 1, 2, 3]
    assert {a.status for a in answers} == {201}
    assert answers[3].body["message"] == "Die Veranstaltung ist ausgebucht. Sie stehen auf Platz 2 der Warteliste."
    items = registration_items(store)  # the test clock stands still: ids alone do not order them
    assert sorted((i["status"], i.get("waitlist_position") or 0) for i in items) == [
        ("confirmed", 0),
        ("confirmed", 0),
        ("waitlisted", 1),
        ("waitlisted", 2),
        ("waitlisted", 3),
    ]
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waitlisted) == (2, 3)
    assert describe(client)["seats_left"] == 0
    assert describe(client)["open"] is True  # the waiting list still takes registrations
    subjects = [str(m["Subject"]) for m in organiser_mails()]
    assert [s.split(":")[0] for s in subjects] == ["Anmeldung", "Anmeldung", "Warteliste", "Warteliste", "Warteliste"]
    assert "Platz 3" in text_of(organiser_mails()[-1])


def test_a_full_event_without_waiting_list_refuses_and_closes(api, client, store):
    reload_events(store, event(capacity=1))
    assert api.post(**person(1)).status == 201
    answer = api.post(headers={"Accept-Language": "en"}, **person(2))
    assert (answer.status, answer.body["error"]) == (409, "event_full")
    assert answer.body["message"] == "Sorry, the event is fully booked."
    assert len(registration_items(store)) == 1
    assert len(organiser_mails()) == 1
    assert describe(client) | {"open": False, "seats_left": 0} == describe(client)


def test_a_stale_cached_event_never_overbooks(api, store):
    reload_events(store, event(capacity=2))
    assert api.post(**person(1)).status == 201  # the app now caches "1 of 2 seats taken"
    other_instance = app_module.Intake(store, address_secret=lambda: "x" * 32)
    body = json.dumps(submission(email="elsewhere@example.org")).encode()
    other_instance.register(app_module.Submitted(SEED_EVENT_ID, body, "application/json", "10.0.0.1", app_module.now()))
    answer = api.post(**person(3))
    assert (answer.status, answer.body["error"]) == (409, "event_full")
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 2


def test_a_stale_cached_full_event_is_checked_before_refusing(api, store):
    reload_events(store, event(capacity=1))
    api.post(**person(1))
    assert api.post(**person(2)).status == 409  # cached: full
    store.event_rows.save([event(capacity=5)])  # the admin adds seats; the app's cache still says full
    assert api.post(**person(3)).status == 201


def _load(tmp_path, **changes):
    path = tmp_path / f"{SEED_EVENT_ID}.json"
    path.write_text(json.dumps({**seed_event_document(), **changes}), encoding="utf-8")
    return main(["load-events", str(path)])


def test_changing_capacity_keeps_the_taken_seats(api, store, tmp_path, capsys):
    reload_events(store, event(capacity=3))
    api.post(**person(1))
    api.post(**person(2))
    assert _load(tmp_path, capacity=10) == 0
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.event.capacity, record.confirmed, record.seats_free) == (10, 2, 8)
    assert _load(tmp_path, capacity=2) == 0  # exactly the seats taken: allowed
    assert _load(tmp_path, capacity=1) == 1
    assert "capacity below the seats already taken for netzwerktreffen-nrw-2016" in capsys.readouterr().err
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).event.capacity == 2
    assert _load(tmp_path) == 0  # no capacity: unlimited, count kept
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 2


def test_the_shipped_events_load_from_their_folder(store, capsys):
    assert main(["load-events", *map(str, sorted((PROJECT_DIR / "events").glob("*.json")))]) == 0


def test_raising_capacity_moves_the_waiting_list_up_before_anyone_new(api, store, tmp_path, capsys):
    reload_events(store, event(capacity=1, waitlist=True))
    for i in range(4):
        api.post(**person(i))  # person0 confirmed, person1..3 waiting
    assert _load(tmp_path, capacity=3, waitlist=True) == 0
    assert "2 moved up from the waiting list" in capsys.readouterr().out
    by_email = {i["email"]: (i["status"], i.get("waitlist_position")) for i in registration_items(store)}
    assert by_email == {
        "person0@example.org": ("confirmed", None),
        "person1@example.org": ("confirmed", 1),
        "person2@example.org": ("confirmed", 2),
        "person3@example.org": ("waitlisted", 3),
    }
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (3, 1)
    app_module.intake.events.clear()
    answer = api.post(**person(9))
    assert (answer.status, answer.body["status"], answer.body["waitlist_position"]) == (201, "waitlisted", 4)
    promoted_mails = [m for m in organiser_mails() if str(m["Subject"]).startswith("Nachgerückt")]
    assert len(promoted_mails) == 2


def test_a_free_seat_is_not_taken_past_people_waiting(api, store):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person(1))
    api.post(**person(2))  # waiting
    store.event_rows.save([event(capacity=2, waitlist=True)])  # seats added without moving anyone up
    app_module.intake.events.clear()
    answer = api.post(**person(3))
    assert (answer.status, answer.body["status"], answer.body["waitlist_position"]) == (201, "waitlisted", 2)
    # The newcomer found the seat free while person2 waited, and handed it over first.
    by_email = {i["email"]: i["status"] for i in registration_items(store)}
    assert by_email["person2@example.org"] == "confirmed"
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (2, 1)


def test_raising_capacity_moves_everyone_who_fits_up_in_one_pass(api, store, tmp_path, capsys, monkeypatch):
    reload_events(store, event(capacity=1, waitlist=True))
    for i in range(31):
        api.post(**person(i))  # person0 confirmed, 30 waiting
    monkeypatch.setattr(handover, "PROMOTION_BATCH", 7)  # several batches from a small list
    calls = Counter()

    def counted(part, name):
        real = getattr(part, name)
        return lambda self, *args, **kwargs: calls.update([name]) or real(self, *args, **kwargs)

    for part, name in ((RegistrationRows, "waiting"), (SeatTransactions, "promote"), (RegistrationRows, "of_event")):
        monkeypatch.setattr(part, name, counted(part, name))
    capsys.readouterr()
    assert _load(tmp_path, capacity=500, waitlist=True) == 0
    assert "30 moved up from the waiting list" in capsys.readouterr().out
    # The list is read once and moved up in 5 transactions (7 + 7 + 7 + 7 + 2), nothing re-read per person.
    assert calls == {"waiting": 1, "promote": 5}
    items = registration_items(store)
    assert {i["status"] for i in items} == {"confirmed"}
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting, record.seats_free) == (31, 0, 469)


def test_moving_up_fills_only_the_new_seats_first_in_line_first(api, store, tmp_path, capsys):
    reload_events(store, event(capacity=1, waitlist=True))
    for i in range(8):
        api.post(**person(i))  # person0 confirmed, person1..7 waiting with numbers 1..7
    [third] = [r for r in store.registration_rows.of_event(SEED_EVENT_ID) if r.email == "person3@example.org"]
    store.seat_transactions.cancel(third, None, "2016-11-11T10:00:00.000Z")  # leaves the list: a gap in line
    assert _load(tmp_path, capacity=4, waitlist=True) == 0
    statuses = {i["email"]: i["status"] for i in registration_items(store)}
    assert [statuses[f"person{i}@example.org"] for i in range(8)] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "cancelled",
        "confirmed",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (4, 3)


def test_leaving_the_waiting_list_is_counted(api, store):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(**person(1))
    api.post(**person(2))
    [waiting] = store.registration_rows.waiting(SEED_EVENT_ID)
    store.seat_transactions.cancel(waiting, None, "2016-11-11T10:00:00.000Z")
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting, record.waitlisted) == (1, 0, 1)


def test_a_newcomer_is_told_their_place_in_line_and_keeps_a_unique_number(api, store):
    reload_events(store, event(capacity=1, waitlist=True))
    for i in range(4):
        api.post(**person(i))  # person0 confirmed; 1, 2, 3 waiting with numbers 1, 2, 3
    items = {r.email: r for r in store.registration_rows.of_event(SEED_EVENT_ID)}
    store.seat_transactions.cancel(
        items["person0@example.org"], items["person1@example.org"], "2016-11-11T10:00:00.000Z"
    )
    store.seat_transactions.cancel(items["person2@example.org"], None, "2016-11-11T10:00:00.000Z")
    app_module.intake.events.clear()
    answer = api.post(**person(9))  # only person3 waits now
    assert (answer.status, answer.body["waitlist_position"], answer.body["waitlist_place"]) == (201, 4, 2)
    assert answer.body["message"] == "Die Veranstaltung ist ausgebucht. Sie stehen auf Platz 2 der Warteliste."
    [notice] = [m for m in sent_mails() if m["To"] == "person9@example.org"]
    assert "Platz 2 der Warteliste" in text_of(notice)
