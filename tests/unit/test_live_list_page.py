"""The live list's page and the link at the foot of the organisers' mails, pure."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from html.parser import HTMLParser

from chalicelib.mail.list_link import event_list_url, with_list_link
from chalicelib.mail.mime import to_mime
from chalicelib.mail.notifications import organiser_bounce, organiser_notification, registrant_confirmation
from chalicelib.model.events import expiry_epoch
from chalicelib.model.links import read_list_token
from chalicelib.model.registration import Status
from chalicelib.model.validation import new_registration, validate_submission
from chalicelib.texts.live_page import live_list_page
from tests.factories import event, seed_event, seed_event_document

NOW = datetime(2016, 11, 10, 11, 0, tzinfo=UTC)
SECRET = "s" * 40
BASE = "https://api.example.org/api"
HOSTILE = "<script>alert(1)</script>"


def registration(e=None, language="de", **values):
    e = e or seed_event()
    fields = {
        "given_name": ["Ana"],
        "family_name": ["Müller & Söhne"],
        "email": ["ana@example.org"],
        "consent": ["on"],
        "organisation_type": ["Kommune"],
    }
    fields.update({k: [v] for k, v in values.items()})
    return new_registration(e, validate_submission(e, fields), NOW, language)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def tags_of(html: str) -> list[str]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


# --- the page ------------------------------------------------------------------------------------
def test_every_value_and_every_event_text_is_escaped():
    e = event(title=f"Treffen {HOSTILE}", location=HOSTILE)
    people = [registration(e, family_name=HOSTILE, message=HOSTILE, role=HOSTILE)]
    html = live_list_page(e, people, "abc.def", NOW)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "script" not in set(tags_of(html))


def test_the_page_lists_by_status_with_the_place_in_line_now():
    e = seed_event()
    ana = registration(e)
    waiting = [
        dataclasses.replace(
            registration(e, given_name=name, email=f"{name}@example.org"),
            status=Status.WAITLISTED,
            waitlist_position=position,
            waitlist_place=position,
        )
        for name, position in (("Dan", 7), ("Cem", 5))
    ]
    gone = dataclasses.replace(registration(e, given_name="Eva", email="eva@example.org"), status=Status.CANCELLED)
    html = live_list_page(e, [ana, *waiting, gone], "abc.def", NOW)
    assert html.index("Bestätigt (1)") < html.index("Warteliste (2)") < html.index("Abgesagt (1)")
    # Cem (number 5) is first in line, whatever place each was told when joining.
    assert html.index("Cem") < html.index("Dan")
    assert '<td data-label="Platz">1</td><td data-label="Name">Müller &amp; Söhne, Cem</td>' in html
    assert "10.11.2016" in html  # registered, on the event's clock


def test_a_mail_problem_is_shown_beside_the_address():
    e = seed_event()
    bounced = dataclasses.replace(registration(e), mail_problem="bounced")
    assert "ana@example.org (Adresse unzustellbar)" in live_list_page(e, [bounced], "t.s", NOW)


def test_an_english_event_gets_an_english_page():
    e = event(language="en")
    html = live_list_page(e, [registration(e)], "t.s", NOW)
    assert '<html lang="en">' in html
    assert "Confirmed (1)" in html
    assert "As a spreadsheet for Excel (CSV)" in html


def test_the_page_fits_a_phone_and_prints_without_its_links():
    html = live_list_page(seed_event(), [registration()], "t.s", NOW)
    assert 'content="width=device-width, initial-scale=1"' in html
    assert "@media screen and (max-width:48rem)" in html
    assert "@media print{nav,.private{display:none}" in html
    assert 'content="noindex, nofollow"' in html


def test_the_file_links_carry_the_token_and_nothing_else_links_away():
    html = live_list_page(seed_event(), [registration()], "a+b/c.d=", NOW)
    assert 'href="?token=a%2Bb%2Fc.d%3D&amp;format=csv"' in html
    assert 'href="?token=a%2Bb%2Fc.d%3D&amp;format=attendance"' in html
    assert html.count("href=") == 2


# --- the link in the organisers' mails -----------------------------------------------------------
def test_the_link_goes_at_the_end_of_both_parts_and_opens_the_events_list():
    e = seed_event()
    url = event_list_url(BASE, SECRET, e)
    mail = with_list_link(organiser_notification(e, registration(e)), e, url)
    assert mail.body.rstrip().endswith(url)
    assert mail.html.endswith(f'<a href="{url}">Aktuelle Liste der Anmeldungen</a></p></body></html>')
    token = url.split("token=", 1)[1]
    link = read_list_token(SECRET, token, NOW)
    assert link.event_id == e.event_id
    assert link.expires_at == expiry_epoch(e)


def test_a_mail_with_the_link_is_still_a_sound_mail():
    e = event(language="en")
    url = event_list_url(BASE, SECRET, e)
    mail = with_list_link(organiser_bounce(e, registration(e)), e, url)
    message = message_from_bytes(to_mime(mail, "anmeldung@example.org").as_bytes(), policy=default)
    assert message.defects == []
    assert all(part.defects == [] for part in message.walk())
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert url in plain
    assert "Whoever has it sees every registration" in plain
    assert set(tags_of(html)) <= {"html", "body", "p", "a", "table", "tr", "th", "td", "br"}


def test_a_mail_to_anyone_but_the_organisers_never_gets_the_link():
    e = seed_event()
    url = event_list_url(BASE, SECRET, e)
    to_registrant = registrant_confirmation(
        e, registration(e), "https://x/cancel?token=a.b", uid_domain="example.org", now=NOW, promoted=False
    )
    assert with_list_link(to_registrant, e, url) == to_registrant
    mixed = dataclasses.replace(organiser_notification(e, registration(e)), to=(*e.organiser_addresses(), "x@y.org"))
    assert with_list_link(mixed, e, url) == mixed


def test_a_choice_reads_under_its_label_in_the_events_language():
    questions = seed_event_document()["questions"]
    first = {**questions[0], "choice_labels": {"en": {"Kommune": "Municipality"}}}
    e = event(language="en", questions=[first, *questions[1:]])
    html = live_list_page(e, [registration(e)], "t.s", NOW)
    assert ">Municipality</td>" in html
