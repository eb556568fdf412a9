"""A mail that can never go is parked, somebody is told, and the mails behind it go on."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import app as app_module
from chalicelib import cli
from chalicelib.mail import notifications
from chalicelib.mail.sender import Mailer
from tests.api.conftest import (
    alerts_published,
    all_items,
    mails_to,
    organiser_mails,
    sent_mails,
    text_of,
)
from tests.factories import SEED_EVENT_ID

ORGANISER = "pukhraj.choudhary@engagement-global.de"
SANDBOX = "Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: "


@pytest.fixture
def ses_refuses(monkeypatch):
    """SES in the sandbox: every address in `refused` fails the check, as SES words it."""
    refused: set[str] = set()
    real_send = Mailer.send

    def send(self, mail, raw, tags=None):
        unverified = [address for address in mail.to if address in refused]
        if unverified:
            raise ClientError(
                {"Error": {"Code": "MessageRejected", "Message": SANDBOX + ", ".join(unverified)}}, "SendRawEmail"
            )
        return real_send(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", send)
    return refused


def mail_rows(store, registration_id):
    rows = [i for i in all_items(store) if i["sk"]["S"].startswith(f"mail#{registration_id}#")]
    return {
        row["sk"]["S"].rsplit("#", 1)[1]: (row["mail_state"]["S"], row.get("failure_reason", {}).get("S"))
        for row in rows
    }


def test_a_refused_recipient_is_parked_the_organisers_told_and_later_mails_go_on(api, store, ses_refuses):
    ses_refuses.add("typo@exmaple.org")
    first = api.register(email="typo@exmaple.org", given_name="Tippfehler")["registration_id"]
    second = api.register(email="ben@example.org")["registration_id"]
    sent_mails()

    assert mail_rows(store, first) == {
        "organiser_new": ("sent", None),
        "registrant_confirmed": ("failed", "recipient_rejected"),
        "undeliverable_registrant_confirmed": ("sent", None),
    }
    assert set(mail_rows(store, second).values()) == {("sent", None)}  # not held back
    assert len(mails_to("ben@example.org")) == 1
    [notice] = [m for m in organiser_mails() if str(m["Subject"]).startswith("Nicht zugestellt")]
    assert "Tippfehler" in str(notice["Subject"])
    body = text_of(notice)
    assert "Anmeldebestätigung an Tippfehler" in body
    assert "typo@exmaple.org" in body
    assert "SES-Sandbox" in body  # the reason, in words an organiser can act on
    assert str(notice["Reply-To"]) == "typo@exmaple.org"
    assert alerts_published() == []

    sent_mails()  # the stream delivers the same records again: nobody is told twice
    assert len([m for m in organiser_mails() if str(m["Subject"]).startswith("Nicht zugestellt")]) == 1


def test_a_replay_sends_a_failed_mail_again_when_asked(api, store, ses_refuses, capsys):
    ses_refuses.add("ana@example.org")
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    assert mail_rows(store, registration_id)["registrant_confirmed"] == ("failed", "recipient_rejected")

    assert cli.main(["send-mails", SEED_EVENT_ID]) == 0
    assert mails_to("ana@example.org") == []  # a plain replay leaves it parked
    ses_refuses.clear()  # the address was verified meanwhile
    assert cli.main(["send-mails", "--retry-failed", SEED_EVENT_ID]) == 0
    assert "sent 1 mail(s)" in capsys.readouterr().out
    assert len(mails_to("ana@example.org")) == 1
    assert mail_rows(store, registration_id)["registrant_confirmed"] == ("sent", None)


def test_a_mail_that_cannot_be_built_is_parked_and_the_organisers_told(api, store, monkeypatch):
    def broken(*args, **kwargs):
        raise UnicodeEncodeError("utf-8", "\udfff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr("chalicelib.mail.outbox.registrant_confirmation", broken)
    registration_id = api.register(email="ana@example.org")["registration_id"]
    later = api.register(email="ben@example.org")["registration_id"]
    sent_mails()
    assert mail_rows(store, registration_id)["registrant_confirmed"] == ("failed", "unbuildable")
    assert mail_rows(store, later)["registrant_confirmed"] == ("failed", "unbuildable")
    notices = [m for m in organiser_mails() if str(m["Subject"]).startswith("Nicht zugestellt")]
    assert len(notices) == 2
    assert "ließ sich aus den Angaben nicht erstellen" in text_of(notices[0])


def test_an_organiser_mail_that_can_never_go_raises_an_alert_once(api, store, ses_refuses):
    ses_refuses.add(ORGANISER)
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    sent_mails()
    rows = mail_rows(store, registration_id)
    assert rows["organiser_new"] == ("failed", "recipient_rejected")
    assert rows["alert_organiser_new"] == ("sent", None)
    assert len(mails_to("ana@example.org")) == 1  # the registrant still gets the confirmation
    [(subject, message)] = alerts_published()
    assert SEED_EVENT_ID in subject
    assert registration_id in message
    assert "recipient_rejected" in message
    assert "send-mails --retry-failed" in message
    assert "ana@example.org" not in message
    assert ORGANISER not in message


def test_when_neither_the_registrant_nor_the_organisers_can_be_mailed_the_alert_says_so(api, store, ses_refuses):
    ses_refuses.update({ORGANISER, "ana@example.org"})
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    rows = mail_rows(store, registration_id)
    assert rows["registrant_confirmed"] == ("failed", "recipient_rejected")
    assert rows["undeliverable_registrant_confirmed"] == ("failed", "recipient_rejected")
    subjects_and_messages = alerts_published()
    assert len(subjects_and_messages) == 2  # the organisers' new-registration mail and their notice
    assert any("undeliverable_registrant_confirmed" in message for _, message in subjects_and_messages)


def test_a_refused_sender_holds_the_mails_in_order_and_parks_nothing(api, store, mail_function, monkeypatch):
    def sender_refused(self, mail, raw, tags=None):
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": SANDBOX + self.sender}}, "SendRawEmail")

    monkeypatch.setattr(Mailer, "send", sender_refused)
    first = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    assert mail_function.pending  # retried from the first record, as an outage is
    assert "failed" not in {state for state, _ in mail_rows(store, first).values()}
    monkeypatch.undo()
    sent_mails()
    assert mail_function.pending == []
    assert len(mails_to("ana@example.org")) == 1


def test_the_mail_function_tags_each_mail_for_the_bounce_handler(api, store, monkeypatch):
    seen = []
    real_send = Mailer.send
    monkeypatch.setattr(
        Mailer, "send", lambda self, mail, raw, tags=None: seen.append(tags) or real_send(self, mail, raw, tags)
    )
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    assert {t["mail_kind"] for t in seen} == {"organiser_new", "registrant_confirmed"}
    assert all(t["registration_id"] == registration_id and t["event_id"] == SEED_EVENT_ID for t in seen)
    # SES allows letters, digits, "_" and "-" in tag values.
    assert all(value.replace("_", "").replace("-", "").isalnum() for t in seen for value in t.values())


def test_the_organisers_notice_names_every_kind_of_registrant_mail():
    for kind in ("registrant_confirmed", "registrant_promoted", "registrant_waitlisted", "registrant_cancelled"):
        for language in ("de", "en"):
            assert notifications.text(language, f"mail.kind.{kind}")
    assert app_module.outbox().mailer.configuration_set is None  # the local stage sends without one
