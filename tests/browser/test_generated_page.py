"""The page `cli page` makes, in Chromium against the local stack: an English event with every
kind of question posts with and without JavaScript, refused questions are marked where they
are, axe finds nothing serious, and the script warns in the console when a page adapted by
hand drifts from the event."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timedelta

import pytest

from devstack.demo_event import DEMO_EVENT_ID
from tests.browser.test_form_page import address, fill, serious_violations, unlabelled_fields, wait_like_a_person
from tests.e2e.helpers import post, registrations_url, stored_rows
from tests.factories import BERLIN, EVERY_QUESTION_EVENT_ID, every_question_event, submission

WARNING_PREFIX = f'Registration form for event "{DEMO_EVENT_ID}": '


@pytest.fixture(scope="module")
def english_page(stack):
    """The every-question event, open, loaded into the stack; the URL of its page."""
    today = date.today()
    stack.store().event_rows.save(
        [
            every_question_event(
                starts_at=f"{today + timedelta(days=40)}T10:00:00",
                ends_at=f"{today + timedelta(days=40)}T17:00:00",
                registration_deadline=str(today + timedelta(days=30)),
                organisers=[{"name": "Demo Organisation", "email": "organisation@example.org"}],
                allowed_origins=[stack.page_url],
                form_url=f"{stack.page_url}/{EVERY_QUESTION_EVENT_ID}/",
            )
        ]
    )
    return f"{stack.page_url}/{EVERY_QUESTION_EVENT_ID}/"


def fill_everything(page, email):
    page.fill("#given_name", "Ama")
    page.fill("#family_name", "Mensah")
    page.fill("#email", email)
    page.fill("#dietary", "vegetarian")
    page.fill("#expectations", "Partners for our town twinning\nand a few good ideas")
    page.check("#workshop-2")
    page.select_option("#country", "Ghana")
    page.check("#topics-1")
    page.check("#topics-3")
    page.check("#photos")
    page.check("#consent")


def stored(stack, email):
    return [i for i in stored_rows(stack, EVERY_QUESTION_EVENT_ID) if i["email"] == email]


def assert_every_answer_stored(stack, email):
    [item] = stored(stack, email)
    assert item["status"] == "confirmed"
    assert item["dietary"] == "vegetarian"
    assert item["expectations"] == "Partners for our town twinning\nand a few good ideas"
    assert item["workshop"] == "Afternoon"
    assert item["country"] == "Ghana"
    assert item["topics"] == ["Climate", "Trade"]
    assert item["photos"] is True
    assert item["lang"] == "en"
    assert item["consent_version"] == "2026-01"


def test_with_javascript_every_kind_of_question_is_posted_and_stored(stack, page, english_page):
    email = address()
    page.goto(english_page)
    page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
    assert "Register by " in page.inner_text("#event-status")
    fill_everything(page, email)
    wait_like_a_person(page)
    page.click("#submit")
    page.wait_for_selector("#form-status.success")
    assert page.url == english_page  # answered in place
    assert "Your registration has been received." in page.inner_text("[role=alert]")
    assert_every_answer_stored(stack, email)


def test_without_javascript_every_kind_of_question_is_posted_and_stored(stack, page_without_javascript, english_page):
    page = page_without_javascript
    email = address()
    page.goto(english_page)
    fill_everything(page, email)
    page.click("#submit")
    page.wait_for_load_state()
    assert page.url.startswith(f"{stack.api_url}/events/{EVERY_QUESTION_EVENT_ID}/registrations")
    assert "Your registration has been received." in page.inner_text("h1")
    assert_every_answer_stored(stack, email)


def test_refused_questions_are_marked_where_they_are(stack, page, english_page):
    email = address()
    page.goto(english_page)
    page.fill("#given_name", "Ama")
    page.fill("#family_name", "Mensah")
    page.fill("#email", email)
    page.check("#consent")
    wait_like_a_person(page)
    page.click("#submit")
    page.wait_for_selector("#form-status.error")
    for inputs, message in (
        (["workshop-1", "workshop-2"], "Workshop: Please fill this in."),
        (["topics-1", "topics-2", "topics-3"], "Topics of interest: Please fill this in."),
        (["photos"], "I agree to appear in photos of the day: Please fill this in."),
    ):
        for input_id in inputs:
            assert page.get_attribute(f"#{input_id}", "aria-invalid") == "true"
            note = page.get_attribute(f"#{input_id}", "aria-describedby")
            assert page.inner_text(f"#{note}") == message
        assert page.get_attribute(f"[role=alert] a:text-is('{message}')", "href") == f"#{inputs[0]}"
    # A group's note is inside its fieldset, under the choices it is about.
    assert page.evaluate("document.getElementById('workshop-error').closest('fieldset.group') !== null")
    assert page.evaluate("document.activeElement.id") == "workshop-1"  # the first refused field
    assert serious_violations(page) == []
    page.check("#workshop-1")
    page.check("#topics-2")
    page.check("#photos")
    page.click("#submit")
    page.wait_for_selector("#form-status.success")
    assert page.query_selector("[aria-invalid]") is None
    assert stored(stack, email)[0]["topics"] == ["Migration"]


def test_the_generated_page_passes_an_automated_accessibility_check(page, english_page):
    page.goto(english_page)
    page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
    assert serious_violations(page) == []
    assert unlabelled_fields(page) == []


def console_warnings(page, url):
    """The script's console warnings once it has read the event."""
    warnings = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.goto(url)
    page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
    return [w for w in warnings if w.startswith(WARNING_PREFIX)]


def test_the_generated_page_draws_no_warning(stack, page):
    assert console_warnings(page, f"{stack.page_url}/") == []


def test_the_script_warns_when_a_page_adapted_by_hand_drifts_from_the_event(stack, page):
    """A required question left out, a field renamed, a choice mistyped: each refuses registrations."""
    # The served page is edited once parsed and before its deferred script runs, as an organiser
    # would edit the file. (Not by answering the request with an edited copy: Chromium gives such
    # a document no loopback address, and then refuses its requests to the API on 127.0.0.1.)
    page.add_init_script("""
        document.addEventListener("readystatechange", () => {
            if (document.readyState !== "interactive") return;
            document.querySelector('label[for="organisation_type"]').remove();
            document.getElementById("organisation_type").remove();
            document.getElementById("role").name = "rolle";
            document.querySelector('#department option[value="Umwelt"]').value = "Umweltschutz";
        });
    """)
    warnings = console_warnings(page, f"{stack.page_url}/")
    assert sorted(w.removeprefix(WARNING_PREFIX) for w in warnings) == sorted(
        [
            '"Umweltschutz" is not one of the choices of "department" (Integration, Internationales, '
            "Städtepartnerschaften, Lokale Agenda 21, Umwelt, Anderer Fachbereich); choosing it is refused "
            "(invalid_choice).",
            'the form has no field "organisation_type", which the event requires; every registration will be '
            "refused (required).",
            'the form has a field "rolle" the event does not know; every registration that sends it will be '
            "refused (unknown_field).",
        ]
    )


def demo_copy(stack, prefix, **changes):
    """The demo event under a new id with `changes`, stored; its id."""
    event_id = f"{prefix}-{uuid.uuid4().hex[:8]}"
    demo = stack.store().event_rows.find(DEMO_EVENT_ID).event
    stack.store().event_rows.save([demo.model_copy(update={"event_id": event_id, **changes})])
    return event_id


def test_a_page_opened_before_registration_opens_says_when_and_unlocks_itself(stack, page):
    # Seconds ahead, in the event's zone: long enough for the page to load before it.
    opens = (datetime.now(BERLIN) + timedelta(seconds=10)).replace(tzinfo=None, microsecond=0)
    event_id = demo_copy(stack, "opens-soon", registration_opens_at=opens)
    page.goto(f"{stack.page_url}/{event_id}/")
    page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
    status = page.inner_text("#event-status")
    assert status.startswith("Die Anmeldung zu dieser Veranstaltung ist noch nicht geöffnet. Sie öffnet am ")
    assert re.search(rf"{opens:%H:%M} (MEZ|MESZ)\. Kommen Sie dann wieder", status)  # the event's zone, named
    assert "geschlossen" not in status
    assert page.evaluate("document.getElementById('fields').disabled") is True
    assert page.is_disabled("#submit")
    page.wait_for_function("document.getElementById('fields').disabled === false", timeout=45000)
    assert page.inner_text("#event-status").startswith("Anmeldung bis ")
    assert page.is_enabled("#submit")


def test_the_page_of_a_fully_booked_event_says_so(stack, page):
    event_id = demo_copy(stack, "full", capacity=1, waitlist=False)
    body = json.dumps(submission(email=address())).encode()
    assert post(registrations_url(stack, event_id), body, "application/json")[0] == 201  # the one seat
    page.goto(f"{stack.page_url}/{event_id}/")
    page.wait_for_function("document.getElementById('fields').disabled === true")
    assert page.inner_text("#event-status") == "Die Veranstaltung ist leider ausgebucht."
    assert page.is_disabled("#submit")


def test_after_a_registration_the_page_shows_the_seats_left_now(stack, page):
    event_id = demo_copy(stack, "seats", capacity=3)
    page.goto(f"{stack.page_url}/{event_id}/")
    page.wait_for_function("document.getElementById('event-status').textContent.indexOf('Plätze frei') > 0")
    assert "Noch 3 Plätze frei." in page.inner_text("#event-status")
    fill(page, address())
    wait_like_a_person(page)
    page.click("#submit")
    page.wait_for_selector("#form-status.success")
    page.wait_for_function("document.getElementById('event-status').textContent.indexOf('Noch 2 Plätze') > 0")


def test_a_page_whose_origin_the_event_does_not_allow_says_so_not_check_your_connection(stack, page):
    event_id = demo_copy(stack, "elsewhere", allowed_origins=["https://www.example.org"])
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{stack.page_url}/{event_id}/")
    fill(page, address())
    wait_like_a_person(page)
    page.click("#submit")
    page.wait_for_selector("#form-status.error")
    page.wait_for_function("document.getElementById('form-status').textContent.indexOf('freigeschaltet') > 0")
    assert "Internetverbindung" not in page.inner_text("#form-status")
    assert [e for e in errors if "allowed_origins" in e and stack.page_url in e]
