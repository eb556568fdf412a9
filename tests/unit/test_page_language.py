"""A page in another language the event offers (`page --language`): every label, question
and choice from the event's texts in it, values as the API checks them."""

from __future__ import annotations

import pytest

from chalicelib.model.validation import validate_submission
from chalicelib.page.languages import missing_texts, offered_languages, untranslated_choices
from chalicelib.page.render import PageError, render_page
from tests.factories import bilingual_event, event, every_question_event, seed_event
from tests.unit.test_page import API, Page, filled_in

GERMAN_PAGE_WORDS = ("Pflichtfelder", "Bitte wählen", "Anmeldung", "Datenschutz", "Uhr", "Fragen an", "Verbindlich")


def english_page(ev=None):
    files = render_page(ev or bilingual_event(), API, language="en")
    return files, Page(files["index.html"])


def options(page: Page, name: str) -> list[tuple[str, str]]:
    """(value, what the reader sees) of a choice question's radios, boxes or options."""
    boxes = page.find("input", name=name)
    if boxes:
        return [(box["value"], page.label_of(box["id"])) for box in boxes]
    listed = [o for o in page.find("option") if o["inside"][-1].get("id") == name and o["value"]]
    return [(o["value"], o["text"]) for o in listed]


def test_a_german_event_gets_an_english_page_of_every_question_type():
    files, page = english_page()
    assert page.one("html")["lang"] == "en"
    assert page.one("input", name="lang")["value"] == "en"  # posted: the answer and the mails follow it
    assert Page(files["privacy.html"]).one("html")["lang"] == "en"
    assert page.label_of("given_name") == "Given name *"
    assert page.label_of("verein") == "Association"  # text, one line
    assert page.label_of("erwartungen") == "What do you expect from the day?"  # text, a textarea
    assert page.one("textarea", id="erwartungen")["maxlength"] == "1000"
    assert options(page, "workshop") == [("Vormittag", "Morning"), ("Nachmittag", "Afternoon")]  # radios
    assert options(page, "organisation_type")[0] == ("Kommune", "Municipality")  # a select
    assert page.find("option")[0]["text"] == "Please choose"
    assert options(page, "themen") == [  # tick boxes; what has no English text reads as written
        ("Klima", "Climate"),
        ("Migration", "Migration"),
        ("Handel", "Trade"),
        ("Agenda 2030", "Agenda 2030"),
    ]
    assert page.label_of("fotos") == "Photos are fine"  # one tick box
    assert page.label_of("consent").startswith("I consent to my details being processed")
    dd = [" ".join(d["text"].split()) for d in page.find("dd")]
    assert dd[0] == "Thursday, 1 December 2016, 10:00–17:00"
    assert "Thursday, 17 November 2016" in dd
    # (The choices' values stay German: they are what the API checks and stores.)
    for german in (*GERMAN_PAGE_WORDS, "Vorname", "Themen", "Ich willige"):
        assert german not in files["index.html"] + files["privacy.html"], german


def test_the_english_page_filled_in_is_valid_and_stores_the_choices_themselves():
    ev = bilingual_event()
    valid = validate_submission(ev, filled_in(english_page(ev)[1]))
    assert set(valid.answers) == {q.id for q in ev.questions}
    assert valid.answers["workshop"] == "Vormittag"
    assert valid.answers["themen"] == ["Klima", "Migration", "Handel", "Agenda 2030"]
    assert valid.submission.lang == "en"


def test_the_default_stays_the_events_language():
    page = Page(render_page(bilingual_event(), API)["index.html"])
    assert page.one("html")["lang"] == "de"
    assert options(page, "workshop") == [("Vormittag", "Vormittag"), ("Nachmittag", "Nachmittag")]
    assert Page(render_page(bilingual_event(), API, language="de")["index.html"]).one("html")["lang"] == "de"
    assert Page(render_page(every_question_event(), API)["index.html"]).one("html")["lang"] == "en"


def test_a_language_the_event_has_no_labels_in_is_refused_naming_what_is_missing():
    plain_label = event(questions=[{"id": "verein", "label": "Verein", "type": "text"}])
    with pytest.raises(PageError) as refused:
        render_page(plain_label, API, language="en")
    message = str(refused.value)
    assert message.startswith(
        "--language en: netzwerktreffen-nrw-2016 offers de; no English text for question 'verein'"
    )
    assert '{"de": "…", "en": "…"}' in message
    english_only = every_question_event()  # `expectations` and the consent are in English only
    with pytest.raises(PageError, match=r"offers en; no German text for question 'expectations'.*consent"):
        render_page(english_only, API, language="de")


def test_which_languages_an_event_offers():
    assert offered_languages(seed_event()) == ["de", "en"]  # every label and the consent in both
    assert offered_languages(bilingual_event()) == ["de", "en"]
    assert offered_languages(every_question_event()) == ["en"]
    assert offered_languages(event(consent={"version": "1", "text": "Ich willige ein."})) == ["de"]
    assert missing_texts(event(consent={"version": "1", "text": "Ich willige ein."}), "en") == ["consent"]
    assert untranslated_choices(bilingual_event(), "en") == ["Migration", "Agenda 2030"]
    assert untranslated_choices(bilingual_event(), "de") == []
