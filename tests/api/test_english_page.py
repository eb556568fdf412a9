"""`cli page --language en` end to end: a German event's page made in English, filled in
and sent as its script sends it, answered, stored and mailed in English."""

from __future__ import annotations

import pytest

from chalicelib.cli import main
from tests.api.conftest import mails_to, organiser_mails, registration_items, reload_events, text_of
from tests.factories import BILINGUAL_EVENT_ID, bilingual_event, event
from tests.unit.test_page import Page, filled_in

API = "https://abc123.execute-api.eu-central-1.amazonaws.com/api/"


def english_page(capsys) -> Page:
    capsys.readouterr()
    assert main(["page", BILINGUAL_EVENT_ID, "--api-url", API, "--language", "en"]) == 0
    return Page(capsys.readouterr().out)


def as_the_script_sends_it(page: Page) -> dict:
    """The form's fields as register.js posts them: JSON, a tick-box group as a list."""
    fields = filled_in(page)
    groups = {box["name"] for box in page.find("input", type="checkbox") if "data-multiple" in box["inside"][-2]}
    document = {name: values if name in groups else values[0] for name, values in fields.items()}
    return {**document, "given_name": "Grace", "family_name": "Mensah", "email": "grace@example.org"}


def test_an_english_page_posts_english_and_is_answered_stored_and_mailed_in_english(api, store, capsys):
    reload_events(store, bilingual_event())
    page = english_page(capsys)
    assert page.one("html")["lang"] == "en"
    assert page.one("form")["action"] == f"{API}events/{BILINGUAL_EVENT_ID}/registrations"

    answer = api.send(as_the_script_sends_it(page), event_id=BILINGUAL_EVENT_ID)
    assert answer.status == 201, answer.body
    assert answer.body["message"] == "Your registration has been received. Thank you!"
    [stored] = registration_items(store, BILINGUAL_EVENT_ID)
    assert stored["lang"] == "en"
    assert (stored["workshop"], stored["themen"]) == ("Vormittag", ["Klima", "Migration", "Handel", "Agenda 2030"])

    [confirmation] = mails_to("grace@example.org")
    assert str(confirmation["Subject"]).strip().startswith("Registration confirmed: Kommunale Partnerschaften")
    body = text_of(confirmation)
    assert body.startswith("Dear Grace Mensah,\n\nThank you for registering.")
    for line in ("Workshop: Morning", "Type of organisation: Municipality", "Topics: Climate, Migration, Trade"):
        assert line in body
    assert "The attached file (invitation.ics) adds the event to your calendar." in body
    assert [p.get_filename() for p in confirmation.iter_attachments()] == ["invitation.ics"]

    [organisers] = [m for m in organiser_mails() if m["Reply-To"] == "grace@example.org"]
    notice = text_of(organisers)  # the organisers of a German event read German, the time on its clock
    assert "Workshop: Vormittag" in notice
    assert "Eingegangen: 10.11.2016, 12:00" in notice


def test_a_language_the_event_does_not_offer_is_one_line_naming_the_option(store, capsys):
    reload_events(store, event(questions=[{"id": "verein", "label": "Verein", "type": "text"}]))
    assert main(["page", "netzwerktreffen-nrw-2016", "--api-url", API, "--language", "en"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: --language en: netzwerktreffen-nrw-2016 offers de;")
    assert "question 'verein'" in captured.err
    assert captured.err.count("\n") == 1


def test_untranslated_choices_are_named_and_the_option_is_documented(store, capsys):
    reload_events(store, bilingual_event())
    english_page(capsys)
    assert main(["page", BILINGUAL_EVENT_ID, "--api-url", API, "--language", "en"]) == 0
    err = capsys.readouterr().err
    assert "choices shown as the event spells them" in err
    assert "'Migration', 'Agenda 2030'" in err
    with pytest.raises(SystemExit):
        main(["page", "--help"])
    assert "--language {de,en}" in capsys.readouterr().out
