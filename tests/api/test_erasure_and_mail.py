"""Erasure wins over mail in flight: after `forget`, nothing about the person is sent or written,
whatever the mail function was doing. Each interleaving is run in a fixed order."""

from __future__ import annotations

import json
import threading

import boto3

import app as app_module
from chalicelib.admin.personal_data import access_report, forget
from chalicelib.mail.sender import Mailer
from chalicelib.store.mail_rows import MailRows
from tests.api.conftest import all_items, mails_to, sent_mails
from tests.factories import SEED_EVENT_ID

ANA = "ana@example.org"
ANA_VERGESSEN = {"email": ANA, "given_name": "Ana", "family_name": "Vergessen"}


def rows_about(store, registration_id, text="Vergessen"):
    """Every row holding the person's name, address or registration id."""
    return [
        item
        for item in all_items(store)
        if registration_id in json.dumps(item)
        or text in json.dumps(item, ensure_ascii=False)
        or ANA in json.dumps(item)
    ]


def about_ana(mails):
    return [m for m in mails if ANA in str(m["To"]) or ANA in str(m["Reply-To"]) or "Vergessen" in str(m["Subject"])]


def test_forget_right_after_registering_sends_and_writes_nothing_more(api, store):
    registration_id = api.register(**ANA_VERGESSEN)["registration_id"]
    assert len(forget(store, ANA, app_module.now()).registrations) == 1
    assert about_ana(sent_mails()) == []  # the stream still carries the registration; the mail function skips it
    assert rows_about(store, registration_id) == []
    assert access_report(store, ANA).registrations == []


def test_forget_during_an_ses_outage_leaves_nothing_for_the_retry(api, store, mail_function):
    ses = boto3.client("ses")
    ses.delete_identity(Identity="anmeldung@example.org")
    registration_id = api.register(**ANA_VERGESSEN)["registration_id"]
    assert sent_mails() == []
    assert mail_function.pending  # the batch waits for SES
    forget(store, ANA, app_module.now())
    ses.verify_email_identity(EmailAddress="anmeldung@example.org")
    assert about_ana(sent_mails()) == []
    assert mail_function.pending == []  # the retry succeeded by sending nothing
    assert rows_about(store, registration_id) == []


def test_forget_while_a_mail_is_being_sent_waits_for_it_then_erases_its_record(api, store, monkeypatch):
    registration_id = api.register(**ANA_VERGESSEN)["registration_id"]
    real_send = Mailer.send
    sending, go = threading.Event(), threading.Event()
    order = []

    def slow_send(self, mail, raw, tags=None):
        sending.set()
        assert go.wait(10)
        order.append(f"sent to {mail.to[0]}")
        return real_send(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", slow_send)
    sender = threading.Thread(target=sent_mails)  # the mail function, now inside SES with the first mail
    sender.start()
    assert sending.wait(10)

    # forget erases the registration, then finds the claim of the mail in flight and looks
    # again; before it looks again, the sender finishes.
    real_records = MailRows.records_of
    polls = []

    def sender_finishes_between_polls(self, registration):
        polls.append(registration.registration_id)
        if len(polls) == 2:
            go.set()
            sender.join(10)
        return real_records(self, registration)

    monkeypatch.setattr(MailRows, "records_of", sender_finishes_between_polls)
    [erased] = forget(store, ANA, app_module.now()).registrations
    order.append("forget returned")

    assert polls[:2] == [registration_id, registration_id]  # it waited for the mail in flight
    assert erased.mail_records == 1  # the organiser mail's record, marked sent, then erased
    assert order == ["sent to pukhraj.choudhary@engagement-global.de", "forget returned"]
    monkeypatch.setattr(Mailer, "send", real_send)
    assert mails_to(ANA) == []  # the confirmation was never claimed: the registration was gone
    assert rows_about(store, registration_id) == []


def test_a_send_that_outlives_the_erasure_writes_no_mail_record_back(api, store, monkeypatch):
    registration_id = api.register(**ANA_VERGESSEN)["registration_id"]
    real_send = Mailer.send
    erased = []

    def erased_while_sending(self, mail, raw, tags=None):
        if not erased:  # a forget that gave up waiting (the sender hung): everything is gone
            [item] = store.registration_rows.of_event(SEED_EVENT_ID)
            store.seat_transactions.erase(item, None, "2016-11-10T11:00:00.000Z")
            erased.append(store.mail_rows.delete_records(item))
        return real_send(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", erased_while_sending)
    assert len(about_ana(sent_mails())) == 1  # the one already in SES' hands
    assert erased == [1]
    assert rows_about(store, registration_id) == []  # its "sent" mark found no row and made none
