"""The page built from the event: every field as the API checks it, texts in the event's language."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from chalicelib.model.model_errors import InvalidSubmission
from chalicelib.model.submission import STANDARD_FIELDS
from chalicelib.model.validation import validate_submission
from chalicelib.page.render import PageError, render_page
from tests.factories import event, every_question_event, seed_event

API = "https://abc123.execute-api.eu-central-1.amazonaws.com/api/"


class Page(HTMLParser):
    """The elements of a page with their attributes, and the text of labels, legends and options."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **{k: ("" if v is None else v) for k, v in attrs}, "text": ""}
        element["inside"] = [dict(e) for e in self._open]
        self.elements.append(element)
        if tag not in ("input", "meta", "link", "br"):
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def find(self, tag, **attrs):
        return [e for e in self.elements if e["tag"] == tag and all(e.get(k) == v for k, v in attrs.items())]

    def one(self, tag, **attrs):
        [element] = self.find(tag, **attrs)
        return element

    def label_of(self, element_id):
        return " ".join(self.one("label", **{"for": element_id})["text"].split())

    def controls(self):
        return [e for e in self.elements if e["tag"] in ("input", "select", "textarea") and e.get("name")]


def page_of(ev, api=API):
    return Page(render_page(ev, api)["index.html"])


def filled_in(page: Page) -> dict[str, list[str]]:
    """What a browser posts when a person fills every field: the first choice of each, every box ticked."""
    fields: dict[str, list[str]] = {}
    for control in page.controls():
        name, kind = control["name"], control.get("type", "text")
        if name == "website":
            value = ""  # the honeypot stays empty
        elif control["tag"] == "select":
            options = [o for o in page.elements if o["tag"] == "option" and o["inside"][-1].get("id") == control["id"]]
            value = next(o["value"] for o in options if o["value"])
        elif kind == "radio":
            if name in fields:
                continue  # one radio of a group is chosen
            value = control["value"]
        elif kind == "email":
            value = "lisa@example.org"
        elif kind in ("checkbox", "hidden"):
            value = control["value"]
        else:
            value = "x"
        fields.setdefault(name, []).append(value)
    return fields


def test_the_form_posts_to_the_events_registrations_whatever_the_trailing_slash():
    for api in (API, API.rstrip("/")):
        form = page_of(seed_event(), api).one("form")
        assert form["action"] == f"{API}events/netzwerktreffen-nrw-2016/registrations"
        assert form["method"] == "post"


@pytest.mark.parametrize("api", ["ftp://example.org", "example.org/api", "https://example.org/api?x=1", ""])
def test_an_api_url_that_is_no_http_address_is_refused(api):
    with pytest.raises(PageError, match="--api-url"):
        render_page(seed_event(), api)


def test_a_form_filled_in_as_a_person_would_is_valid_for_the_api():
    for ev in (seed_event(), every_question_event()):
        valid = validate_submission(ev, filled_in(page_of(ev)))
        assert set(valid.answers) == {q.id for q in ev.questions}


def test_every_field_name_on_the_page_is_one_the_api_knows():
    ev = every_question_event()
    names = {c["name"] for c in page_of(ev).controls()}
    assert names == set(STANDARD_FIELDS) | {q.id for q in ev.questions}


def test_each_kind_of_question_is_drawn_its_own_way():
    page = page_of(every_question_event())
    assert page.one("input", id="dietary").get("maxlength") == "100"  # short text: one line
    assert page.one("textarea", id="expectations")["maxlength"] == "1000"  # long text
    radios = page.find("input", name="workshop")
    assert [(r["type"], r["value"], "required" in r) for r in radios] == [
        ("radio", "Morning", True),
        ("radio", "Afternoon", True),
    ]
    assert [page.label_of(r["id"]) for r in radios] == ["Morning", "Afternoon"]
    assert " ".join(radios[0]["inside"][-2]["text"].split()).startswith("Workshop *")  # the group's legend
    country = page.one("select", name="country")
    assert "required" not in country
    options = [o["value"] for o in page.find("option") if o["inside"][-1].get("id") == "country"]
    assert options == ["", "Germany", "Ghana", "India", "Mexico", "Senegal", "Another country"]
    boxes = page.find("input", name="topics")
    assert [(b["type"], b["value"]) for b in boxes] == [("checkbox", v) for v in ("Climate", "Migration", "Trade")]
    assert "data-multiple" in boxes[0]["inside"][-2]  # a list even if one box is ticked
    photos = page.one("input", name="photos")
    assert (photos["type"], photos["value"], "required" in photos) == ("checkbox", "on", True)
    assert page.label_of("photos") == "I agree to appear in photos of the day *"


def test_an_optional_choice_is_a_select_even_with_few_choices():
    ev = every_question_event(
        questions=[{"id": "meal", "label": "Meal", "type": "choice", "choices": ["Vegan", "Vegetarian"]}]
    )
    page = page_of(ev)
    assert page.find("input", name="meal") == []
    assert page.one("select", name="meal")


def test_required_fields_are_marked_and_optional_ones_are_not():
    page = page_of(every_question_event())
    for control in page.controls():
        if control.get("type") in ("hidden", "radio") or control["name"] in ("topics", "website"):
            continue
        label = page.label_of(control["id"])
        assert label.endswith(" *") == ("required" in control), control["name"]
    assert page.label_of("given_name") == "Given name *"
    assert page.label_of("organisation") == "Organisation"


@pytest.mark.parametrize("name", ["given_name", "family_name", "email", "organisation", "role", "phone", "message"])
def test_the_maxlength_of_a_standard_field_is_the_apis_limit(name):
    page = page_of(seed_event())
    limit = int(page.one("textarea" if name == "message" else "input", name=name)["maxlength"])
    fields = filled_in(page)
    at_limit = "a" * (limit - len("@example.org")) + "@example.org" if name == "email" else "a" * limit
    validate_submission(seed_event(), {**fields, name: [at_limit]})
    with pytest.raises(InvalidSubmission) as refused:
        validate_submission(seed_event(), {**fields, name: ["a" + at_limit]})
    assert {(e.field, e.code) for e in refused.value.errors} <= {(name, "too_long"), (name, "invalid_email")}


def test_the_honeypot_and_the_time_trap_are_there():
    page = page_of(seed_event())
    honeypot = page.one("input", name="website")
    assert honeypot["tabindex"] == "-1"
    holder = honeypot["inside"][-1]
    assert holder["aria-hidden"] == "true"
    # Off screen even where the page's stylesheet is not copied along (a CMS).
    assert "left: -10000px" in holder["style"]
    time_trap = page.one("input", name="form_started_at")
    assert (time_trap["type"], time_trap["value"]) == ("hidden", "")  # register.js sets it
    assert page.one("input", name="lang")["value"] == "de"


def test_the_consent_sentence_and_its_version_are_shown():
    html = render_page(seed_event(), API)["index.html"]
    page = Page(html)
    consent = page.one("input", name="consent")
    assert (consent["type"], consent["value"], "required" in consent) == ("checkbox", "on", True)
    assert page.label_of("consent").startswith("Ich willige ein, dass meine Angaben")
    assert "Fassung der Einwilligungserklärung: 2016-11-01." in html
    assert page.one("a", href="privacy.html")["text"] == "Datenschutzhinweise lesen"


def test_title_date_place_and_contact_come_from_the_event():
    ev = event(
        event_id="treffen-2026",
        starts_at="2026-12-03T09:30:00",
        ends_at="2026-12-03T16:00:00",
        registration_deadline="2026-11-20T12:00:00",
        location="Stadthalle Bonn",
        capacity=40,
        waitlist=True,
        organisers=[
            {"name": "Ana Lima", "email": "ana@example.org", "phone": "+49 228 123-45"},
            {"name": "Ben Ott", "email": "ben@example.org"},
        ],
    )
    html = render_page(ev, API)["index.html"]
    page = Page(html)
    details = [" ".join(e["text"].split()) for e in page.elements if e["tag"] in ("dt", "dd")]
    assert details == [
        "Wann",
        "Donnerstag, 3. Dezember 2026, 09:30–16:00 Uhr",
        "Wo",
        "Stadthalle Bonn",
        "Anmeldeschluss",
        "Freitag, 20. November 2026, 12:00 Uhr",
        "Plätze",
        "40, danach Warteliste",
        "Fragen an",
        "Ana Lima, ana@example.org, Telefon +49 228 123-45",
        "Ben Ott, ben@example.org",
    ]
    assert page.one("a", href="tel:+4922812345")
    assert "2016" not in html.replace("2016-11-01", "")  # only the consent's version is from 2016
    assert page.one("h1")["text"] == ev.title


def test_an_event_over_several_days_says_from_when_to_when():
    ev = every_question_event(starts_at="2026-06-05T14:00:00", ends_at="2026-06-06T13:00:00")
    page = page_of(ev)
    assert page.find("dd")[0]["text"] == "Friday, 5 June 2026, 14:00 to Saturday, 6 June 2026, 13:00"


def test_an_english_event_gets_an_english_page():
    files = render_page(every_question_event(), API)
    page = Page(files["index.html"])
    assert page.one("html")["lang"] == "en"
    assert page.one("input", name="lang")["value"] == "en"
    assert "Fields marked * are required." in files["index.html"]
    assert page.one("button", id="submit")["text"] == "Register"
    assert page.label_of("consent") == "I consent to my details being processed to organise this event. *"
    for german in ("Pflichtfelder", "Bitte wählen", "Anmeldung", "Datenschutz", "Uhr", "Fragen"):
        assert german not in files["index.html"] + files["privacy.html"]
    assert Page(files["privacy.html"]).one("html")["lang"] == "en"


def test_every_value_from_the_event_file_is_escaped():
    hostile = '<script>alert("x")</script> & "quoted"'
    ev = every_question_event(
        title=hostile,
        location=hostile,
        questions=[
            {"id": "pick", "label": hostile, "type": "choice", "required": True, "choices": [hostile, "b"]},
            {"id": "note", "label": {"en": hostile}, "type": "text"},
        ],
        consent={"version": 'v"1<', "text": hostile},
    )
    html = render_page(ev, API)["index.html"]
    assert "<script>alert" not in html
    page = Page(html)
    assert page.one("h1")["text"] == hostile
    assert page.find("input", name="pick")[0]["value"] == hostile  # the attribute value round-trips
    assert len(page.find("script")) == 1  # only register.js


def test_the_privacy_notice_says_the_events_retention():
    assert (
        "Wir löschen Ihre Angaben 30 Tage nach der Veranstaltung."
        in render_page(event(retention_days=30), API)["privacy.html"]
    )
    assert "one day after the event" in render_page(every_question_event(retention_days=1), API)["privacy.html"]


def test_the_script_knows_the_apis_standard_and_required_fields():
    script = render_page(seed_event(), API)["register.js"]
    standard = json.loads(re.search(r"var STANDARD_FIELDS = (\[.*?\]);", script).group(1))
    required = json.loads(re.search(r"var REQUIRED_FIELDS = (\[.*?\]);", script).group(1))
    assert standard == list(STANDARD_FIELDS)
    assert required == ["given_name", "family_name", "email", "consent"]
    # The script is the same for every event: a CMS page may share one copy.
    assert render_page(every_question_event(), "http://other")["register.js"] == script


def test_the_date_is_the_events_own():
    """The old demo page said "1. Dezember 2016" above a deadline in 2026."""
    from devstack.demo_event import demo_event

    demo = demo_event(seed_event(), date(2026, 3, 2), "http://127.0.0.1:8080")
    html = render_page(demo, "http://127.0.0.1:8000")["index.html"]
    assert "Mittwoch, 1. April 2026, 10:00–17:00 Uhr" in html
    assert "Montag, 23. März 2026" in html  # the deadline
    assert "Dezember 2016" not in html


def test_the_script_sends_again_when_the_service_is_busy_and_says_so_in_both_languages():
    script = render_page(seed_event(), API)["register.js"]
    assert "Einen Moment bitte – wir senden Ihre Anmeldung gleich noch einmal." in script
    assert "One moment please – we are sending your registration again." in script
    # At most three times, never waiting longer than 30 s (tests/browser/test_resend.py drives it).
    assert "var MAX_RESENDS = 3;" in script
    assert "var MAX_WAIT_SECONDS = 30;" in script


def test_the_script_says_why_nobody_can_register_in_the_apis_words_in_both_languages():
    from typing import get_args

    from chalicelib.api.response_shapes import EventView
    from chalicelib.texts import text

    script = render_page(seed_event(), API)["register.js"]
    refusals = json.loads(re.search(r"var REFUSALS = (\{.*\})\[language\]", script).group(1))
    codes = get_args(get_args(EventView.model_fields["refused_with"].annotation)[0])  # the API's, so no drift
    assert refusals == {lang: {code: text(lang, f"error.{code}") for code in codes} for lang in ("de", "en")}
    assert refusals["de"]["registration_not_open"] == "Die Anmeldung zu dieser Veranstaltung ist noch nicht geöffnet."
    assert refusals["de"]["event_full"] == "Die Veranstaltung ist leider ausgebucht."
    assert refusals["en"]["registration_closed"] == "Registration for this event is closed."
    # Not open yet: when it opens, and that the form unlocks by itself then.
    assert '" Sie öffnet am " + when + ". Kommen Sie dann wieder' in script
    assert "Das Formular wird dann von selbst freigeschaltet." in script
    assert '" It opens on " + when + ". Come back then' in script
    assert "the form unlocks by itself." in script
