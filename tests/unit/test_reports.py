"""The organisers' closing mail and daily digest, as written (pure): local times, the mail-merge CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from email import message_from_bytes
from email.policy import default

from chalicelib.due.owed import Counts, DayChanges
from chalicelib.due.reports import organiser_closing, organiser_digest
from chalicelib.mail.mime import to_mime
from chalicelib.model.registration import Registration
from tests.factories import event

BASE = {
    "event_id": "netzwerktreffen-nrw-2016",
    "given_name": "Ana",
    "family_name": "Adler",
    "email": "ana@example.org",
    "organisation": "Stadt Bonn",
    "status": "confirmed",
    "registered_at": "2016-11-09T17:04:00.000Z",
    "consent_at": "2016-11-09T17:04:00.000Z",
    "lang": "de",
}


def person(registration_id: str, **values) -> Registration:
    return Registration.from_stored({**BASE, "registration_id": registration_id, **values})


def plain(mail) -> str:
    message = message_from_bytes(to_mime(mail, "anmeldung@example.org").as_bytes(), policy=default)
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_the_digest_says_when_each_change_happened_on_the_events_clock():
    changes = DayChanges(
        registered=[person("1")],
        cancelled=[person("2", email="ben@example.org", status="cancelled", cancelled_at="2016-11-10T06:59:00.000Z")],
        promoted=[person("3", email="cem@example.org", promoted_at="2016-11-09T23:30:00.000Z")],
    )
    body = plain(organiser_digest(event(), date(2016, 11, 10), changes, Counts(2, 0, 1)))
    assert "ana@example.org · Stadt Bonn · bestätigt · 09.11.2016, 18:04" in body
    assert "ben@example.org · Stadt Bonn · abgesagt · 10.11.2016, 07:59" in body
    assert "cem@example.org · Stadt Bonn · bestätigt · 10.11.2016, 00:30" in body  # moved up after midnight
    assert "T17:04" not in body
    english = plain(organiser_digest(event(language="en"), date(2016, 11, 10), changes, Counts(2, 0, 1)))
    assert "ana@example.org · Stadt Bonn · confirmed · 9 Nov 2016, 18:04" in english


def test_the_closing_mails_csv_is_the_mail_merge_export_without_who_cancelled():
    people = [
        person("1"),
        person("2", email="ben@example.org", status="cancelled", cancelled_at="2016-11-10T06:59:00.000Z"),
    ]
    mail = organiser_closing(event(), "deadline", Counts(1, 0, 1), people)
    [sheet] = [a for a in mail.attachments if a.filename.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(sheet.data.decode("utf-8").removeprefix("\ufeff")), delimiter=";"))
    assert [(r["E-Mail"], r["Status"], r["Angemeldet am"]) for r in rows] == [
        ("ana@example.org", "bestätigt", "2016-11-09 18:04")
    ]
    assert "Abgesagt: 1" in plain(mail)  # the count still says who cancelled
