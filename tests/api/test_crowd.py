"""A crowd on the waiting list: what a lost claim learns from its refusal, and how it tries again
(docs/design.md, "A crowd on the waiting list")."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest

import app as app_module
from chalicelib import seats
from chalicelib.events import Event
from chalicelib.forms import parse_body
from chalicelib.records import Registration, Status
from chalicelib.registration import new_registration, validate_submission
from chalicelib.store import ClaimLost, WaitlistPlace
from tests.api.conftest import reload_events
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
def sleeps(monkeypatch):
    """The windows `place` steps aside in (the longest it may sleep each time), not slept."""
    windows: list[float] = []
    monkeypatch.setattr(seats.random, "uniform", lambda low, high: high)
    monkeypatch.setattr(seats.time, "sleep", windows.append)
    return windows


def a_person(event: Event) -> Registration:
    fields = parse_body(json.dumps(submission()).encode(), "application/json")
    return new_registration(event, validate_submission(event, fields), app_module.now(), "de")


def register(client, name):
    body = json.dumps(submission(email=f"{name}@example.org", given_name=name)).encode()
    response = client.http.post(PATH, headers={"Content-Type": "application/json"}, body=body)
    return response.status_code, json.loads(response.body)


def register_elsewhere(store, name):
    """Another Lambda instance registers `name` (this app's cached counts fall behind)."""
    other_instance = app_module.Intake(store, address_secret="x" * 32)
    body = json.dumps(submission(email=f"{name}@example.org", given_name=name)).encode()
    other_instance.register(app_module.Submitted(SEED_EVENT_ID, body, "application/json", "10.0.0.1", app_module.now()))


def test_a_claim_lost_on_cached_counts_is_tried_again_at_once_from_the_counts_that_came_back(
    client, store, calls, sleeps
):
    reload_events(store, event(capacity=1, waitlist=True))
    register(client, "first")
    register(client, "second")  # the app now caches "number 1 handed out, 1 waiting"
    register_elsewhere(store, "third")  # number 2, behind the app's back
    calls.clear()

    status, answer = register(client, "fourth")

    # The cached guess (number 2, 1 ahead) lost; the refusal brought the current counts, so the
    # second claim (number 3, 2 ahead) was made without reading the event or waiting.
    assert (status, answer["waitlist_position"], answer["waitlist_place"]) == (201, 3, 3)
    assert calls["transact_write_items"] == 2
    assert calls["get_item"] == 0
    assert sleeps == []


def test_a_claim_lost_on_current_counts_steps_aside_then_reads(client, store, calls, sleeps, monkeypatch):
    reload_events(store, event(capacity=1, waitlist=True))
    register(client, "first")
    register(client, "second")
    register_elsewhere(store, "third")
    insert = app_module.store.seats.insert
    rivals = iter(["fifth"])

    def a_rival_commits_first(registration, claim, **kwargs):
        if claim == WaitlistPlace(3, ahead=2):  # the claim made from the counts that came back
            register_elsewhere(store, next(rivals))  # takes number 3 meanwhile: a crowd
        insert(registration, claim, **kwargs)

    monkeypatch.setattr(app_module.store.seats, "insert", a_rival_commits_first)
    calls.clear()

    status, answer = register(client, "fourth")

    assert (status, answer["waitlist_position"], answer["waitlist_place"]) == (201, 4, 4)
    [window] = sleeps  # lost on current counts: once aside, for at least the base window
    assert window >= seats.CROWD_WINDOW_SECONDS
    assert calls["transact_write_items"] == 3  # cached guess, the one from the counts back, the last
    assert calls["get_item"] == 1  # only after stepping aside
    stored = sorted(r.waitlist_position for r in store.registrations.waiting(SEED_EVENT_ID))
    assert stored == [1, 2, 3, 4]


def test_the_window_is_wider_the_longer_the_lost_write_took_within_bounds_and_the_budget(store, monkeypatch):
    store.events.save([event(capacity=1, waitlist=True)])
    record = dataclasses.replace(store.events.find(SEED_EVENT_ID, consistent=True), confirmed=1)
    clock, windows = [0.0], []
    took = iter([0.0, 0.01, 0.1, 0.2, 1.0, 0.0, 0.0, 0.0])  # the first: the cached guess

    def sleep(seconds):  # the longest wait each time (see `uniform` below), on a clock of its own
        windows.append(seconds)
        clock[0] += seconds

    def lost_on_current_counts(*_, **__):
        clock[0] += next(took, 0.0)
        raise ClaimLost(record)

    monkeypatch.setattr(seats, "PLACE_BUDGET_SECONDS", 16.0)
    monkeypatch.setattr(seats.random, "uniform", lambda low, high: high)
    monkeypatch.setattr(seats.time, "sleep", sleep)
    monkeypatch.setattr(seats.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(store.seats, "insert", lost_on_current_counts)
    monkeypatch.setattr(store.events, "find", lambda *_, **__: record)

    with pytest.raises(seats.Contended):
        seats.place(store, a_person(record.event), record, expires_at=0)

    # The cached guess is tried again at once; then the base window, twenty times what the
    # lost write took, five seconds at most, and no more than the budget leaves.
    assert windows[:6] == pytest.approx([1.0, 2.0, 4.0, 5.0, 1.0, 1.0])
    assert windows[6] == pytest.approx(16.0 - 1.31 - 14.0)  # what the writes and the waits left
    assert set(windows[7:]) <= {0.0}
    assert clock[0] == pytest.approx(16.0)  # the whole budget, and not a moment past it


def test_a_lost_claim_brings_back_the_event_as_stored_without_validating_it_again(store):
    store.events.save([event(capacity=1, waitlist=True)])
    record = store.events.find(SEED_EVENT_ID, consistent=True)
    waitlisted = dataclasses.replace(
        a_person(record.event), status=Status.WAITLISTED, waitlist_position=5, waitlist_place=1
    )

    with pytest.raises(ClaimLost) as lost:
        store.seats.insert(waitlisted, WaitlistPlace(5, ahead=0), expires_at=0)

    assert lost.value.current == record
    assert lost.value.current.event is record.event  # the same text: the event parsed once
