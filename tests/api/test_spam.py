"""The bot traps and the hourly limit through the app."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from tests.api.conftest import all_items, reload_events, sent_mails
from tests.factories import SEED_EVENT_ID, event, submission

PATH = f"/events/{SEED_EVENT_ID}/registrations"


def test_a_form_sent_faster_than_a_person_types_is_told_to_send_again_and_stores_nothing(api, store, clock):
    before = all_items(store)
    started = int(clock.now.timestamp() * 1000) - 800
    answer = api.post(form_started_at=str(started), lang="en")
    assert answer.status == 429
    assert answer.body["error"] == "too_fast"
    assert "has not been saved" in answer.body["message"]
    assert answer.headers["retry-after"] == "3"  # 2.2 s left of the seed event's 3, rounded up
    assert all_items(store) == before
    assert sent_mails() == []
    assert api.post(form_started_at=str(started - 10_000)).status == 201
    assert len(all_items(store)) == len(before) + 2  # registration and its address marker


def test_a_browser_sent_too_soon_gets_a_page_that_sends_the_same_fields_again(api, client, store, clock):
    started = str(int(clock.now.timestamp() * 1000) - 500)
    fields = {**submission(given_name='Ann "<b>"'), "form_started_at": started, "consent": "on"}
    response = client.http.post(
        PATH, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=urlencode(fields).encode()
    )
    assert response.status_code == 429
    page = response.body.decode() if isinstance(response.body, bytes) else response.body
    form = page[page.index("<form") : page.index("</form>")]
    assert 'method="post"' in form
    assert "action=" not in form  # back to the URL it was posted to
    resent = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form))
    assert {k: html.unescape(v) for k, v in resent.items()} == fields
    assert "Noch einmal senden" in form
    clock.now = clock.now.replace(second=clock.now.second + 5)
    again = api.send({k: html.unescape(v) for k, v in resent.items()}, form=True)
    assert again.status == 201


def test_one_address_is_limited_per_event_and_hour(api, store, clock):
    reload_events(store, event(spam_protection={"per_address_per_hour": 2}))
    assert api.post(email="a@example.org").status == 201
    assert api.post(email="b@example.org").status == 201
    refused = api.post(email="c@example.org", lang="en")
    assert refused.status == 429
    assert refused.body["error"] == "rate_limited"
    assert "Too many registrations" in refused.body["message"]
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    items = [i for i in all_items(store) if i["sk"]["S"].startswith("registration#")]
    assert len(items) == 2
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 2
    rate_rows = [i for i in all_items(store) if i["sk"]["S"].startswith("rate#")]
    assert len(rate_rows) == 1
    assert "127.0.0.1" not in json.dumps(rate_rows)  # the address itself is never stored
    clock.now = clock.now.replace(hour=clock.now.hour + 1)  # the next hour
    assert api.post(email="c@example.org").status == 201


@pytest.mark.parametrize("form", [False, True])
@pytest.mark.parametrize("started", ["2026-12-04T10:00", "heute"])
def test_a_page_that_puts_no_epoch_milliseconds_in_the_time_trap_can_register(api, store, started, form):
    # A hand-built or CMS page writes a date (or any text) there; sent again, it is the same
    # value: held back once, it was held back for ever.
    answer = api.send({**submission(), "form_started_at": started}, form=form, Accept="application/json")
    assert answer.status == 201, answer.body


def test_a_start_time_sent_as_a_json_number_is_held_back_then_passes(api, store, clock):
    started = int(clock.now.timestamp() * 1000) - 1_000
    answer = api.post(form_started_at=started)
    assert (answer.status, answer.headers["retry-after"]) == (429, "2")
    clock.now += timedelta(seconds=2)
    assert api.post(form_started_at=started).status == 201


def test_a_json_number_too_large_for_a_float_is_no_server_error(api, store):
    assert api.post(form_started_at=10**400).status == 201
