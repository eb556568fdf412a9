"""The bot traps and the hourly limit through the app."""

from __future__ import annotations

import json

from tests.api.conftest import all_items, reload_events, sent_mails
from tests.factories import SEED_EVENT_ID, event, submission

PATH = f"/events/{SEED_EVENT_ID}/registrations"


def post(client, **values):
    body = json.dumps(submission(**values)).encode()
    return client.http.post(PATH, headers={"Content-Type": "application/json"}, body=body)


def test_a_form_sent_faster_than_a_person_types_looks_accepted_and_stores_nothing(client, store, clock):
    before = all_items(store)
    started = int(clock.now.timestamp() * 1000) - 800
    response = post(client, form_started_at=str(started))
    assert response.status_code == 201
    assert all_items(store) == before
    assert sent_mails() == []
    assert post(client, form_started_at=str(started - 10_000)).status_code == 201
    assert len(all_items(store)) == len(before) + 2  # registration and its address marker


def test_one_address_is_limited_per_event_and_hour(client, store, clock):
    reload_events(store, event(spam_protection={"per_address_per_hour": 2}))
    assert post(client, email="a@example.org").status_code == 201
    assert post(client, email="b@example.org").status_code == 201
    refused = post(client, email="c@example.org", lang="en")
    assert refused.status_code == 429
    assert json.loads(refused.body)["error"] == "rate_limited"
    assert "Too many registrations" in json.loads(refused.body)["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    items = [i for i in all_items(store) if i["sk"]["S"].startswith("registration#")]
    assert len(items) == 2
    assert store.find_event(SEED_EVENT_ID, consistent=True).confirmed == 2
    rate_rows = [i for i in all_items(store) if i["sk"]["S"].startswith("rate#")]
    assert len(rate_rows) == 1
    assert "127.0.0.1" not in json.dumps(rate_rows)  # the address itself is never stored
    clock.now = clock.now.replace(hour=clock.now.hour + 1)  # the next hour
    assert post(client, email="c@example.org").status_code == 201
