"""What a page without JavaScript is answered: a refusal it can fix brings the form
back with the person's entries and each error beside its field, in the person's language and
with the generated page's labels; the success page names the event and the address the
confirmation goes to. Every value sent comes back escaped."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from chalicelib.page.render import render_page
from tests.api.conftest import registration_items, reload_events
from tests.factories import EVERY_QUESTION_EVENT_ID, SEED_EVENT_ID, event, every_question_event, seed_event
from tests.form_reader import Page

FORM = "application/x-www-form-urlencoded"
SEED_TITLE = seed_event().title
# A German person's entries on the shipped event's page, as its form sends them (no JavaScript:
# `form_started_at` stays empty); the address is mistyped and the family name left out.
ENTRIES = [
    ("given_name", "Jürgen"),
    ("family_name", ""),
    ("email", "kein-at-zeichen"),
    ("organisation", "Stadt Dinslaken"),
    ("role", ""),
    ("phone", "0203 123"),
    ("organisation_type", "Kommune"),
    ("department", "Umwelt"),
    ("message", "Zwei Zeilen\nund ein Gruß"),
    ("website", ""),
    ("form_started_at", ""),
    ("lang", "de"),
    ("consent", "on"),
]


def post_form(client, pairs, event_id=SEED_EVENT_ID, **headers):
    response = client.http.post(
        f"/events/{event_id}/registrations",
        headers={"Content-Type": FORM, "Accept": "text/html,*/*;q=0.8", **headers},
        body=urlencode(pairs).encode(),
    )
    assert response.headers["Content-Type"].startswith("text/html")
    return response.status_code, Page(response.body.decode())


def changed(pairs, **values):
    return [(name, values.pop(name) if name in values else value) for name, value in pairs] + list(values.items())


def note_of(page, name):
    """The error note a field's inputs point to; it must follow the input (or close its group)."""
    inputs = page.controls(name)
    [note_id] = {i.get("aria-describedby") for i in inputs}
    assert all(i.get("aria-invalid") == "true" for i in inputs)
    return page.by_id(note_id)


def test_a_refused_form_comes_back_filled_in_with_each_error_beside_its_field(client):
    status, page = post_form(client, ENTRIES)
    assert status == 422
    assert page.texts("h1") == ["Bitte prüfen Sie Ihre Angaben."]
    for name, value in ENTRIES:
        if name not in ("consent", "lang", "organisation_type", "department"):
            assert page.value(name) == value, name
    assert page.value("organisation_type") == "Kommune"
    assert page.value("department") == "Umwelt"
    assert page.value("consent") == ["on"]
    for name, message in (
        ("family_name", "Nachname: Bitte ausfüllen."),
        ("email", "E-Mail: Keine gültige E-Mail-Adresse."),
    ):
        note = note_of(page, name)
        assert " ".join(note.text.split()) == message
        assert "field-error" in note.get("class")
        assert page.after(page.controls(name)[0]) is note  # beside its field, not only in a list
    # The list above the form links each error to its field.
    links = [(a.get("href"), a.text) for a in page.tags("a") if a.get("href", "").startswith("#")]
    assert links == [
        ("#family_name", "Nachname: Bitte ausfüllen."),
        ("#email", "E-Mail: Keine gültige E-Mail-Adresse."),
    ]
    assert page.controls("given_name")[0].get("aria-invalid") is None
    assert f"Anmeldung zu: {SEED_TITLE}" in page.texts("p")
    assert "Zurück zum Formular" in page.texts("a")


def test_the_form_posts_back_to_the_api_with_its_hidden_fields(client):
    _, page = post_form(client, changed(ENTRIES, form_started_at="1478779000000"))
    [form] = page.tags("form")
    assert form.get("method") == "post"
    assert "action" not in form.attrs  # the page's own URL: the registration endpoint it was posted to
    sent = dict(page.submitted())
    assert sent["form_started_at"] == "1478779000000"  # the time trap keeps measuring from the first load
    assert sent["lang"] == "de"
    assert sent["website"] == ""  # the honeypot, still off screen and out of reach
    [trap] = [n for n in page.tags("div") if n.get("class") == "hp"]
    assert trap.get("aria-hidden") == "true"
    assert page.by_id("website") in trap.children
    assert page.by_id("website").get("tabindex") == "-1"


@pytest.mark.parametrize("consent", [True, False])
def test_the_consent_box_is_ticked_only_if_it_was(client, consent):
    pairs = [(n, v) for n, v in ENTRIES if n != "consent"] + ([("consent", "on")] if consent else [])
    _, page = post_form(client, pairs)
    assert page.value("consent") == (["on"] if consent else [])
    assert (page.controls("consent")[0].get("aria-invalid") == "true") is not consent


@pytest.mark.parametrize(
    ("ev", "language"),
    [(seed_event(), "de"), (seed_event(), "en"), (every_question_event(), "en")],
    ids=["german-event", "german-event-in-english", "every-question"],
)
def test_the_form_again_has_the_generated_pages_labels_in_the_persons_language(store, client, ev, language):
    reload_events(store, ev)
    status, page = post_form(client, [("given_name", "A"), ("lang", language)], event_id=ev.event_id)
    assert status == 422
    generated = Page(render_page(ev, "https://api.example.org/api", language=language)["index.html"])
    [form], [generated_form] = page.tags("form"), generated.tags("form")
    assert page.texts("label", "legend", inside=form) == generated.texts("label", "legend", inside=generated_form)
    names = [(n.get("name"), n.get("type"), n.get("value")) for n in page.nodes if n.get("name")]
    generated_names = [(n.get("name"), n.get("type"), n.get("value")) for n in generated.nodes if n.get("name")]
    assert [(n, t) for n, t, _ in names] == [(n, t) for n, t, _ in generated_names]
    assert page.tags("html")[0].get("lang") == language


def test_hostile_entries_come_back_as_text(client):
    hostile = {
        "given_name": '<script>alert("x")</script>',
        "family_name": "\"><img src=x onerror=alert(1)> & 'quotes'",
        "organisation": "&amp; &lt;b&gt;",
        "message": "\n</textarea><script>alert(2)</script>",
    }
    status, page = post_form(client, changed(ENTRIES, **hostile))
    assert status == 422
    assert page.tags("script") == []
    assert page.tags("img") == []
    for name, value in hostile.items():
        assert page.value(name) == value, name  # every character as typed, a first line break too
    assert "<script>" not in page.html


def test_sent_again_with_the_address_fixed_it_is_registered_with_every_answer(store, client):
    _, page = post_form(client, ENTRIES)
    fixed = changed(page.submitted(), family_name="Nguyễn", email="ana@example.org")
    status, success = post_form(client, fixed)
    assert status == 201
    assert success.texts("h1") == ["Ihre Anmeldung ist eingegangen. Vielen Dank!"]
    assert f"Anmeldung zu: {SEED_TITLE}" in success.texts("p")
    assert "Eine Bestätigung ist an ana@example.org unterwegs." in success.texts("p")
    [stored] = registration_items(store)
    assert (stored["given_name"], stored["family_name"], stored["email"]) == ("Jürgen", "Nguyễn", "ana@example.org")
    assert (stored["organisation_type"], stored["department"]) == ("Kommune", "Umwelt")
    assert stored["message"] == "Zwei Zeilen\nund ein Gruß"
    assert stored["phone"] == "0203 123"


def test_the_success_page_is_in_the_persons_language(client):
    english = changed(ENTRIES, family_name="Mensah", email="ama@example.org", lang="en")
    status, page = post_form(client, english)
    assert status == 201
    assert "A confirmation is on its way to ama@example.org." in page.texts("p")
    assert f"Registration for: {SEED_TITLE}" in page.texts("p")


def test_a_used_address_comes_back_marked_at_the_email_field(client):
    first = changed(ENTRIES, family_name="Nguyễn", email="ana@example.org")
    assert post_form(client, first)[0] == 201
    status, page = post_form(client, changed(first, given_name="Anna"))
    assert status == 409
    message = "Mit dieser E-Mail-Adresse ist bereits eine Anmeldung eingegangen."
    assert " ".join(note_of(page, "email").text.split()) == message
    assert page.value("given_name") == "Anna"
    assert page.value("email") == "ana@example.org"


def test_over_the_hourly_limit_the_form_is_kept_for_later(store, client):
    reload_events(store, event(spam_protection={"per_address_per_hour": 1}))
    assert post_form(client, changed(ENTRIES, family_name="N", email="a@example.org"))[0] == 201
    status, page = post_form(client, changed(ENTRIES, family_name="N", email="b@example.org"))
    assert status == 429
    assert page.value("email") == "b@example.org"
    assert page.value("organisation_type") == "Kommune"


def test_a_field_the_event_does_not_know_is_left_out_so_sending_again_passes(client):
    adapted = [*ENTRIES, ("colour", "blau")]  # a page adapted by hand, with a field of its own
    status, page = post_form(client, adapted)
    assert status == 422
    assert page.controls("colour") == []
    assert "colour: Dieses Feld ist unbekannt." in page.texts("li")
    again = changed(page.submitted(), family_name="Nguyễn", email="colour@example.org")
    assert post_form(client, again)[0] == 201


def test_every_kind_of_question_is_filled_in_again(store, client):
    reload_events(store, every_question_event())
    entries = [
        ("given_name", "Ama"),
        ("email", "ama@example.org"),
        ("dietary", "vegetarian"),
        ("expectations", "Partners\nand ideas"),
        ("workshop", "Afternoon"),
        ("country", "Ghana"),
        ("topics", "Climate"),
        ("topics", "Trade"),
        ("photos", "on"),
        ("lang", "en"),
    ]
    status, page = post_form(client, entries, event_id=EVERY_QUESTION_EVENT_ID)
    assert status == 422  # no family name, no consent
    assert page.value("dietary") == "vegetarian"
    assert page.value("expectations") == "Partners\nand ideas"
    assert page.value("workshop") == ["Afternoon"]
    assert page.value("country") == "Ghana"
    assert page.value("topics") == ["Climate", "Trade"]
    assert page.value("photos") == ["on"]
    assert page.value("consent") == []
    assert " ".join(note_of(page, "consent").text.split()).startswith("Consent: ")
