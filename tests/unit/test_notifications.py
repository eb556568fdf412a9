"""The registrant's mails, parsed back from the MIME SES receives."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import icalendar

from chalicelib.mail.mime import to_mime
from chalicelib.mail.notifications import (
    organiser_cancellation,
    organiser_notification,
    organiser_promotion,
    registrant_cancellation,
    registrant_confirmation,
    registrant_reminder,
    registrant_waitlist_notice,
)
from chalicelib.model.validation import new_registration, validate_submission
from tests.factories import event, seed_event

NOW = datetime(2016, 11, 10, 11, 0, tzinfo=UTC)
LINK = "https://api.example.org/api/cancel?token=abc.def"


def registration(e=None, language="de", **values):
    e = e or seed_event()
    fields = {
        "given_name": ["Ana <b>"],
        "family_name": ["Müller & Söhne"],
        "email": ["ana@example.org"],
        "consent": ["on"],
        "organisation_type": ["Kommune"],
        "message": ["<script>alert(1)</script>"],
    }
    fields.update({k: [v] for k, v in values.items()})
    return new_registration(e, validate_submission(e, fields), NOW, language)


def parse(mail):
    return message_from_bytes(to_mime(mail, "anmeldung@example.org").as_bytes(), policy=default)


def plain(message):
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(message):
    return message.get_body(preferencelist=("html",)).get_content()


def calendar_of(message, filename="einladung.ics"):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == filename
    assert part.get_content_charset() == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    return icalendar.Calendar.from_ical(part.get_content())


def confirmation(reg, promoted=False, e=None):
    e = e or seed_event()
    return parse(registrant_confirmation(e, reg, LINK, uid_domain="example.org", now=NOW, promoted=promoted))


def test_the_confirmation_has_text_html_the_calendar_entry_and_the_cancel_link():
    message = confirmation(registration())
    assert message["To"] == "ana@example.org"
    assert message["Reply-To"] == "pukhraj.choudhary@engagement-global.de"
    assert str(message["Subject"]).startswith("Anmeldung bestätigt: 1. regionales NRW-Netzwerktreffen")
    body = plain(message)
    assert body.startswith("Guten Tag Ana <b> Müller & Söhne,")
    for line in (
        "Wann: Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr",
        "Wo: Rathaus Dinslaken, Platz d'Agen 1, 46535 Dinslaken",
        LINK,
        "Art der Organisation: Kommune",
        "Fragen beantwortet Pukhraj Choudhary, pukhraj.choudhary@engagement-global.de, 0228/ 20 717 434.",
    ):
        assert line in body
    page = html(message)
    assert "Ana &lt;b&gt; Müller &amp; Söhne" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert f'href="{LINK}"' in page


def test_the_calendar_entry_is_in_the_events_time_zone_with_a_stable_uid():
    entry = calendar_of(confirmation(registration())).walk("VEVENT")[0]
    start, end = entry.decoded("dtstart"), entry.decoded("dtend")
    assert (start.isoformat(), end.isoformat()) == ("2016-12-01T10:00:00+01:00", "2016-12-01T17:00:00+01:00")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert str(entry["summary"]) == "1. regionales NRW-Netzwerktreffen „Migration und Entwicklung auf kommunaler Ebene“"
    assert str(entry["location"]).startswith("Rathaus Dinslaken")
    assert str(entry["uid"]) == "netzwerktreffen-nrw-2016@example.org"
    assert str(entry["organizer"]) == "mailto:pukhraj.choudhary@engagement-global.de"
    again = calendar_of(confirmation(registration(email="other@example.org"))).walk("VEVENT")[0]
    assert again["uid"] == entry["uid"]


def test_an_english_registrant_reads_english():
    body = plain(confirmation(registration(language="en")))
    assert body.startswith("Dear Ana <b> Müller & Söhne,")
    assert "When: Thursday, 1 December 2016, 10:00–17:00" in body
    assert "Type of organisation: Kommune" in body


def test_a_promotion_says_so_and_brings_the_calendar():
    message = confirmation(registration(), promoted=True)
    assert str(message["Subject"]).startswith("Ein Platz ist frei geworden:")
    assert "von der Warteliste nachgerückt" in plain(message)
    assert calendar_of(message)


def test_the_waitlist_notice_gives_the_place_and_no_calendar():
    reg = dataclasses.replace(registration(), status="waitlisted", waitlist_position=4)
    message = parse(registrant_waitlist_notice(seed_event(), reg, LINK))
    assert str(message["Subject"]).startswith("Warteliste:")
    assert "Platz 4 der Warteliste" in plain(message)
    assert LINK in plain(message)
    assert list(message.iter_attachments()) == []


def test_cancellation_mails():
    reg = registration()
    mine = parse(registrant_cancellation(seed_event(), reg))
    assert str(mine["Subject"]).startswith("Abmeldung bestätigt:")
    theirs = parse(organiser_cancellation(seed_event(), reg, None))
    assert str(theirs["Subject"]).startswith("Abmeldung: ")
    assert "hat die Anmeldung zu" in plain(theirs)
    waiting = parse(organiser_cancellation(seed_event(), reg, 2))
    assert "von Platz 2 der Warteliste" in plain(waiting)
    moved = parse(organiser_promotion(seed_event(), reg, 1))
    assert str(moved["Subject"]).startswith("Nachgerückt: ")
    assert "von Platz 1 der Warteliste nachgerückt" in plain(moved)


def test_an_event_without_an_end_time_says_from():
    e = event(ends_at=None)
    assert "Wann: Donnerstag, 1. Dezember 2016, ab 10:00 Uhr" in plain(confirmation(registration(e), e=e))


# --- English mails read as English, times as people read them ---------------------------------
def reminder(reg, e=None):
    return parse(registrant_reminder(e or seed_event(), reg, LINK, uid_domain="example.org", now=NOW))


def test_an_english_registrant_gets_an_invitation_ics_and_is_told_its_name():
    for message in (confirmation(registration(language="en")), reminder(registration(language="en"))):
        assert calendar_of(message, "invitation.ics")
        assert "The attached file (invitation.ics) adds the event to your calendar." in plain(message)
        assert "einladung" not in plain(message) + html(message)
    german = confirmation(registration())
    assert calendar_of(german, "einladung.ics")
    assert "im Anhang (einladung.ics)" in plain(german)


def test_after_dear_an_english_mail_starts_its_sentence_with_a_capital():
    reg = registration(language="en")
    waiting = dataclasses.replace(reg, status="waitlisted", waitlist_position=2, waitlist_place=2)
    for message in (
        reminder(reg),
        confirmation(reg),
        confirmation(reg, promoted=True),
        parse(registrant_waitlist_notice(seed_event(), waiting, LINK)),
    ):
        hello, opening = plain(message).split("\n\n")[:2]
        assert hello == "Dear Ana <b> Müller & Söhne,"
        assert opening[0].isupper(), opening
    assert "it will soon be time" not in plain(reminder(reg))
    assert "This is a reminder that we look forward to seeing you on Thursday, 1 December 2016" in plain(reminder(reg))
    assert plain(reminder(registration())).split("\n\n")[1].startswith("bald ist es so weit")  # German: lower case


def test_the_organiser_mail_says_when_it_arrived_on_the_events_clock():
    at = datetime(2026, 12, 4, 14, 33, 35, 292000, tzinfo=UTC)
    e = event(starts_at="2027-01-20T10:00:00", ends_at=None, registration_deadline="2027-01-10")
    fields = {"given_name": ["Ana"], "family_name": ["Müller"], "email": ["ana@example.org"], "consent": ["on"]}
    fields["organisation_type"] = ["Kommune"]
    reg = new_registration(e, validate_submission(e, fields), at, "en")
    body = plain(parse(organiser_notification(e, reg)))
    assert "Eingegangen: 04.12.2026, 15:33" in body
    assert "2026-12-04T" not in body
    english = e.model_copy(update={"language": "en"})
    assert "Received: 4 Dec 2026, 15:33" in plain(parse(organiser_notification(english, reg)))
    summer = dataclasses.replace(reg, registered_at="2026-07-04T22:10:00.000Z")
    assert "Eingegangen: 05.07.2026, 00:10" in plain(parse(organiser_notification(e, summer)))  # CEST: the next day


def test_a_choice_reads_in_the_readers_language():
    labels = {"en": {"Kommune": "Municipality", "Landkreis": "District"}}
    document = seed_event().model_dump(mode="json")
    document["questions"][0]["choice_labels"] = labels
    e = type(seed_event()).model_validate(document)
    reg = registration(e, language="en")
    assert reg.answers["organisation_type"] == "Kommune"  # stored as the choice itself
    assert "Type of organisation: Municipality" in plain(confirmation(reg, e=e))
    organisers = plain(parse(organiser_notification(e, reg)))  # a German event: its organisers read German
    assert "Art der Organisation: Kommune" in organisers
    assert "Municipality" not in organisers
