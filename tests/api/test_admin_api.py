"""The admin API: IAM-only in AWS (`chalice local` and the test client do not check signatures)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from chalice import IAMAuthorizer

import app as app_module
from tests.api.conftest import registration_items, reload_events
from tests.factories import SEED_EVENT_ID, event

ADMIN_ROUTES = [
    ("/admin/events", "GET"),
    ("/admin/events/{event_id}/registrations", "GET"),
    ("/admin/events/{event_id}/registrations/{registration_id}/cancel", "POST"),
]


@pytest.mark.parametrize(("path", "method"), ADMIN_ROUTES)
def test_every_admin_route_requires_iam(path, method):
    assert isinstance(app_module.app.routes[path][method].authorizer, IAMAuthorizer)


def test_no_public_route_requires_anything():
    public = [(p, m) for p, methods in app_module.app.routes.items() for m in methods if not p.startswith("/admin")]
    assert public
    assert all(app_module.app.routes[p][m].authorizer is None for p, m in public)


def test_events_are_listed_with_their_counts(api, client, store):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(email="a@example.org")
    api.post(email="b@example.org")
    listing = json.loads(client.http.get("/admin/events").body)
    [entry] = listing["events"]
    assert (entry["event_id"], entry["confirmed"], entry["waitlisted"], entry["capacity"], entry["pending"]) == (
        SEED_EVENT_ID,
        1,
        1,
        1,
        0,
    )
    assert entry["seats_left"] == 0
    cancel_path = f"/admin/events/{SEED_EVENT_ID}/registrations/{entry_id(store, 'a@example.org')}/cancel"
    client.http.post(cancel_path)  # b moves up: nobody waits now, one number was given
    [entry] = json.loads(client.http.get("/admin/events").body)["events"]
    assert (entry["confirmed"], entry["waiting"], entry["waitlisted"]) == (1, 0, 1)


def entry_id(store, address):
    [registration] = [r for r in store.registration_rows.of_event(SEED_EVENT_ID) if r.email == address]
    return registration.registration_id


def test_registrations_as_json_csv_and_attendance_list(api, client, store):
    api.post(email="a@example.org")
    path = f"/admin/events/{SEED_EVENT_ID}/registrations"
    as_json = json.loads(client.http.get(f"{path}?format=json").body)
    assert [r["email"] for r in as_json] == ["a@example.org"]
    as_csv = client.http.get(path)  # CSV, as the command line's default
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.body.decode().lstrip("\ufeff")), delimiter=";"))
    assert rows[0]["E-Mail"] == "a@example.org"  # a German event: German headers
    attendance = client.http.get(f"{path}?format=attendance")
    assert "Unterschrift" in attendance.body.decode()
    assert client.http.get(f"{path}?format=pdf").status_code == 400
    assert client.http.get("/admin/events/no-such-event/registrations").status_code == 404


def test_an_admin_cancels_a_registration_and_the_waiting_list_moves_up(api, client, store):
    reload_events(store, event(capacity=1, waitlist=True))
    first = api.post(email="a@example.org").body
    api.post(email="b@example.org")
    path = f"/admin/events/{SEED_EVENT_ID}/registrations/{first['registration_id']}/cancel"
    response = client.http.post(path)
    assert response.status_code == 200
    assert json.loads(response.body)["status"] == "cancelled"
    statuses = {i["email"]: i["status"] for i in registration_items(store)}
    assert statuses == {"a@example.org": "cancelled", "b@example.org": "confirmed"}
    again = client.http.post(path)
    assert (again.status_code, json.loads(again.body)["error"]) == (409, "already_cancelled")
    assert client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/NOPE/cancel").status_code == 404


def test_who_cancelled_is_listed_only_with_all(api, client, store):
    gone = api.post(email="a@example.org").body["registration_id"]
    api.post(email="b@example.org")
    client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{gone}/cancel")
    path = f"/admin/events/{SEED_EVENT_ID}/registrations"

    def listed(query: str) -> list[tuple[str, str]]:
        body = client.http.get(f"{path}{query}").body.decode().lstrip("\ufeff")
        return [(r["E-Mail"], r["Status"]) for r in csv.DictReader(io.StringIO(body), delimiter=";")]

    assert listed("") == [("b@example.org", "bestätigt")]
    assert listed("?all=false") == [("b@example.org", "bestätigt")]
    assert sorted(listed("?all=1")) == [("a@example.org", "abgesagt"), ("b@example.org", "bestätigt")]
    assert len(json.loads(client.http.get(f"{path}?format=json&all=true").body)) == 2
    assert len(json.loads(client.http.get(f"{path}?format=json").body)) == 1
