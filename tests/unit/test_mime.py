"""The organiser notification as SES receives it: parsed back from the raw MIME."""

import random
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest

from chalicelib.mail.mime import OutgoingMail, to_mime
from chalicelib.mail.notifications import organiser_notification
from chalicelib.model.validation import new_registration, validate_submission
from tests.factories import event, seed_event

SENDER = "anmeldung@example.org"
NOW = datetime(2016, 11, 10, 11, 0, tzinfo=UTC)


def registration_for(e, **values):
    base = {
        "given_name": ["Nguyễn"],
        "family_name": ["Thị Minh"],
        "email": ["minh@example.org"],
        "consent": ["on"],
        "organisation_type": ["Kommune"],
    }
    base.update({k: [v] for k, v in values.items()})
    return new_registration(e, validate_submission(e, base), NOW, "de")


def parsed(mail: OutgoingMail):
    return message_from_bytes(to_mime(mail, SENDER).as_bytes(), policy=default)


def test_the_organiser_mail_names_event_and_registrant_and_lists_every_answer():
    registration = registration_for(seed_event(), message="Ich bringe\neine Kollegin mit.", department="Umwelt")
    message = parsed(organiser_notification(seed_event(), registration))
    assert message["From"] == SENDER
    assert message["To"] == "pukhraj.choudhary@engagement-global.de"
    assert message["Reply-To"] == "minh@example.org"
    assert str(message["Subject"]) == (
        "Anmeldung: 1. regionales NRW-Netzwerktreffen „Migration und Entwicklung auf kommunaler Ebene“"
        " – Nguyễn Thị Minh"
    )
    body = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    for line in (
        "Vorname: Nguyễn",
        "Nachname: Thị Minh",
        "E-Mail: minh@example.org",
        "Nachricht: Ich bringe\n    eine Kollegin mit.",
        "Art der Organisation: Kommune",
        "Fachbereich: Umwelt",
        f"Anmeldungs-ID: {registration.registration_id}",
        "Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr",
    ):
        assert line in body


def test_an_english_event_mails_its_organisers_in_english():
    e = event(language="en")
    body = parsed(organiser_notification(e, registration_for(e))).get_body(preferencelist=("plain",)).get_content()
    assert "Type of organisation: Kommune" in body
    assert "New registration for:" in body


def test_several_organisers_are_recipients_of_one_mail():
    e = event(organisers=[{"name": "A", "email": "a@example.org"}, {"name": "B", "email": "b@example.org"}])
    mail = organiser_notification(e, registration_for(e))
    assert mail.to == ("a@example.org", "b@example.org")
    assert parsed(mail)["To"] == "a@example.org, b@example.org"


@pytest.mark.parametrize(
    "evil", ["x\r\nBcc: victim@example.org", "x\nTo: victim@example.org", "x\x00y", "x\rCc: v@e.org"]
)
def test_no_text_can_add_a_header_or_a_recipient(evil):
    # Names are refused at validation; even a title or name that slipped through stays on one line.
    e = event(title="Treffen")
    registration = registration_for(e)
    registration = type(registration)(**{**registration.__dict__, "given_name": evil})
    message = parsed(organiser_notification(e, registration))
    assert message["Bcc"] is None
    assert message["Cc"] is None
    assert message.get_all("To") == ["pukhraj.choudhary@engagement-global.de"]
    assert "\n" not in str(message["Subject"])
    assert "\x00" not in str(message["Subject"])


def test_to_mime_refuses_a_header_with_a_line_break():
    mail = OutgoingMail(to=("a@example.org",), reply_to=(), subject="Hi\r\nBcc: v@example.org", body="x")
    with pytest.raises(ValueError, match="linefeed"):
        to_mime(mail, SENDER)


def test_long_non_ascii_subjects_keep_every_space():
    # CPython's modern header folder loses a space between encoded words; ours must not.
    rng = random.Random(7)
    words = ["Jürgen", "Nguyễn", "Анна", "محمد", "Lee", "O'Brien", "Ngọc Anh", "–", "„Treffen“"]
    for _ in range(300):
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        mail = OutgoingMail(to=("a@example.org",), reply_to=(), subject=subject, body="x")
        raw = to_mime(mail, SENDER).as_bytes()
        assert str(message_from_bytes(raw, policy=default)["Subject"]) == subject
        assert max(len(line) for line in raw.split(b"\r\n")) <= 78
