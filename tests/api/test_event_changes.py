"""Issue 23 end to end: `notify-change` tells every registrant of a new time or place once, with a
calendar file that supersedes theirs; `cancel-event` closes registration, tells every registrant
once with a cancelling calendar file, and the organisers how many were told; both finish after an
SES outage (the command again, or the due function). Every mail parsed back."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
import vobject
from botocore.exceptions import ClientError, ReadTimeoutError

import app as app_module
from chalicelib import cli
from chalicelib.admin import announcements
from chalicelib.mail.outbox import Outbox
from chalicelib.mail.sender import Mailer
from chalicelib.store.keys import ANNOUNCED, EVENT_SK, SEQUENCE
from chalicelib.store.store_errors import StoreUnavailable
from tests.api import conftest
from tests.api.conftest import mails_to, organiser_mails, reload_events, sent_mails, text_of
from tests.api.test_due_mails import AFTER_DEADLINE, REMINDER_AT, attachment, person, run_due, with_subject
from tests.factories import SEED_EVENT_ID, berlin, event

MOVED = {"starts_at": "2016-12-02T09:30:00", "ends_at": "2016-12-02T16:00:00"}
BASE = "https://api.example.org/api"


@pytest.fixture
def command(monkeypatch, clock, capsys):
    """Run a command of the command line on the tests' clock: (exit code, stdout, stderr)."""
    monkeypatch.setattr(cli, "now", clock)

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def calendar(mail):
    """The mail's calendar file, as icalendar and as vobject read it: (METHOD, VEVENT, vobject VEVENT)."""
    ics = attachment(mail, ".ics").get_content()
    parsed = icalendar.Calendar.from_ical(ics)
    other = vobject.readOne(ics)
    assert str(parsed["method"]) == other.method.value
    [entry] = parsed.walk("VEVENT")
    assert (str(entry["uid"]), int(entry["sequence"])) == (other.vevent.uid.value, int(other.vevent.sequence.value))
    return str(parsed["method"]), entry, other.vevent


def cancel_link(mail) -> str:
    [url] = re.findall(r"https://\S+/cancel\?token=\S+", text_of(mail))
    return url.removeprefix(BASE)


def registered(api, email, **values) -> str:
    return api.register(**person(email), **values)["registration_id"]


# --- a change told ---------------------------------------------------------------------------
def test_a_change_is_told_once_to_everyone_confirmed_or_waiting_in_their_language(api, client, store, clock, command):
    reload_events(store, event(capacity=2, waitlist=True))
    registered(api, "ana@example.org")
    registered(api, "ben@example.org", lang="en")
    registered(api, "cem@example.org")  # waiting
    dan = registered(api, "dan@example.org")  # waiting, then gone
    client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{dan}/cancel")
    [confirmation] = with_subject(mails_to("ana@example.org"), "Anmeldung bestätigt:")
    clock.now += timedelta(hours=1)
    reload_events(store, event(capacity=2, waitlist=True, **MOVED))

    code, out, _ = command("notify-change", SEED_EVENT_ID)

    assert code == 0
    assert "announced change 1" in out
    assert "Wann: Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr → Freitag, 2. Dezember 2016, 09:30–16:00 Uhr" in out
    assert "sent 3 mail(s) now; 3 registrant(s) told in all" in out
    [german] = with_subject(mails_to("ana@example.org"), "Geändert:")
    [english] = with_subject(mails_to("ben@example.org"), "Changed:")
    [waiting] = with_subject(mails_to("cem@example.org"), "Geändert:")
    assert with_subject(mails_to("dan@example.org"), "Geändert:") == []
    assert "Wann (neu): Freitag, 2. Dezember 2016, 09:30–16:00 Uhr" in text_of(german)
    assert "When (was): Thursday, 1 December 2016, 10:00–17:00" in text_of(english)
    # The same calendar entry, superseded: same UID, a higher SEQUENCE, the new time.
    _, first, _ = calendar(confirmation)
    method, moved, moved_v = calendar(german)
    assert method == "PUBLISH"
    assert str(moved["uid"]) == str(first["uid"])
    assert (int(first["sequence"]), int(moved["sequence"])) == (0, 1)
    assert moved.decoded("dtstart") == moved_v.dtstart.value == berlin(2016, 12, 2, 9, 30)
    assert [p for p in waiting.iter_attachments() if p.get_filename().endswith(".ics")] == []
    assert "Sie stehen weiterhin auf der Warteliste" in text_of(waiting)

    code, out, _ = command("notify-change", SEED_EVENT_ID)  # again: nothing new to tell
    assert code == 0
    assert "nothing changed since change 1 was announced" in out
    assert "nothing sent" in out
    assert len(with_subject(mails_to("ana@example.org"), "Geändert:")) == 1

    # The link in the notice cancels; who moves up gets the new time under the new SEQUENCE.
    assert client.http.post(cancel_link(german)).status_code == 200
    [promotion] = with_subject(mails_to("cem@example.org"), "Ein Platz ist frei geworden:")
    _, entry, _ = calendar(promotion)
    assert (int(entry["sequence"]), entry.decoded("dtstart")) == (1, berlin(2016, 12, 2, 9, 30))


def test_nothing_changed_sends_nothing(api, store, clock, command):
    registered(api, "ana@example.org")
    sent_mails()
    reload_events(store, event(title="Neuer Titel", capacity=20))  # neither time nor place
    code, out, _ = command("notify-change", SEED_EVENT_ID)
    assert code == 0
    assert "nothing changed since it was loaded: nothing to tell" in out
    assert with_subject(mails_to("ana@example.org"), "Geändert:") == []


def test_a_change_of_place_only_is_told_as_such(api, store, clock, command):
    registered(api, "ana@example.org")
    clock.now += timedelta(minutes=5)
    reload_events(store, event(location="Rathaus Wesel, Klever-Tor-Platz 1, 46483 Wesel"))
    assert command("notify-change", SEED_EVENT_ID)[0] == 0
    [notice] = with_subject(mails_to("ana@example.org"), "Geändert:")
    assert "Wo (neu): Rathaus Wesel" in text_of(notice)
    assert "Wann (" not in text_of(notice)
    assert "Wesel" in str(calendar(notice)[1]["location"])


def ana_told_of_a_move_then_ben_registers(api, store, clock, command):
    """Ana registers, the event moves (`MOVED`) and she is told; then Ben registers."""
    reload_events(store, event(registration_deadline="2016-11-30"))
    registered(api, "ana@example.org")
    clock.now += timedelta(minutes=5)
    reload_events(store, event(registration_deadline="2016-11-30", **MOVED))
    command("notify-change", SEED_EVENT_ID)
    clock.now += timedelta(minutes=5)
    registered(api, "ben@example.org")


def test_who_registers_after_a_change_gets_its_sequence_and_is_not_told_again(api, client, store, clock, command):
    ana_told_of_a_move_then_ben_registers(api, store, clock, command)
    [confirmation] = with_subject(mails_to("ben@example.org"), "Anmeldung bestätigt:")
    _, entry, _ = calendar(confirmation)
    assert (int(entry["sequence"]), entry.decoded("dtstart")) == (1, berlin(2016, 12, 2, 9, 30))
    clock.now = berlin(2016, 11, 30, 9, 30)  # two days before the new start
    run_due(client)
    assert with_subject(mails_to("ben@example.org"), "Geändert:") == []
    for address in ("ana@example.org", "ben@example.org"):
        [reminder] = with_subject(mails_to(address), "Erinnerung:")
        assert int(calendar(reminder)[1]["sequence"]) == 1


def test_a_second_change_is_told_to_everyone_under_the_next_sequence(api, store, clock, command):
    ana_told_of_a_move_then_ben_registers(api, store, clock, command)
    clock.now += timedelta(minutes=5)
    reload_events(store, event(registration_deadline="2016-11-30", starts_at="2016-12-03T10:00:00", ends_at=None))
    code, out, _ = command("notify-change", SEED_EVENT_ID)
    assert code == 0
    assert "announced change 2" in out
    first, second = with_subject(mails_to("ana@example.org"), "Geändert:")
    [only] = with_subject(mails_to("ben@example.org"), "Geändert:")
    assert "Wann (bisher): Freitag, 2. Dezember 2016, 09:30–16:00 Uhr" in text_of(second)
    assert "Wann (neu): Samstag, 3. Dezember 2016, ab 10:00 Uhr" in text_of(only)
    assert [int(calendar(m)[1]["sequence"]) for m in (first, second, only)] == [1, 2, 2]


def test_a_row_stored_before_this_version_compares_with_what_it_held(api, store, clock, command):
    registered(api, "ana@example.org")
    # As the row of an event loaded by an older version: no `announced` yet.
    conftest.test_client("dynamodb").update_item(
        TableName=store.table_name,
        Key={"event_id": {"S": SEED_EVENT_ID}, "sk": {"S": EVENT_SK}},
        UpdateExpression="REMOVE #told",
        ExpressionAttributeNames={"#told": ANNOUNCED},
    )
    clock.now += timedelta(minutes=5)
    reload_events(store, event(**MOVED))  # the first load of this version is the changed file
    assert command("notify-change", SEED_EVENT_ID)[0] == 0
    [notice] = with_subject(mails_to("ana@example.org"), "Geändert:")
    assert "Wann (bisher): Donnerstag, 1. Dezember 2016" in text_of(notice)


# --- when SES fails --------------------------------------------------------------------------
def failing_once(monkeypatch, at_call: int):
    """Mailer.send fails transiently at its `at_call`-th call, and only then."""
    real, calls = Mailer.send, []

    def send(self, mail, raw, tags=None):
        calls.append(mail.to)
        if len(calls) == at_call:
            raise ConnectionError("SES is unreachable")
        return real(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", send)


def three_registrants_and_a_change(api, store, clock):
    reload_events(store, event(capacity=2, waitlist=True))
    for address in ("ana@example.org", "ben@example.org", "cem@example.org"):
        registered(api, address)
    sent_mails()  # their confirmations, before SES goes down
    clock.now += timedelta(minutes=5)
    reload_events(store, event(capacity=2, waitlist=True, **MOVED))


def notices_to_everyone(prefix: str) -> list[int]:
    return [len(with_subject(mails_to(a), prefix)) for a in ("ana@example.org", "ben@example.org", "cem@example.org")]


def test_an_outage_stops_notify_change_and_the_same_command_sends_the_rest(api, store, clock, command, monkeypatch):
    three_registrants_and_a_change(api, store, clock)
    failing_once(monkeypatch, at_call=2)
    code, out, err = command("notify-change", SEED_EVENT_ID)
    assert code == 1
    assert "announced change 1" in out
    assert "sending stopped (ConnectionError): run it again: it sends the rest" in err
    code, out, _ = command("notify-change", SEED_EVENT_ID)
    assert code == 0
    assert "nothing changed since change 1 was announced" in out
    assert "sent 2 mail(s) now; 3 registrant(s) told in all" in out
    assert notices_to_everyone("Geändert:") == [1, 1, 1]
    assert int(calendar(with_subject(mails_to("ben@example.org"), "Geändert:")[0])[1]["sequence"]) == 1


def test_after_an_outage_the_due_function_sends_the_rest_of_a_change(api, client, store, clock, command, monkeypatch):
    three_registrants_and_a_change(api, store, clock)
    failing_once(monkeypatch, at_call=1)
    assert command("notify-change", SEED_EVENT_ID)[0] == 1
    clock.now += timedelta(minutes=15)
    assert run_due(client) == {"sent": {"registrant_changed": 3}}
    assert run_due(client) == {"sent": {}}  # done: the row says so, no further look
    assert store.event_rows.find(SEED_EVENT_ID).announcements.done == 1
    assert notices_to_everyone("Geändert:") == [1, 1, 1]


def test_a_notice_that_can_never_arrive_is_told_to_the_organisers(api, store, clock, command, monkeypatch):
    three_registrants_and_a_change(api, store, clock)
    real = Mailer.send

    def refuse_ben(self, mail, raw, tags=None):
        if mail.to == ("ben@example.org",):
            raise ClientError({"Error": {"Code": "MessageRejected", "Message": "rejected: content"}}, "SendRawEmail")
        return real(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", refuse_ben)
    code, out, _ = command("notify-change", SEED_EVENT_ID)
    assert code == 0  # parked, not retried: the organisers act on it
    assert "2 registrant(s) told in all, 1 not reached" in out
    [notice] = with_subject(organiser_mails(), "Nicht zugestellt:")
    assert "Die Mitteilung über die Änderung an Ben Choudhary" in text_of(notice)


# --- cancelling ------------------------------------------------------------------------------
def test_cancel_event_closes_registration_and_tells_everyone_once(api, client, store, clock, command):
    reload_events(store, event(capacity=2, waitlist=True))
    registered(api, "ana@example.org")
    registered(api, "ben@example.org", lang="en")
    registered(api, "cem@example.org")  # waiting
    [confirmation] = with_subject(mails_to("ana@example.org"), "Anmeldung bestätigt:")
    clock.now += timedelta(minutes=5)

    code, out, _ = command("cancel-event", SEED_EVENT_ID)

    assert code == 0
    assert f"{SEED_EVENT_ID}: cancelled; registration is closed" in out
    assert "3 registrant(s) told in all; the organisers got a mail" in out
    app_module.intake.events.clear()  # the API keeps an event for 10 s
    refused = api.post(email="late@example.org")
    assert (refused.status, refused.body["error"]) == (403, "registration_closed")
    view = client.http.get(f"/events/{SEED_EVENT_ID}")
    assert '"open":false' in view.body.decode().replace(" ", "")
    [german] = with_subject(mails_to("ana@example.org"), "Veranstaltung abgesagt:")
    [english] = with_subject(mails_to("ben@example.org"), "Event cancelled:")
    [waiting] = with_subject(mails_to("cem@example.org"), "Veranstaltung abgesagt:")
    _, first, _ = calendar(confirmation)
    for mail in (german, english):
        method, entry, entry_v = calendar(mail)
        assert method == "CANCEL"
        assert str(entry["uid"]) == str(first["uid"])
        assert int(entry["sequence"]) == 1 > int(first["sequence"])
        assert str(entry["status"]) == entry_v.status.value == "CANCELLED"
    assert attachment(german, ".ics").get_filename() == "absage.ics"
    assert attachment(english, ".ics").get_filename() == "cancellation.ics"
    assert [p for p in waiting.iter_attachments() if p.get_filename().endswith(".ics")] == []
    [organisers] = with_subject(organiser_mails(), "Veranstaltung abgesagt:")
    assert "Benachrichtigt (bestätigt oder auf der Warteliste): 3" in text_of(organisers)

    code, out, _ = command("cancel-event", SEED_EVENT_ID)  # again: nothing twice
    assert code == 0
    assert f"{SEED_EVENT_ID}: cancelled already" in out
    code, _, err = command("notify-change", SEED_EVENT_ID)
    assert code == 1
    assert "is cancelled" in err
    # No reminder, no closing mail: the event will not take place.
    clock.now = REMINDER_AT
    assert run_due(client) == {"sent": {}}
    clock.now = AFTER_DEADLINE
    assert run_due(client) == {"sent": {}}
    assert with_subject(mails_to("ana@example.org"), "Erinnerung:") == []
    assert with_subject(organiser_mails(), "Anmeldeschluss:") == []
    assert len(with_subject(sent_mails(), "Veranstaltung abgesagt:")) == 3  # two registrants, the organisers


def test_after_an_outage_the_due_function_finishes_a_cancellation(api, client, store, clock, command, monkeypatch):
    for address in ("ana@example.org", "ben@example.org", "cem@example.org"):
        registered(api, address)
    sent_mails()
    failing_once(monkeypatch, at_call=2)
    code, _, err = command("cancel-event", SEED_EVENT_ID)
    assert code == 1
    assert "run it again: it sends the rest" in err
    clock.now += timedelta(minutes=15)
    assert run_due(client) == {"sent": {"registrant_event_cancelled": 2, "organiser_event_cancelled": 1}}
    assert run_due(client) == {"sent": {}}
    assert notices_to_everyone("Veranstaltung abgesagt:") == [1, 1, 1]
    [organisers] = with_subject(organiser_mails(), "Veranstaltung abgesagt:")
    assert "Benachrichtigt (bestätigt oder auf der Warteliste): 3" in text_of(organisers)


def test_a_confirmation_held_back_by_an_outage_is_not_sent_after_the_cancellation(api, store, clock, command):
    registered(api, "ana@example.org")  # the mail function has not run yet
    command("cancel-event", SEED_EVENT_ID)
    mails = mails_to("ana@example.org")  # now it runs
    assert [str(m["Subject"]).split(":")[0] for m in mails] == ["Veranstaltung abgesagt"]


# --- the event row's write, its answer lost ------------------------------------------------
class LosesTheAnswer:
    """The real client, except that the announcement's write commits and its answer is lost; with
    `read_back_fails`, every read after it fails too, until reset."""

    def __init__(self, real):
        self.real, self.read_back_fails, self.reads_fail = real, False, False

    def __getattr__(self, name):
        return getattr(self.real, name)

    def update_item(self, **request):
        answer = self.real.update_item(**request)
        if ":next" in request.get("UpdateExpression", ""):
            self.reads_fail = self.read_back_fails
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")
        return answer

    def get_item(self, **request):
        if self.reads_fail:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "GetItem")
        return self.real.get_item(**request)


@pytest.fixture
def lost_answers(store, monkeypatch):
    faulty = LosesTheAnswer(store.table.client())
    monkeypatch.setattr(store.table, "client", lambda: faulty)
    settings = app_module.settings
    return faulty, Outbox(store, Mailer(settings.sender_email, settings.ses_configuration_set), settings)


def sequence_of(store) -> int:
    row = conftest.test_client("dynamodb").get_item(
        TableName=store.table_name, Key={"event_id": {"S": SEED_EVENT_ID}, "sk": {"S": EVENT_SK}}
    )
    return int(row["Item"][SEQUENCE]["N"])


def test_a_cancellation_whose_answer_was_lost_is_read_back_and_not_written_twice(api, store, clock, lost_answers):
    _, outbox = lost_answers
    registered(api, "ana@example.org")
    outcome = announcements.cancel_event(store, outbox, SEED_EVENT_ID, clock.now)
    assert outcome.announced_now
    assert sequence_of(store) == 1
    assert len(with_subject(mails_to("ana@example.org"), "Veranstaltung abgesagt:")) == 1


def test_a_change_whose_answer_and_read_back_were_lost_fails_and_the_next_run_tells_it_once(
    api, store, clock, lost_answers
):
    faulty, outbox = lost_answers
    registered(api, "ana@example.org")
    clock.now += timedelta(minutes=5)
    reload_events(store, event(**MOVED))
    faulty.read_back_fails = True
    with pytest.raises(StoreUnavailable):  # unknown whether it was written: nobody is told yet
        announcements.notify_change(store, outbox, SEED_EVENT_ID, clock.now)
    assert with_subject(mails_to("ana@example.org"), "Geändert:") == []
    faulty.read_back_fails = faulty.reads_fail = False
    outcome = announcements.notify_change(store, outbox, SEED_EVENT_ID, clock.now)
    assert not outcome.announced_now  # the first run's write had committed: found, not repeated
    assert sequence_of(store) == 1
    assert len(with_subject(mails_to("ana@example.org"), "Geändert:")) == 1
