"""The mail function: fed by the table's stream, every mail sent exactly once, SES faults ridden out."""

from __future__ import annotations

import logging

import boto3
import pytest

import app as app_module
from chalicelib.mail.sender import Mailer
from tests.api.conftest import mails_to, organiser_mails, registration_items, reload_events, sent_mails, text_of
from tests.factories import event, seed_event_document


def test_the_request_path_only_writes_the_table(api, store, monkeypatch):
    calls = []
    monkeypatch.setattr(Mailer, "send", lambda self, mail, raw, tags=None: calls.append(mail) or "id")
    assert api.post().status == 201
    assert calls == []  # nothing is mailed while the registrant waits
    sent_mails()  # the mail function runs on the stream
    assert len(calls) == 2


def test_a_confirmed_registration_mails_the_organiser_and_the_registrant(api, store):
    api.post(email="ana@example.org", lang="en")
    [organiser] = organiser_mails()
    [mine] = mails_to("ana@example.org")
    assert str(organiser["Subject"]).startswith("Anmeldung:")  # organisers read the event's language
    assert str(mine["Subject"]).startswith("Registration confirmed:")
    assert "/cancel?token=" in text_of(mine)
    assert [p.get_filename() for p in mine.iter_attachments()] == ["invitation.ics"]  # English, as the mail


def test_a_waitlisted_registration_gets_its_place_and_no_calendar(api, store):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(email="first@example.org")
    api.post(email="second@example.org")
    [notice] = mails_to("second@example.org")
    assert "Platz 1 der Warteliste" in text_of(notice)
    assert list(notice.iter_attachments()) == []


def test_each_mail_is_sent_once_when_a_batch_is_delivered_again(api, store, mail_function):
    api.post(email="ana@example.org")
    records = mail_function.reader.read()
    for _ in range(3):  # Lambda may hand the same batch over again after a timeout
        app_module.send_mails(mail_function.reader.lambda_event(records), None)
    assert len(sent_mails()) == 2
    markers = [
        i
        for i in boto3.client("dynamodb").scan(TableName=store.table_name)["Items"]
        if i["sk"]["S"].startswith("mail#")
    ]
    assert sorted(m["sk"]["S"].rsplit("#", 1)[1] for m in markers) == ["organiser_new", "registrant_confirmed"]
    assert {m["mail_state"]["S"] for m in markers} == {"sent"}
    assert all(int(m["expires_at"]["N"]) > 0 for m in markers)


def test_an_ses_outage_costs_no_registration_and_no_mail(api, store, mail_function):
    ses = boto3.client("ses")
    ses.delete_identity(Identity="anmeldung@example.org")
    assert api.post(email="ana@example.org").status == 201
    assert api.post(email="ben@example.org").status == 201
    assert sent_mails() == []  # SES refuses: the batch waits to be retried
    assert len(mail_function.pending) > 0
    assert len(registration_items(store)) == 2

    ses.verify_email_identity(EmailAddress="anmeldung@example.org")
    mails = sent_mails()
    assert sorted(str(m["To"]) for m in mails) == sorted(
        ["ana@example.org", "ben@example.org"] + ["pukhraj.choudhary@engagement-global.de"] * 2
    )
    assert mail_function.pending == []
    assert len(sent_mails()) == 4  # nothing twice, however often it runs


def test_a_failure_mid_registration_resends_only_what_was_not_sent(api, store, monkeypatch):
    real_send = Mailer.send
    calls = []

    def flaky(self, mail, raw, tags=None):
        calls.append(mail.to)
        if mail.to == ("ana@example.org",) and calls.count(("ana@example.org",)) == 1:
            raise RuntimeError("SES hiccup")
        return real_send(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", flaky)
    api.post(email="ana@example.org")
    assert [str(m["To"]) for m in sent_mails()] == ["pukhraj.choudhary@engagement-global.de"]
    mails = sent_mails()  # the retry
    assert sorted(str(m["To"]) for m in mails) == ["ana@example.org", "pukhraj.choudhary@engagement-global.de"]
    assert calls.count(("pukhraj.choudhary@engagement-global.de",)) == 1


@pytest.mark.parametrize("field", ["message", "note"])
def test_line_breaks_in_free_text_stay_in_the_body_of_every_mail(api, store, field):
    questions = [*seed_event_document()["questions"], {"id": "note", "label": "Notiz", "type": "text"}]
    reload_events(store, event(questions=questions))
    evil = "Hallo\r\nBcc: victim@example.org\r\nTo: victim@example.org"
    assert api.post(email="ana@example.org", **{field: evil}).status == 201
    mails = sent_mails()
    assert len(mails) == 2
    for mail in mails:
        assert mail["Bcc"] is None
        assert mail.get_all("To") in (["ana@example.org"], ["pukhraj.choudhary@engagement-global.de"])
        assert "Bcc: victim@example.org" in text_of(mail)  # shown, as text, in the body


@pytest.mark.parametrize("field", ["given_name", "family_name", "organisation", "role", "phone", "email"])
def test_line_breaks_in_a_single_line_field_are_refused_and_nothing_is_mailed(api, store, field):
    evil = "ana@example.org\r\nBcc: victim@example.org" if field == "email" else "Ana\r\nBcc: victim@example.org"
    assert api.post(**{field: evil}).status == 422
    assert sent_mails() == []


def test_the_registrants_mail_follows_accept_language_when_the_form_names_no_language(api, store):
    answer = api.post(email="ana@example.org", headers={"Accept-Language": "en-GB,en;q=0.9"}).body
    assert answer["message"] == "Your registration has been received. Thank you!"
    [mine] = mails_to("ana@example.org")
    assert str(mine["Subject"]).startswith("Registration confirmed:")
    assert registration_items(store)[0]["lang"] == "en"


def test_a_refused_mail_is_logged_without_the_address_ses_names(api, store, monkeypatch, caplog):
    from botocore.exceptions import ClientError

    def refuse(self, mail, raw, tags=None):
        message = f"Email address is not verified. The following identities failed the check: {mail.to[0]}"
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": message}}, "SendRawEmail")

    api.post(email="ana.secret@example.org")
    monkeypatch.setattr(Mailer, "send", refuse)
    with caplog.at_level(logging.INFO):
        sent_mails()
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "recipient_rejected" in logged
    assert "ana.secret" not in logged
    assert "pukhraj" not in logged
    app_module.intake.events.clear()
