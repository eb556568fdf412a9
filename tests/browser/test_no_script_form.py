"""Without JavaScript, in Chromium against the local stack: a refused form comes back
from the API with every entry kept and each error at its field; fixed and sent again, it is
registered, and the answer names the event and the address the confirmation goes to."""

from __future__ import annotations

from tests.browser.test_form_page import address, serious_violations, unlabelled_fields
from tests.browser.test_generated_page import assert_every_answer_stored, english_page  # noqa: F401
from tests.factories import EVERY_QUESTION_EVENT_ID, every_question_event
from tests.unit.test_answer_pages import answer_pages

EXPECTATIONS = "Partners for our town twinning\nand a few good ideas"


def note_at(page, selector):
    """The text of the error note the field `selector` points to."""
    assert page.get_attribute(selector, "aria-invalid") == "true"
    return page.inner_text(f"#{page.get_attribute(selector, 'aria-describedby')}")


def test_a_refused_form_keeps_the_entries_marks_the_fields_and_is_sent_again(
    stack,
    page_without_javascript,
    english_page,  # noqa: F811 (the fixture, imported above)
):
    page = page_without_javascript
    email = address()
    page.goto(english_page)
    # Everything but a workshop and the photos, and the address mistyped.
    page.fill("#given_name", "Ama")
    page.fill("#family_name", "Mensah")
    page.fill("#email", email.replace("@", " at "))
    page.fill("#dietary", "vegetarian")
    page.fill("#expectations", EXPECTATIONS)
    page.select_option("#country", "Ghana")
    page.check("#topics-1")
    page.check("#topics-3")
    page.check("#consent")
    page.click("#submit")
    page.wait_for_load_state()
    assert page.url.startswith(f"{stack.api_url}/events/{EVERY_QUESTION_EVENT_ID}/registrations")
    assert page.inner_text("h1") == "Please check your entries."
    # What was typed is still there ...
    assert page.input_value("#given_name") == "Ama"
    assert page.input_value("#family_name") == "Mensah"
    assert page.input_value("#email") == email.replace("@", " at ")
    assert page.input_value("#dietary") == "vegetarian"
    assert page.input_value("#expectations") == EXPECTATIONS
    assert page.input_value("#country") == "Ghana"
    assert [page.is_checked(f"#topics-{n}") for n in (1, 2, 3)] == [True, False, True]
    assert page.is_checked("#consent")
    assert not page.is_checked("#photos")
    # ... and each error is at its field.
    assert note_at(page, "#email") == "E-mail: Not a valid e-mail address."
    assert note_at(page, "#workshop-1") == note_at(page, "#workshop-2") == "Workshop: Please fill this in."
    assert note_at(page, "#photos") == "I agree to appear in photos of the day: Please fill this in."
    assert page.locator("fieldset.group #workshop-error").count() == 1  # inside the question's group
    assert f"Registration for: {every_question_event().title}" in page.inner_text("main")
    page.fill("#email", email)
    page.check("#workshop-2")
    page.check("#photos")
    page.click("#submit")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Your registration has been received. Thank you!"
    assert f"A confirmation is on its way to {email}." in page.inner_text("main")
    assert_every_answer_stored(stack, email)


def test_the_form_again_passes_an_automated_accessibility_check(page):
    """axe needs JavaScript: the answer page is read into a page that has it."""
    page.set_content(answer_pages()["invalid"])
    assert serious_violations(page) == []
    assert unlabelled_fields(page) == []
