"""The scheduled function: the closing mail at the cutoff, the reminder before the day, the
organisers' daily digest; each sent once, with the clock passed in. Every mail parsed back."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import icalendar
import pytest

from chalicelib import cli
from tests.api.conftest import alerts_published, mails_to, organiser_mails, reload_events, sent_mails, text_of
from tests.factories import SEED_EVENT_ID, berlin, event

ORGANISER = "pukhraj.choudhary@engagement-global.de"
AFTER_DEADLINE = berlin(2016, 11, 18, 0, 0, 1)  # the seed event accepts through 17 November
REMINDER_AT = berlin(2016, 11, 29, 10, 0)  # two days before 1 December, 10:00


def person(email):
    return {"email": email, "given_name": email.split("@")[0].title()}


def run_due(client) -> dict:
    """One run of the scheduled function, as its 15-minute schedule invokes it."""
    scheduled = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    return client.lambda_.invoke("due", scheduled).payload


def with_subject(mails, prefix):
    return [m for m in mails if str(m["Subject"]).startswith(prefix)]


def attachment(mail, suffix):
    [part] = [p for p in mail.iter_attachments() if p.get_filename().endswith(suffix)]
    return part


# --- the closing mail ----------------------------------------------------------------------
def test_the_closing_mail_goes_once_after_the_deadline(api, client, store, clock):
    api.register(**person("ana@example.org"), family_name="=HYPERLINK(1)")
    api.register(**person("ben@example.org"), lang="en")
    sent_mails()  # the mail function tells the organisers of each at once, as the stream has it do
    assert run_due(client) == {"sent": {}}  # still open: nothing due
    clock.now = AFTER_DEADLINE
    assert run_due(client) == {"sent": {"organiser_closing": 1}}
    assert run_due(client) == {"sent": {}}  # the second run finds it claimed
    [closing] = with_subject(organiser_mails(), "Anmeldeschluss:")
    assert closing["To"] == ORGANISER
    body = text_of(closing)
    assert "Die Anmeldefrist" in body
    assert "ist abgelaufen" in body
    assert "Bestätigt: 2" in body
    assert "Auf der Warteliste: 0" in body
    assert "Abgesagt: 0" in body
    data = attachment(closing, ".csv").get_content()
    assert data.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    rows = list(csv.DictReader(io.StringIO(data.removeprefix("\ufeff")), delimiter=";"))  # German event
    assert sorted(r["E-Mail"] for r in rows) == ["ana@example.org", "ben@example.org"]
    assert {r["Nachname"] for r in rows} == {"'=HYPERLINK(1)", "Choudhary"}  # never a formula
    attendance = attachment(closing, ".html")
    assert attendance.get_content_type() == "text/html"
    assert "Teilnahmeliste" in attendance.get_content()
    assert "Ana" in attendance.get_content()


def test_send_due_on_the_command_line_sends_the_closing_mail_once(api, store, clock, monkeypatch, capsys):
    api.register(**person("ana@example.org"))
    sent_mails()
    clock.now = AFTER_DEADLINE
    monkeypatch.setattr(cli, "now", clock)
    assert cli.main(["send-due"]) == 0
    assert "sent 1 due mail(s) (organiser_closing: 1)" in capsys.readouterr().out
    assert cli.main(["send-due", SEED_EVENT_ID]) == 0
    assert "sent 0 due mail(s)" in capsys.readouterr().out
    assert len(with_subject(organiser_mails(), "Anmeldeschluss:")) == 1


def test_an_event_closed_by_hand_gets_its_closing_mail_once(api, client, store, clock):
    api.register(**person("ana@example.org"))
    reload_events(store, event(closed=True))
    run_due(client)
    run_due(client)
    [closing] = with_subject(organiser_mails(), "Anmeldeschluss:")
    assert "ist geschlossen" in text_of(closing)


def test_the_last_seat_without_a_waiting_list_closes_registration(api, client, store, clock):
    reload_events(store, event(capacity=2))
    api.register(**person("ana@example.org"))
    assert run_due(client) == {"sent": {}}  # a seat is left
    api.register(**person("ben@example.org"))
    assert run_due(client) == {"sent": {"organiser_closing": 1}}
    run_due(client)
    [closing] = with_subject(organiser_mails(), "Anmeldeschluss:")
    body = text_of(closing)
    assert "Alle Plätze" in body
    assert "Bestätigt: 2" in body
    assert "Sagt jemand ab" in body


def test_a_full_event_with_a_waiting_list_is_still_open(api, client, store, clock):
    reload_events(store, event(capacity=1, waitlist=True))
    api.register(**person("ana@example.org"))
    api.register(**person("ben@example.org"))
    assert run_due(client) == {"sent": {}}


def test_an_english_event_gets_an_english_closing_mail_with_commas(api, client, store, clock):
    reload_events(store, event(language="en"))
    api.register(**person("ana@example.org"))
    clock.now = AFTER_DEADLINE
    run_due(client)
    [closing] = with_subject(organiser_mails(), "Registration closed:")
    assert "deadline" in text_of(closing)
    assert "Confirmed: 1" in text_of(closing)
    data = attachment(closing, ".csv").get_content().removeprefix("\ufeff")
    assert data.splitlines()[0].startswith("Given name,Family name,E-mail,")


def test_no_closing_mail_for_an_event_already_over(api, client, store, clock):
    api.register(**person("ana@example.org"))
    sent_mails()
    clock.now = berlin(2016, 12, 2, 9, 0)
    assert run_due(client) == {"sent": {}}


def test_a_closing_mail_that_can_never_go_is_parked_and_alerted_once(api, client, store, clock, monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.mail.sender import Mailer

    api.register(**person("ana@example.org"))
    sent_mails()
    clock.now = AFTER_DEADLINE
    refusal = {"Error": {"Code": "MessageRejected", "Message": "rejected: content"}}

    def refuse(self, mail, raw, tags=None):
        raise ClientError(refusal, "SendRawEmail")

    monkeypatch.setattr(Mailer, "send", refuse)
    assert run_due(client) == {"sent": {}}  # parked, not raised: the run goes on
    run_due(client)
    alerts = [a for a in alerts_published() if "organiser_closing" in a[1]]
    assert len(alerts) == 1
    assert "send-due --retry-failed netzwerktreffen-nrw-2016" in alerts[0][1]


def a_run_while_ses_is_unreachable(client, monkeypatch):
    """One due run fails (the event named, Lambda retries); SES answers again after it."""
    from chalicelib.mail.sender import Mailer

    def busy(self, mail, raw, tags=None):
        raise ConnectionError("SES is unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(Mailer, "send", busy)
        with pytest.raises(RuntimeError, match="netzwerktreffen-nrw-2016"):
            run_due(client)


def test_a_transient_failure_fails_the_run_and_the_next_run_sends(api, client, store, clock, monkeypatch):
    api.register(**person("ana@example.org"))
    sent_mails()
    clock.now = AFTER_DEADLINE
    a_run_while_ses_is_unreachable(client, monkeypatch)
    assert run_due(client) == {"sent": {"organiser_closing": 1}}  # the claim was given back


# --- the reminder ----------------------------------------------------------------------------
def test_every_confirmed_registrant_is_reminded_once_in_their_language(api, client, store, clock):
    reload_events(store, event(capacity=2, waitlist=True))
    api.register(**person("ana@example.org"))
    api.register(**person("ben@example.org"), lang="en")
    api.register(**person("cem@example.org"))  # waiting: no reminder of a place they do not have
    clock.now = REMINDER_AT - timedelta(seconds=1)
    assert "registrant_reminder" not in run_due(client)["sent"]
    clock.now = REMINDER_AT
    assert run_due(client)["sent"]["registrant_reminder"] == 2
    clock.now = REMINDER_AT + timedelta(minutes=15)
    assert "registrant_reminder" not in run_due(client)["sent"]
    [german] = with_subject(mails_to("ana@example.org"), "Erinnerung:")
    [english] = with_subject(mails_to("ben@example.org"), "Reminder:")
    assert with_subject(mails_to("cem@example.org"), "Erinnerung:") == []
    assert "Sie können doch nicht? Geben Sie Ihren Platz frei" in text_of(german)
    assert "Can't make it after all? Give your place to someone else" in text_of(english)
    for mail in (german, english):
        body = text_of(mail)
        assert "Rathaus Dinslaken" in body
        assert re.search(r"https://api\.example\.org/api/cancel\?token=\S+", body)
        [entry] = icalendar.Calendar.from_ical(attachment(mail, ".ics").get_content()).walk("VEVENT")
        assert entry.decoded("dtstart") == berlin(2016, 12, 1, 10, 0)
        assert "Dinslaken" in str(entry["location"])


def test_the_reminder_link_cancels_and_moves_the_waiting_list_up(api, client, store, clock):
    reload_events(store, event(capacity=1, waitlist=True))
    api.register(**person("ana@example.org"))
    api.register(**person("ben@example.org"))
    clock.now = REMINDER_AT
    run_due(client)
    [reminder] = with_subject(mails_to("ana@example.org"), "Erinnerung:")
    [url] = re.findall(r"https://\S+/cancel\?token=\S+", text_of(reminder))
    assert client.http.post(url.removeprefix("https://api.example.org/api")).status_code == 200
    [promotion] = with_subject(mails_to("ben@example.org"), "Ein Platz ist frei geworden:")
    assert attachment(promotion, ".ics")  # what a reminder would bring, with the seat
    run_due(client)  # ben moved up after the reminders went: no reminder seconds after it
    assert with_subject(mails_to("ben@example.org"), "Erinnerung:") == []


def test_someone_registering_after_the_reminders_went_gets_the_confirmation_only(api, client, store, clock):
    reload_events(store, event(registration_deadline="2016-11-30"))  # open past the reminder
    api.register(**person("ana@example.org"))
    clock.now = REMINDER_AT + timedelta(hours=1)
    run_due(client)
    api.register(**person("ben@example.org"))
    clock.now += timedelta(minutes=15)
    run_due(client)
    assert len(with_subject(mails_to("ana@example.org"), "Erinnerung:")) == 1
    assert with_subject(mails_to("ben@example.org"), "Erinnerung:") == []
    assert with_subject(mails_to("ben@example.org"), "Anmeldung bestätigt:")


def test_no_reminder_when_the_event_asks_for_none(api, client, store, clock):
    reload_events(store, event(reminder_days_before=None))
    api.register(**person("ana@example.org"))
    clock.now = REMINDER_AT
    run_due(client)
    assert with_subject(mails_to("ana@example.org"), "Erinnerung:") == []


# --- the organisers' daily digest ------------------------------------------------------------
def test_the_daily_digest_lists_the_days_changes_once_at_8(api, client, store, clock):
    reload_events(store, event(capacity=1, waitlist=True, organiser_mails="daily"))
    clock.now = berlin(2016, 11, 9, 12, 0)
    api.register(**person("cem@example.org"))  # the day before: the digest of the 10th
    clock.now = berlin(2016, 11, 10, 8, 30)
    assert run_due(client)["sent"] == {"organiser_digest": 1}
    dan = api.register(**person("dan@example.org"))  # waitlisted behind cem
    clock.now = berlin(2016, 11, 10, 15, 0)
    client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{cem_id(store)}/cancel")  # dan moves up
    clock.now = berlin(2016, 11, 11, 7, 59)
    assert run_due(client)["sent"] == {}  # the 11th's is not due before 08:00
    clock.now = berlin(2016, 11, 11, 8, 0)
    assert run_due(client)["sent"] == {"organiser_digest": 1}
    clock.now = berlin(2016, 11, 11, 8, 15)
    assert run_due(client)["sent"] == {}
    mails = organiser_mails()
    assert with_subject(mails, "Anmeldung:") == []
    assert with_subject(mails, "Abmeldung:") == []
    first, second = with_subject(mails, "Tagesübersicht:")
    assert str(first["Subject"]).endswith("10. November 2016")
    assert "Cem Choudhary" in text_of(first)
    assert "Dan" not in text_of(first)
    assert str(second["Subject"]).endswith("11. November 2016")
    body = text_of(second)
    registered = body.split("Neue Anmeldungen (1)")[1].split("Absagen (1)")[0]
    assert "Dan Choudhary" in registered
    assert "Cem" not in registered
    cancelled = body.split("Absagen (1)")[1].split("Von der Warteliste nachgerückt (1)")[0]
    assert "Cem Choudhary" in cancelled
    assert "Dan Choudhary" in body.split("Von der Warteliste nachgerückt (1)")[1]
    assert "Bestätigt: 1" in body
    assert "Abgesagt: 1" in body
    assert dan["status"] == "waitlisted"
    assert len(with_subject(mails_to("dan@example.org"), "Ein Platz ist frei geworden:")) == 1  # registrants as ever


def test_no_digest_for_a_day_without_changes_and_none_with_organiser_mails_none(api, client, store, clock):
    reload_events(store, event(organiser_mails="none"))
    api.register(**person("ana@example.org"))
    clock.now = berlin(2016, 11, 11, 8, 0)
    assert run_due(client)["sent"] == {}
    assert organiser_mails() == []
    assert len(mails_to("ana@example.org")) == 1  # the registrant's confirmation goes whatever the setting


def registered_in(digest) -> str:
    """The names under "Neue Anmeldungen" of a German digest."""
    return text_of(digest).split("Neue Anmeldungen")[1].split("Absagen")[0]


def register_now(api, email):
    """Register, and let the mail function take the new registration at once, as the stream does."""
    api.register(**person(email))
    sent_mails()


def test_switched_from_daily_to_each_the_changes_since_the_last_digest_come_in_one_more(api, client, store, clock):
    reload_events(store, event(organiser_mails="daily"))
    clock.now = berlin(2016, 11, 9, 12, 0)
    register_now(api, "ana@example.org")
    clock.now = berlin(2016, 11, 10, 8, 0)
    assert run_due(client)["sent"] == {"organiser_digest": 1}
    clock.now = berlin(2016, 11, 10, 10, 0)
    register_now(api, "ben@example.org")  # daily: no mail of its own
    reload_events(store, event(organiser_mails="each"))
    clock.now = berlin(2016, 11, 10, 11, 0)
    register_now(api, "cem@example.org")  # each: a mail of its own
    assert run_due(client)["sent"] == {}  # the 10th's digest went
    clock.now = berlin(2016, 11, 11, 8, 0)
    assert run_due(client)["sent"] == {"organiser_digest": 1}  # when the next digest would have come
    clock.now = berlin(2016, 11, 12, 8, 0)
    assert run_due(client)["sent"] == {}
    mails = organiser_mails()
    first, last = with_subject(mails, "Tagesübersicht:")
    assert "Ana" in registered_in(first)
    assert str(last["Subject"]).endswith("11. November 2016")
    assert "Ben Choudhary" in registered_in(last)
    assert "Ana" not in registered_in(last)
    assert "Cem" not in registered_in(last)
    assert [str(m["Subject"]).split(" – ")[1] for m in with_subject(mails, "Anmeldung:")] == ["Cem Choudhary"]


def test_switched_from_each_to_daily_the_digest_leaves_out_what_was_mailed_on_its_own(api, client, store, clock):
    clock.now = berlin(2016, 11, 9, 12, 0)
    register_now(api, "ana@example.org")  # each: a mail of its own
    reload_events(store, event(organiser_mails="daily"))
    clock.now = berlin(2016, 11, 9, 13, 0)
    register_now(api, "ben@example.org")
    clock.now = berlin(2016, 11, 10, 8, 0)
    assert run_due(client)["sent"] == {"organiser_digest": 1}
    mails = organiser_mails()
    [digest] = with_subject(mails, "Tagesübersicht:")
    assert "Neue Anmeldungen (1)" in text_of(digest)
    assert "Ben Choudhary" in registered_in(digest)
    assert [str(m["Subject"]).split(" – ")[1] for m in with_subject(mails, "Anmeldung:")] == ["Ana Choudhary"]


def test_what_none_held_back_comes_in_the_next_digest_once_the_event_is_daily_again(api, client, store, clock):
    reload_events(store, event(organiser_mails="daily"))
    clock.now = berlin(2016, 11, 9, 12, 0)
    register_now(api, "ana@example.org")
    reload_events(store, event(organiser_mails="none"))
    clock.now = berlin(2016, 11, 9, 14, 0)
    register_now(api, "ben@example.org")
    clock.now = berlin(2016, 11, 10, 8, 0)
    assert run_due(client)["sent"] == {}  # none: nothing to the organisers
    clock.now = berlin(2016, 11, 10, 12, 0)
    reload_events(store, event(organiser_mails="daily"))
    clock.now = berlin(2016, 11, 11, 8, 0)
    assert run_due(client)["sent"] == {"organiser_digest": 1}  # older than its 24 hours, and still there
    clock.now = berlin(2016, 11, 12, 8, 0)
    assert run_due(client)["sent"] == {}
    [digest] = with_subject(organiser_mails(), "Tagesübersicht:")
    assert "Neue Anmeldungen (2)" in text_of(digest)
    assert with_subject(organiser_mails(), "Anmeldung:") == []


def test_a_digest_that_failed_leaves_its_changes_to_the_next_run(api, client, store, clock, monkeypatch):
    reload_events(store, event(organiser_mails="daily"))
    clock.now = berlin(2016, 11, 9, 12, 0)
    register_now(api, "ana@example.org")
    clock.now = berlin(2016, 11, 10, 8, 0)
    a_run_while_ses_is_unreachable(client, monkeypatch)
    clock.now = berlin(2016, 11, 10, 8, 15)
    assert run_due(client)["sent"] == {"organiser_digest": 1}  # every claim was given back
    [digest] = with_subject(organiser_mails(), "Tagesübersicht:")
    assert "Ana Choudhary" in registered_in(digest)


def cem_id(store):
    [item] = [r for r in store.registration_rows.of_event(SEED_EVENT_ID) if r.email == "cem@example.org"]
    return item.registration_id
