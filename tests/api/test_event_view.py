"""GET /events/{id} answers the event's questions and consent, so a page built by hand or by a
CMS can be checked against the event, in the answer's language."""

from __future__ import annotations

import json

from chalicelib.api.openapi import openapi_document
from chalicelib.model.events import Event
from tests.api.conftest import reload_events
from tests.factories import EVERY_QUESTION_EVENT_ID, every_question_event, submission

PATH = f"/events/{EVERY_QUESTION_EVENT_ID}"


def test_every_question_is_answered_with_what_the_api_checks(client, store):
    reload_events(store, every_question_event(registration_deadline="2016-11-30"))
    view = json.loads(client.http.get(PATH).body)
    assert view["questions"] == [
        {
            "id": "dietary",
            "label": "Dietary requirements",
            "type": "text",
            "required": False,
            "choices": None,
            "max_length": 100,
        },
        {
            "id": "expectations",
            "label": "What do you hope to take home from the day?",
            "type": "text",
            "required": False,
            "choices": None,
            "max_length": 1000,
        },
        {
            "id": "workshop",
            "label": "Workshop",
            "type": "choice",
            "required": True,
            "choices": ["Morning", "Afternoon"],
            "max_length": None,
        },
        {
            "id": "country",
            "label": "Country",
            "type": "choice",
            "required": False,
            "choices": ["Germany", "Ghana", "India", "Mexico", "Senegal", "Another country"],
            "max_length": None,
        },
        {
            "id": "topics",
            "label": "Topics of interest",
            "type": "multi",
            "required": True,
            "choices": ["Climate", "Migration", "Trade"],
            "max_length": None,
        },
        {
            "id": "photos",
            "label": "I agree to appear in photos of the day",
            "type": "bool",
            "required": True,
            "choices": None,
            "max_length": None,
        },
    ]
    assert view["consent"] == {
        "version": "2026-01",
        "text": "I consent to my details being processed to organise this event.",
    }


def answer_from_view(question: dict):
    """An answer made only from what the view says about the question."""
    if question["type"] == "multi":
        return question["choices"][:1]
    if question["type"] == "choice":
        return question["choices"][-1]
    if question["type"] == "bool":
        return True
    return "x" * question["max_length"]  # the longest accepted


def test_what_the_view_says_is_what_a_post_must_meet(client, store):
    """A program that fills the form from the view gets a 201; one that leaves a required question out a 422."""
    reload_events(store, every_question_event(registration_deadline="2016-11-30"))
    view = json.loads(client.http.get(PATH).body)
    answers = {q["id"]: answer_from_view(q) for q in view["questions"]}
    headers = {"Content-Type": "application/json"}
    response = client.http.post(
        f"{PATH}/registrations",
        headers=headers,
        body=json.dumps({**submission(organisation_type=None, department=None), **answers}).encode(),
    )
    assert response.status_code == 201, response.body
    required = [q["id"] for q in view["questions"] if q["required"]]
    missing = {k: v for k, v in answers.items() if k not in required}
    refused = client.http.post(
        f"{PATH}/registrations",
        headers=headers,
        body=json.dumps(
            {**submission(email="b@example.org", organisation_type=None, department=None), **missing}
        ).encode(),
    )
    assert sorted(e["field"] for e in json.loads(refused.body)["errors"]) == sorted(required)


def test_labels_and_consent_follow_accept_language(client, store):
    reload_events(
        store,
        every_question_event(
            registration_deadline="2016-11-30",
            consent={"version": "3", "text": {"de": "Ich willige ein.", "en": "I consent."}},
        ),
    )
    german = client.http.get(PATH, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    view = json.loads(german.body)
    assert view["questions"][0]["label"] == "Ernährung"
    assert view["questions"][1]["label"] == "What do you hope to take home from the day?"  # only in English
    assert view["questions"][3]["label"] == "Country"  # one label for every language
    assert view["consent"] == {"version": "3", "text": "Ich willige ein."}
    assert "Accept-Language" in german.headers["Vary"]
    english = json.loads(client.http.get(PATH).body)  # no preference: the event's language
    assert english["questions"][0]["label"] == "Dietary requirements"
    assert english["consent"]["text"] == "I consent."


def test_an_event_without_questions_or_consent_says_so(client, store):
    document = every_question_event(registration_deadline="2016-11-30", questions=[]).model_dump(mode="json")
    del document["consent"]  # as in a file that does not name one
    reload_events(store, Event.model_validate(document))
    view = json.loads(client.http.get(PATH).body)
    assert view["questions"] == []
    assert view["consent"] == {
        "version": "1",
        "text": "I consent to my details being processed to organise this event.",
    }


def test_the_openapi_document_describes_questions_and_consent(client):
    published = json.loads(client.http.get("/openapi.json").body)
    assert published == openapi_document()
    schemas = published["components"]["schemas"]
    event_view = schemas["EventView"]
    assert {"questions", "consent"} <= set(event_view["required"])
    assert event_view["properties"]["questions"]["items"] == {"$ref": "#/components/schemas/QuestionView"}
    assert event_view["properties"]["consent"] == {"$ref": "#/components/schemas/ConsentView"}
    assert set(schemas["QuestionView"]["properties"]) == {"id", "label", "type", "required", "choices", "max_length"}
    assert schemas["QuestionView"]["properties"]["type"]["enum"] == ["text", "choice", "multi", "bool"]
    assert set(schemas["ConsentView"]["properties"]) == {"version", "text"}
