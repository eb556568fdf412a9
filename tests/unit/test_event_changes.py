"""Issue 23, pure parts: what changed between what registrants were told and the event now, who is
told, and the mails and calendar files that tell them (each parsed with icalendar and vobject)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import icalendar
import pytest
import vobject

from chalicelib.due.notices import recipients
from chalicelib.mail.changes import organiser_event_cancelled, registrant_changed, registrant_event_cancelled
from chalicelib.mail.ics import cancelled_ics, event_ics
from chalicelib.mail.mime import to_mime
from chalicelib.mail.notifications import registrant_confirmation
from chalicelib.model.appointment import (
    Announcements,
    Appointment,
    appointment_in_file,
    appointment_of,
    as_announced,
    changed_fields,
)
from chalicelib.model.registration import Status
from chalicelib.texts import when_text
from tests.factories import berlin, event, seed_event
from tests.unit.test_notifications import LINK, registration

NOW = datetime(2016, 11, 10, 11, 0, tzinfo=UTC)
MOVED = {"starts_at": "2016-12-02T09:30:00", "ends_at": "2016-12-02T16:00:00"}


# --- what changed ----------------------------------------------------------------------------
def test_nothing_changed_is_no_change():
    assert changed_fields(appointment_of(seed_event()), appointment_of(seed_event())) == []
    # Neither the title nor the seats are what registrants were told of time and place.
    assert changed_fields(appointment_of(seed_event()), appointment_of(event(title="Neu", capacity=5))) == []


@pytest.mark.parametrize(
    ("changes", "changed"),
    [
        ({"starts_at": "2016-12-01T11:00:00"}, ["when"]),
        ({"ends_at": "2016-12-01T18:00:00"}, ["when"]),
        ({"ends_at": None}, ["when"]),
        ({"timezone": "Europe/London"}, ["when"]),  # the same wall clock is another instant
        ({"location": "Rathaus Wesel"}, ["where"]),
        ({"location": None}, ["where"]),
        ({**MOVED, "location": "Rathaus Wesel"}, ["when", "where"]),
    ],
)
def test_a_change_of_start_end_zone_or_place_is_named(changes, changed):
    assert changed_fields(appointment_of(seed_event()), appointment_of(event(**changes))) == changed


def test_an_appointment_is_stored_without_nulls_and_read_back_equal():
    for e in (seed_event(), event(ends_at=None, location=None)):
        told = appointment_of(e)
        assert None not in told.as_stored().values()
        assert Appointment.from_stored(told.as_stored()) == told


def test_a_stored_definition_says_when_and_where_as_the_loaded_event_does():
    # What an older row holds (its JSON), compared with the file loaded now: unchanged is unchanged.
    import json

    assert appointment_in_file(json.loads(seed_event().model_dump_json())) == appointment_of(seed_event())


def test_the_event_as_announced_reads_as_it_was():
    was = as_announced(event(**MOVED, location="Wesel"), appointment_of(seed_event()))
    assert when_text(was, "de") == when_text(seed_event(), "de")
    assert was.location == seed_event().location


def test_notices_are_owed_until_the_latest_announcement_is_done():
    assert not Announcements().owed
    assert Announcements(sequence=2, done=1).owed
    assert not Announcements(sequence=2, done=2).owed


# --- who is told ---------------------------------------------------------------------------
def stored(at: str, status: Status = Status.CONFIRMED, **values):
    return dataclasses.replace(registration(), registered_at=at, status=status, **values)


def test_a_change_is_told_to_those_confirmed_or_waiting_before_it_was_announced():
    early, waiting = stored("2016-11-01T10:00:00.000Z"), stored("2016-11-02T10:00:00.000Z", Status.WAITLISTED)
    gone, late = stored("2016-11-03T10:00:00.000Z", Status.CANCELLED), stored("2016-11-06T10:00:00.000Z")
    same_moment = stored("2016-11-05T10:00:00.000Z")
    change = Announcements(sequence=1, changed_at="2016-11-05T10:00:00.000Z")
    assert recipients(change, [early, waiting, gone, same_moment, late]) == [early, waiting, same_moment]
    # A cancellation reaches everyone still registered, however late they came.
    cancellation = dataclasses.replace(change, sequence=2, cancelled_at="2016-11-05T12:00:00.000Z")
    assert recipients(cancellation, [early, waiting, gone, late]) == [early, waiting, late]


# --- calendar files --------------------------------------------------------------------------
def both_parsers(ics: bytes):
    """The one VEVENT as icalendar and as vobject read it, and the METHOD."""
    calendar = icalendar.Calendar.from_ical(ics)
    [entry] = calendar.walk("VEVENT")
    other = vobject.readOne(ics.decode("utf-8"))
    assert str(calendar["method"]) == other.method.value
    return str(calendar["method"]), entry, other.vevent


def test_a_changed_calendar_file_keeps_the_uid_and_raises_the_sequence():
    _, first, first_v = both_parsers(event_ics(seed_event(), "example.org", NOW))
    method, moved, moved_v = both_parsers(event_ics(event(**MOVED), "example.org", NOW, sequence=1))
    assert method == "PUBLISH"
    assert str(moved["uid"]) == str(first["uid"]) == moved_v.uid.value == first_v.uid.value
    assert (int(first["sequence"]), int(moved["sequence"])) == (0, 1)
    assert (int(first_v.sequence.value), int(moved_v.sequence.value)) == (0, 1)
    assert moved.decoded("dtstart") == berlin(2016, 12, 2, 9, 30)
    assert moved_v.dtstart.value == berlin(2016, 12, 2, 9, 30)


@pytest.mark.parametrize("address", ["ana@example.org", "a!#$%&*/=?^_`{|}~-@example.org", "ana@例え.jp"])
def test_a_cancelling_calendar_file_cancels_the_same_entry(address):
    _, first, _ = both_parsers(event_ics(seed_event(), "example.org", NOW, sequence=1))
    method, entry, entry_v = both_parsers(cancelled_ics(seed_event(), "example.org", NOW, sequence=2, attendee=address))
    assert method == "CANCEL"
    assert str(entry["uid"]) == str(first["uid"]) == entry_v.uid.value
    assert int(entry["sequence"]) == int(entry_v.sequence.value) == 2 > int(first["sequence"])
    assert str(entry["status"]) == entry_v.status.value == "CANCELLED"
    assert str(entry["attendee"]).startswith("mailto:")
    assert entry_v.attendee.value == str(entry["attendee"])


# --- the mails -------------------------------------------------------------------------------
def parse(mail):
    return message_from_bytes(to_mime(mail, "anmeldung@example.org").as_bytes(), policy=default)


def plain(message):
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def calendars(message):
    return [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


def changed_mail(language: str, status: Status = Status.CONFIRMED, **changes):
    reg = dataclasses.replace(registration(language=language), status=status)
    moved = event(**(changes or MOVED))
    before = appointment_of(seed_event())
    return parse(registrant_changed(moved, reg, LINK, before, uid_domain="example.org", now=NOW, sequence=3))


def test_the_change_says_what_was_and_what_is_in_the_registrants_language():
    german, english = plain(changed_mail("de")), plain(changed_mail("en"))
    assert "Wann (bisher): Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr" in german
    assert "Wann (neu): Freitag, 2. Dezember 2016, 09:30–16:00 Uhr" in german
    assert "When (was): Thursday, 1 December 2016, 10:00–17:00" in english
    assert "When (now): Friday, 2 December 2016, 09:30–16:00" in english
    assert "Wo (" not in german  # the place did not change
    assert LINK in german
    assert LINK in english
    place = plain(changed_mail("de", location="Rathaus Wesel"))
    assert "Wo (bisher): Rathaus Dinslaken" in place
    assert "Wo (neu): Rathaus Wesel" in place
    assert "Wann (" not in place


def test_a_confirmed_registrant_gets_the_updated_calendar_file_and_a_waiting_one_none():
    message = changed_mail("de")
    assert str(message["Subject"]).startswith("Geändert: ")
    [part] = calendars(message)
    assert part.get_filename() == "einladung.ics"
    assert part.get_param("method") == "PUBLISH"
    _, entry, entry_v = both_parsers(part.get_content().encode())
    assert int(entry["sequence"]) == int(entry_v.sequence.value) == 3
    waiting = changed_mail("en", Status.WAITLISTED)
    assert str(waiting["Subject"]).startswith("Changed: ")
    assert calendars(waiting) == []
    assert "You remain on the waiting list" in plain(waiting)


@pytest.mark.parametrize(
    ("language", "subject", "filename"),
    [("de", "Veranstaltung abgesagt: ", "absage.ics"), ("en", "Event cancelled: ", "cancellation.ics")],
)
def test_the_cancellation_removes_the_confirmation_entry(language, subject, filename):
    reg = registration(language=language)
    confirmation = parse(
        registrant_confirmation(seed_event(), reg, LINK, uid_domain="example.org", now=NOW, promoted=False)
    )
    message = parse(registrant_event_cancelled(seed_event(), reg, uid_domain="example.org", now=NOW, sequence=1))
    assert str(message["Subject"]).startswith(subject)
    [part] = calendars(message)
    assert (part.get_filename(), part.get_param("method")) == (filename, "CANCEL")
    method, entry, _ = both_parsers(part.get_content().encode())
    _, confirmed, _ = both_parsers(calendars(confirmation)[0].get_content().encode())
    assert method == "CANCEL"
    assert str(entry["uid"]) == str(confirmed["uid"])
    assert int(entry["sequence"]) > int(confirmed["sequence"])
    assert str(entry["attendee"]) == "mailto:ana@example.org"
    waiting = dataclasses.replace(reg, status=Status.WAITLISTED)
    assert (
        calendars(parse(registrant_event_cancelled(seed_event(), waiting, uid_domain="x.org", now=NOW, sequence=1)))
        == []
    )


def test_the_organisers_learn_how_many_were_told():
    body = plain(parse(organiser_event_cancelled(seed_event(), 12, 0)))
    assert "Benachrichtigt (bestätigt oder auf der Warteliste): 12" in body
    assert "Nicht zugestellt" not in body
    body = plain(parse(organiser_event_cancelled(event(language="en"), 12, 2)))
    assert "Told (confirmed or on the waiting list): 12" in body
    assert "Not delivered: 2" in body
