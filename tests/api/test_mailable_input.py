"""Whatever the API accepts can be mailed: the inputs that once broke a mail, end to end
through the app, the table's stream, the mail function and (mocked) SES.

The whole input space is tests/unit/test_mail_properties.py's; these are its findings.
"""

from __future__ import annotations

from tests.api.conftest import registration_items, reload_events, sent_mails, text_of
from tests.factories import event, seed_event_document

ORGANISER = "pukhraj.choudhary@engagement-global.de"


def field_errors(answer) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in answer.body["errors"]]


def recipients(mails) -> list[str]:
    return sorted(str(m["To"]) for m in mails)


def test_a_name_with_a_line_separator_is_refused_and_the_next_registration_is_mailed(api, store, mail_function):
    # U+2028 was accepted (201) and then failed the mail for ever: "Header values may not
    # contain linefeed". A name stays on one line, so it is refused like "\n" in a name.
    answer = api.post(given_name="Ana\u2028Lena", email="ana@example.org")
    assert answer.status == 422
    assert field_errors(answer) == [("given_name", "control_characters")]
    assert answer.body["errors"][0]["message"] == "Vorname: Enthält unzulässige Steuerzeichen."
    assert registration_items(store) == []

    assert api.post(email="next@example.org").status == 201
    mail_function.deliver()
    assert recipients(sent_mails()) == ["next@example.org", ORGANISER]


def test_line_separators_in_a_message_are_line_breaks_in_every_mail(api, store, mail_function):
    assert api.post(message="Hallo\u2028Welt\u2029Tschüss", email="ana@example.org").status == 201
    assert registration_items(store)[0]["message"] == "Hallo\nWelt\nTschüss"
    mail_function.deliver()
    mails = sent_mails()
    assert recipients(mails) == ["ana@example.org", ORGANISER]
    for mail in mails:
        assert "Nachricht: Hallo\n    Welt\n    Tschüss" in text_of(mail)


def test_a_lone_surrogate_is_a_field_error_and_not_a_503(api, store):
    # "\udfff" in a free-text answer passed validation and then failed DynamoDB's UTF-8 (503).
    questions = [*seed_event_document()["questions"], {"id": "note", "label": "Notiz", "type": "text"}]
    reload_events(store, event(questions=questions))
    answer = api.post(note="Notiz \udfff")
    assert answer.status == 422
    assert field_errors(answer) == [("note", "invalid_characters")]
    # Every text field answers alike (the standard ones said `invalid_type` before).
    answer = api.post(organisation="Stadt \ud800", given_name="\udfff", message="x\udbff")
    assert field_errors(answer) == [
        ("given_name", "invalid_characters"),
        ("organisation", "invalid_characters"),
        ("message", "invalid_characters"),
    ]
    assert answer.body["errors"][0]["message"].startswith("Vorname: Enthält Zeichen, die kein Text sind")
    assert registration_items(store) == []


def test_an_encoded_word_in_a_name_reaches_the_subject_as_typed(api, store, mail_function):
    # Not decoded into "Bob" by the organisers' mail reader.
    assert api.post(given_name="=?utf-8?q?Bob?=", email="ana@example.org").status == 201
    mail_function.deliver()
    [organiser] = [m for m in sent_mails() if m["To"] == ORGANISER]
    assert str(organiser["Subject"]).endswith("– =?utf-8?q?Bob?= Choudhary")


def test_an_event_title_with_a_line_separator_is_mailed_on_one_line(api, store, mail_function):
    reload_events(store, event(title="Netzwerktreffen\u2028NRW"))
    assert api.post(email="ana@example.org").status == 201
    mail_function.deliver()
    mails = sent_mails()
    assert recipients(mails) == ["ana@example.org", ORGANISER]
    assert all("Netzwerktreffen NRW" in str(m["Subject"]) for m in mails)
