"""Content negotiation, the answer's language, CORS and browser-mode redirects."""

import json

import pytest

from chalicelib.api.intake import Accepted, IntakeResult, Refused
from chalicelib.api.negotiation import answer_language, wants_json
from chalicelib.api.responses import cors_headers, registration_response
from chalicelib.model.validation import FieldError
from tests.factories import event, seed_event


@pytest.mark.parametrize(
    ("content_type", "accept", "json_mode"),
    [
        ("application/json", None, True),
        ("application/json; charset=utf-8", "text/html", True),
        ("application/x-www-form-urlencoded", "application/json", True),
        ("application/x-www-form-urlencoded", "application/json, text/plain, */*", True),
        ("application/x-www-form-urlencoded", "text/html,application/xhtml+xml,*/*;q=0.8", False),
        ("application/x-www-form-urlencoded", "*/*", False),
        ("application/x-www-form-urlencoded", None, False),
        ("multipart/form-data; boundary=x", "text/html;q=0.5, application/json;q=0.9", True),
        ("application/x-www-form-urlencoded", "application/json;q=0", False),
    ],
)
def test_json_mode(content_type, accept, json_mode):
    assert wants_json(content_type, accept) is json_mode


@pytest.mark.parametrize(
    ("requested", "accept_language", "expected"),
    [
        ("en", "de-DE", "en"),
        (None, "en-GB,en;q=0.9,de;q=0.8", "en"),
        (None, "fr-FR, de;q=0.5", "de"),
        (None, "fr", "de"),  # the seed event is German
        (None, None, "de"),
        (None, "de;q=0.2, en;q=0.8", "en"),
    ],
)
def test_language_of_the_answer(requested, accept_language, expected):
    assert answer_language(requested, accept_language, seed_event()) == expected


def test_an_english_event_answers_in_english_by_default():
    assert answer_language(None, None, event(language="en")) == "en"


def test_cors_echoes_only_an_allowed_origin():
    e = event(allowed_origins=["https://ngo.example"])
    assert cors_headers(e, "https://ngo.example")["Access-Control-Allow-Origin"] == "https://ngo.example"
    assert "Access-Control-Allow-Origin" not in cors_headers(e, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in cors_headers(None, "https://ngo.example")
    star = event(allowed_origins=["*"])
    assert cors_headers(star, "https://any.example")["Access-Control-Allow-Origin"] == "https://any.example"


REDIRECTS = {
    "success": "https://ngo.example/danke#oben",
    "closed": "https://ngo.example/geschlossen?x=1",
    "full": "https://ngo.example/voll",
    "error": "https://ngo.example/fehler",
}


@pytest.mark.parametrize(
    ("outcome", "location"),
    [
        (Accepted("01ABC", "confirmed"), "https://ngo.example/danke?status=confirmed#oben"),
        (Refused("registration_closed"), "https://ngo.example/geschlossen?x=1&status=registration_closed"),
        (Refused("registration_not_open"), "https://ngo.example/geschlossen?x=1&status=registration_not_open"),
        (Refused("event_full"), "https://ngo.example/voll?status=event_full"),
        (Refused("already_registered"), "https://ngo.example/fehler?status=already_registered"),
        (Refused("invalid", (FieldError("email", "invalid_email"),)), "https://ngo.example/fehler?status=invalid"),
    ],
)
def test_browser_mode_redirects_to_the_outcomes_page(outcome, location):
    e = event(redirects=REDIRECTS)
    response = registration_response(
        IntakeResult(outcome, e, "de"), event_id=e.event_id, json_mode=False, origin=None, referer=None
    )
    assert response.status_code == 303
    assert response.headers["Location"] == location


def test_browser_mode_without_redirects_is_an_escaped_html_page_with_a_link_back():
    outcome = Refused("invalid", (FieldError("organisation_type", "invalid_choice"),))
    response = registration_response(
        IntakeResult(outcome, seed_event(), "en"),
        event_id="x",
        json_mode=False,
        origin=None,
        referer='https://ngo.example/form?a="><script>',
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Type of organisation: Please choose one of the values offered." in response.body
    assert 'href="https://ngo.example/form?a=&quot;&gt;&lt;script&gt;"' in response.body
    assert "<script>" not in response.body


def test_unavailable_says_when_to_retry():
    response = registration_response(
        IntakeResult(Refused("unavailable", retry_after=30), seed_event(), "de"),
        event_id="x",
        json_mode=True,
        origin=None,
        referer=None,
    )
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert json.loads(response.body)["error"] == "unavailable"


def test_the_back_link_prefers_the_events_form_url():
    e = event(form_url="https://ngo.example/anmeldung")
    response = registration_response(
        IntakeResult(Refused("invalid", (FieldError("email", "invalid_email"),)), e, "de"),
        event_id=e.event_id,
        json_mode=False,
        origin=None,
        referer="https://ngo.example/",
    )
    assert 'href="https://ngo.example/anmeldung"' in response.body
