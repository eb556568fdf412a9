"""The example form page in a real browser, with and without JavaScript, against the local stack."""

from __future__ import annotations

import json
import time
import uuid

from axe_playwright_python.sync_playwright import Axe

from devstack.demo_event import DEMO_EVENT_ID
from tests.e2e.helpers import mails_to_organiser_about, stored_rows

SERIOUS = ("serious", "critical")


def fill(page, address, **values):
    page.fill("#given_name", values.get("given_name", "Jürgen"))
    page.fill("#family_name", values.get("family_name", "Nguyễn"))
    page.fill("#email", address)
    page.fill("#organisation", "Stadt Dinslaken")
    page.select_option("#organisation_type", "Kommune")
    page.select_option("#department", "Integration")
    page.check("#consent")


def wait_like_a_person(page, seconds=3.2):
    """The demo event wants at least 3 s between loading the form and sending it."""
    started = int(page.input_value("input[name=form_started_at]"))
    remaining = started / 1000 + seconds - time.time()
    if remaining > 0:
        page.wait_for_timeout(remaining * 1000)


def address():
    return f"browser-{uuid.uuid4().hex[:10]}@example.org"


def stored(stack, email):
    return [i for i in stored_rows(stack, DEMO_EVENT_ID) if i["email"] == email]


def serious_violations(page):
    results = Axe().run(page)
    return [(v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in SERIOUS]


def unlabelled_fields(page):
    """The names of the visible inputs no label names."""
    return page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => !e.closest('[aria-hidden=true]'))
             .filter(e => !document.querySelector('label[for="' + e.id + '"]'))
             .map(e => e.name)"""
    )


# --- without JavaScript ---------------------------------------------------------------------------


def test_without_javascript_the_form_posts_and_lands_on_the_success_page(stack, page_without_javascript):
    page = page_without_javascript
    email = address()
    page.goto(f"{stack.page_url}/")
    fill(page, email)
    page.click("#submit")
    page.wait_for_load_state()
    assert page.url.startswith(f"{stack.api_url}/events/{DEMO_EVENT_ID}/registrations")
    assert "Ihre Anmeldung ist eingegangen" in page.inner_text("h1")
    assert stored(stack, email)[0]["given_name"] == "Jürgen"
    mails = mails_to_organiser_about(stack, email)
    assert [m["subject"] for m in mails] == [mails[0]["subject"]]
    assert "Jürgen Nguyễn" in mails[0]["subject"]


def test_without_javascript_a_refused_form_comes_back_filled_in_with_a_link_back(stack, page_without_javascript):
    page = page_without_javascript
    page.goto(f"{stack.page_url}/")
    page.fill("#given_name", "Jürgen")
    page.fill("#email", "kein-at-zeichen")
    page.click("#submit")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "Bitte prüfen Sie Ihre Angaben." in text
    assert "Nachname: Bitte ausfüllen." in text
    assert "E-Mail: Keine gültige E-Mail-Adresse." in text
    # The form is back with what was typed (tests/browser/test_no_script_form.py goes on from here).
    assert page.input_value("#given_name") == "Jürgen"
    assert page.input_value("#email") == "kein-at-zeichen"
    page.click("text=Zurück zum Formular")
    page.wait_for_load_state()
    assert page.url.rstrip("/") == stack.page_url


# --- with JavaScript ------------------------------------------------------------------------------


def test_with_javascript_the_outcome_shows_in_place_and_the_organiser_is_mailed(stack, page):
    email = address()
    page.goto(f"{stack.page_url}/")
    page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
    assert "Anmeldung bis " in page.inner_text("#event-status")
    assert "(Ihre Ortszeit)" in page.inner_text("#event-status")
    fill(page, email)
    wait_like_a_person(page)
    page.click("#submit")
    page.wait_for_selector("#form-status.success")
    assert page.url.rstrip("/") == stack.page_url  # no navigation
    assert "Ihre Anmeldung ist eingegangen" in page.inner_text("[role=alert]")
    assert page.is_hidden("#registration")
    assert len(stored(stack, email)) == 1
    assert mails_to_organiser_about(stack, email)


def test_a_server_side_field_error_is_shown_at_the_field(stack, page):
    page.goto(f"{stack.page_url}/")
    fill(page, "kein-at-zeichen")
    page.fill("#given_name", "")
    wait_like_a_person(page)
    page.click("#submit")
    page.wait_for_selector("#form-status.error")
    for field, message in (
        ("email", "E-Mail: Keine gültige E-Mail-Adresse."),
        ("given_name", "Vorname: Bitte ausfüllen."),
    ):
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
        described_by = page.get_attribute(f"#{field}", "aria-describedby")
        assert page.inner_text(f"#{described_by}") == message
        assert message in page.inner_text("[role=alert]")
    assert page.evaluate("document.activeElement.id") == "given_name"  # the first refused field
    # The summary lists them in the order of the form, under one request to check (not "Bitte … Bitte").
    summary = page.inner_text("[role=alert]")
    assert summary.index("Vorname:") < summary.index("E-Mail:")
    assert summary.split("\n")[0].count("Bitte") == 1
    assert serious_violations(page) == []
    # Fixing and sending again clears the marks.
    page.fill("#given_name", "Lisa")
    page.fill("#email", address())
    page.click("#submit")
    page.wait_for_selector("#form-status.success")
    assert page.query_selector("[aria-invalid]") is None


def test_a_quick_person_is_asked_for_a_moment_and_the_page_sends_again_by_itself(stack, page):
    email = address()
    page.goto(f"{stack.page_url}/")
    fill(page, email)
    # As if the page had just loaded: independent of how fast this machine filled the form.
    page.evaluate("document.querySelector('input[name=form_started_at]').value = String(Date.now())")
    page.click("#submit")
    page.wait_for_function("document.getElementById('form-status').textContent.indexOf('Einen Moment bitte') === 0")
    assert stored(stack, email) == []  # the 429 came back after the decision: nothing was written
    # The same form again, 2 s later (still too quick) and 4 s after that: nobody clicks twice.
    page.wait_for_selector("#form-status.success", timeout=15000)
    assert [row["status"] for row in stored(stack, email)] == ["confirmed"]


def test_the_page_of_a_closed_event_disables_itself(stack, page):
    closed = (
        stack.store()
        .event_rows.find(DEMO_EVENT_ID)
        .event.model_copy(update={"event_id": "closed-demo", "closed": True})
    )
    stack.store().event_rows.save([closed])
    page.goto(f"{stack.page_url}/closed-demo/")
    page.wait_for_function("document.getElementById('fields').disabled === true")
    assert "Die Anmeldung zu dieser Veranstaltung ist geschlossen." in page.inner_text("#event-status")
    assert page.is_disabled("#submit")


def test_the_page_passes_an_automated_accessibility_check(stack, page):
    page.goto(f"{stack.page_url}/")
    page.wait_for_function("document.getElementById('event-status').textContent.length > 0")
    assert serious_violations(page) == []
    labels = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => !e.closest('[aria-hidden=true]'))
             .map(e => [e.id, !!document.querySelector('label[for="' + e.id + '"]')])"""
    )
    assert len(labels) >= 10
    assert [field for field, has_label in labels if not has_label] == []


def test_the_honeypot_is_out_of_reach_for_keyboards_and_screen_readers(stack, page):
    page.goto(f"{stack.page_url}/")
    focused = []
    for _ in range(20):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
    assert "website" not in focused
    assert page.get_attribute(".hp", "aria-hidden") == "true"


def test_radio_buttons_and_groups_of_tick_boxes_post_what_is_chosen(stack, page):
    """An organiser adapting the page may use radios or tick boxes for questions."""
    posted = []

    def capture(route):
        posted.append(json.loads(route.request.post_data))
        route.fulfill(
            status=201,
            content_type="application/json",
            body=json.dumps({"registration_id": "x", "event_id": "e", "status": "confirmed", "message": "ok"}),
        )

    page.route(f"{stack.api_url}/events/{DEMO_EVENT_ID}/registrations", capture)
    page.goto(f"{stack.page_url}/")
    page.evaluate("""() => {
        const fields = document.getElementById('fields');
        const add = (html) => fields.insertAdjacentHTML('beforeend', html);
        add('<input type=radio name=kind value=Kommune id=k1><label for=k1>Kommune</label>');
        add('<input type=radio name=kind value=Andere id=k2><label for=k2>Andere</label>');
        for (const t of ['A', 'B', 'C']) {
            add(`<input type=checkbox name=topics value=${t} id=t${t}><label for=t${t}>${t}</label>`);
        }
        add('<input type=checkbox name=vegetarian value=on id=veg><label for=veg>veg</label>');
    }""")
    fill(page, address())
    page.check("#k1")
    page.check("#tA")
    page.check("#tC")
    page.click("#submit")
    page.wait_for_selector("#form-status.success")
    [document] = posted
    assert document["kind"] == "Kommune"
    assert document["topics"] == ["A", "C"]
    assert document["vegetarian"] is False
    assert document["consent"] is True
