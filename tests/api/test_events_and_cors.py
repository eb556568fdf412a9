"""GET /events/{id}, CORS on every answer, and the OPTIONS preflight."""

from __future__ import annotations

import json

from tests.api.conftest import reload_events
from tests.factories import SEED_EVENT_ID, berlin, event, submission

ORIGIN = "https://skew.engagement-global.de"
PATH = f"/events/{SEED_EVENT_ID}/registrations"


def test_the_event_is_described_with_instants_and_offsets(client, clock):
    response = client.http.get(f"/events/{SEED_EVENT_ID}")
    assert response.status_code == 200
    assert json.loads(response.body) == {
        "event_id": SEED_EVENT_ID,
        "title": "1. regionales NRW-Netzwerktreffen „Migration und Entwicklung auf kommunaler Ebene“",
        "starts_at": "2016-12-01T10:00:00+01:00",
        "ends_at": "2016-12-01T17:00:00+01:00",
        "timezone": "Europe/Berlin",
        "location": "Rathaus Dinslaken, Platz d'Agen 1, 46535 Dinslaken",
        "registration_opens_at": None,
        "registration_deadline": "2016-11-17T23:59:59+01:00",
        "open": True,
        "refused_with": None,
        "seats_left": None,
        "questions": [
            {
                "id": "organisation_type",
                "label": "Art der Organisation",
                "type": "choice",
                "required": True,
                "choices": [
                    "Kommune",
                    "Landkreis",
                    "Migrantenorganisation oder Diasporaorganisation",
                    "Entwicklungs- oder integrationspolitischer Verein",
                    "Andere",
                ],
                "max_length": None,
            },
            {
                "id": "department",
                "label": "Fachbereich",
                "type": "choice",
                "required": False,
                "choices": [
                    "Integration",
                    "Internationales",
                    "Städtepartnerschaften",
                    "Lokale Agenda 21",
                    "Umwelt",
                    "Anderer Fachbereich",
                ],
                "max_length": None,
            },
        ],
        "consent": {
            "version": "2016-11-01",
            "text": "Ich willige ein, dass meine Angaben zur Organisation dieser Veranstaltung verarbeitet werden. "
            "Mehr dazu in den Datenschutzhinweisen.",
        },
    }
    clock.now = berlin(2016, 11, 18, 0, 0)
    assert json.loads(client.http.get(f"/events/{SEED_EVENT_ID}").body)["open"] is False


def test_the_event_says_why_a_registration_posted_now_would_be_refused(client, store, clock):
    """What a page tells its reader must be what the post would answer (tests/api/test_seats.py)."""

    def view():
        document = json.loads(client.http.get(f"/events/{SEED_EVENT_ID}").body)
        return document["open"], document["refused_with"]

    reload_events(store, event(capacity=1, registration_opens_at="2016-11-05T09:00:00"))
    clock.now = berlin(2016, 11, 5, 8, 59)
    assert view() == (False, "registration_not_open")
    clock.now = berlin(2016, 11, 5, 9, 0)
    assert view() == (True, None)
    client.http.post(PATH, headers={"Content-Type": "application/json"}, body=json.dumps(submission()).encode())
    assert view() == (False, "event_full")  # the last seat went, and there is no waiting list
    reload_events(store, event(capacity=1, waitlist=True))
    assert view() == (True, None)  # a waiting-list place is free
    reload_events(store, event(capacity=1, closed=True))
    assert view() == (False, "registration_closed")
    reload_events(store, event(capacity=2))
    clock.now = berlin(2016, 11, 18, 0, 0)
    assert view() == (False, "registration_closed")  # the deadline passed


def test_seats_left_counts_down(client, store):
    reload_events(store, event(capacity=2))
    client.http.post(PATH, headers={"Content-Type": "application/json"}, body=json.dumps(submission()).encode())
    assert json.loads(client.http.get(f"/events/{SEED_EVENT_ID}").body)["seats_left"] == 1


def test_an_unknown_event_is_404_in_the_answers_language(client):
    response = client.http.get("/events/no-such-event", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert json.loads(response.body) == {"error": "unknown_event", "message": "There is no such event."}
    assert client.http.get("/events/NOT%20VALID").status_code == 404


def test_cors_is_on_success_and_on_every_error(client):
    headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    ok = client.http.post(PATH, headers=headers, body=json.dumps(submission()).encode())
    duplicate = client.http.post(PATH, headers=headers, body=json.dumps(submission(given_name="Anders")).encode())
    invalid = client.http.post(PATH, headers=headers, body=b"{}")
    malformed = client.http.post(PATH, headers=headers, body=b"{")
    unsupported = client.http.post(PATH, headers={**headers, "Content-Type": "text/plain"}, body=b"x")
    described = client.http.get(f"/events/{SEED_EVENT_ID}", headers={"Origin": ORIGIN})
    for response, status in [
        (ok, 201),
        (duplicate, 409),
        (invalid, 422),
        (malformed, 400),
        (unsupported, 415),
        (described, 200),
    ]:
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "Origin" in response.headers["Vary"]
        assert response.headers["Access-Control-Expose-Headers"] == "Retry-After"  # the page waits as told


def test_a_foreign_origin_gets_no_cors_header(client):
    response = client.http.post(
        PATH, headers={"Origin": "https://evil.example", "Content-Type": "application/json"}, body=b"{}"
    )
    assert response.status_code == 422
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_preflight_allows_the_events_origins_only(client):
    allowed = client.http.options(PATH, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in allowed.headers["Access-Control-Allow-Headers"]
    assert int(allowed.headers["Access-Control-Max-Age"]) > 0
    foreign = client.http.options(PATH, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    event_preflight = client.http.options(f"/events/{SEED_EVENT_ID}", headers={"Origin": ORIGIN})
    assert event_preflight.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_an_odd_content_type_on_a_get_is_not_chalices_own_415(client):
    response = client.http.get(f"/events/{SEED_EVENT_ID}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 200
    preflight = client.http.options(PATH, headers={"Origin": ORIGIN, "Content-Type": "text/plain"})
    assert preflight.status_code == 204
