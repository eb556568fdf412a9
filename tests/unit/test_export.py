"""Exports an organiser opens in Excel or feeds a mail merge: no formulas, umlauts intact, headers
and statuses in the event's language, times on the event's clock; JSON as stored."""

import csv
import io
import json

import pytest

from chalicelib.model.registration import Registration
from chalicelib.texts.export import render, to_attendance_list, to_json
from chalicelib.texts.sheet import safe_cell, to_csv
from tests.factories import event, every_question_event, seed_event

ITEM = {
    "event_id": "netzwerktreffen-nrw-2016",
    "registration_id": "01ABC",
    "status": "confirmed",
    "registered_at": "2016-11-10T11:00:00.000Z",
    "given_name": '=HYPERLINK("http://evil")',
    "family_name": "Müller",
    "email": "m@example.org",
    "organisation": "+49 Verein",
    "message": "-minus",
    "consent_at": "2016-11-10T11:00:00.000Z",
    "consent_version": "1",
    "lang": "de",
    "organisation_type": "Kommune",
    "department": "@Umwelt",
}


def registrations(*items):
    return [Registration.from_stored(i) for i in items]


def rows_of(out: str, separator: str = ";") -> list[dict]:
    assert out.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff")), delimiter=separator))


def header_of(out: str, separator: str = ";") -> list[str]:
    return next(csv.reader(io.StringIO(out.removeprefix("\ufeff")), delimiter=separator))


def test_formula_starts_are_neutralised():
    for start in ["=", "+", "-", "@", "\t", "\r"]:
        assert safe_cell(start + "1", "de") == "'" + start + "1"
    assert safe_cell("Müller", "de") == "Müller"
    assert safe_cell(True, "de") == "ja"
    assert safe_cell(["A", "B"], "en") == "A; B"


def test_csv_starts_with_a_bom_and_no_cell_is_a_formula():
    [row] = rows_of(to_csv(seed_event(), registrations(ITEM), ";"))
    assert row["Nachname"] == "Müller"
    assert row["Vorname"] == '\'=HYPERLINK("http://evil")'
    assert row["Organisation"] == "'+49 Verein"
    assert row["Fachbereich"] == "'@Umwelt"
    assert row["Nachricht"] == "'-minus"


def test_a_german_events_csv_is_headed_in_german_for_a_mail_merge():
    out = to_csv(seed_event(), registrations(ITEM), ";")
    assert header_of(out) == [
        "Vorname",
        "Nachname",
        "E-Mail",
        "Organisation",
        "Funktion",
        "Telefon",
        "Status",
        "Platz auf der Warteliste",
        "Art der Organisation",  # the questions by their labels, not `organisation_type`
        "Fachbereich",
        "Nachricht",
        "Angemeldet am",
        "Nachgerückt am",
        "Eingewilligt am",
        "Fassung der Einwilligung",
        "Sprache",
        "Mail-Problem",
        "Anmeldungs-ID",
    ]
    [row] = rows_of(out)
    assert (row["Status"], row["Art der Organisation"], row["Anmeldungs-ID"]) == ("bestätigt", "Kommune", "01ABC")


def test_an_english_events_csv_is_headed_in_english_with_commas():
    e = every_question_event()
    item = {**ITEM, "event_id": e.event_id, "workshop": "Morning", "topics": ["Climate", "Trade"], "photos": True}
    out = render(e, registrations(item)).body
    header = header_of(out, ",")
    assert header[:8] == [
        "Given name",
        "Family name",
        "E-mail",
        "Organisation",
        "Role",
        "Phone",
        "Status",
        "Place on the waiting list",
    ]
    assert "Dietary requirements" in header
    assert "Registered on" in header
    [row] = rows_of(out, ",")
    assert (row["Status"], row["Workshop"], row["Topics of interest"]) == ("confirmed", "Morning", "Climate; Trade")
    assert row["I agree to appear in photos of the day"] == "yes"


def test_times_are_local_to_the_event_and_read_as_dates_by_excel():
    summer = {**ITEM, "registered_at": "2016-07-04T14:33:35.292Z", "consent_at": "2016-07-04T14:33:35.292Z"}
    moved = {**ITEM, "registration_id": "02", "promoted_at": "2016-11-30T23:30:00.000Z", "waitlist_position": 1}
    winter, promoted = rows_of(to_csv(seed_event(), registrations(summer, moved), ";"))
    assert (winter["Angemeldet am"], winter["Eingewilligt am"]) == ("2016-07-04 16:33", "2016-07-04 16:33")  # CEST
    assert promoted["Angemeldet am"] == "2016-11-10 12:00"  # CET
    assert promoted["Nachgerückt am"] == "2016-12-01 00:30"  # the next day in Berlin
    assert winter["Nachgerückt am"] == ""
    other_zone = event(timezone="America/New_York")
    [row] = rows_of(to_csv(other_zone, registrations(summer), ";"))
    assert row["Angemeldet am"] == "2016-07-04 10:33"


def test_who_cancelled_is_left_out_unless_all_are_asked_for():
    items = registrations(
        ITEM,
        {**ITEM, "registration_id": "02", "email": "weg@example.org", "status": "cancelled",
         "cancelled_at": "2016-11-12T09:15:00.000Z"},
    )  # fmt: skip
    assert [r["E-Mail"] for r in rows_of(to_csv(seed_event(), items, ";"))] == ["m@example.org"]
    assert "Abgesagt am" not in header_of(to_csv(seed_event(), items, ";"))
    everyone = rows_of(to_csv(seed_event(), items, ";", include_cancelled=True))
    assert [(r["E-Mail"], r["Status"], r["Abgesagt am"]) for r in everyone] == [
        ("m@example.org", "bestätigt", ""),
        ("weg@example.org", "abgesagt", "2016-11-12 10:15"),
    ]
    # The same rule for JSON (as stored) and for the admin API's and command line's dispatcher.
    assert [r["email"] for r in json.loads(render(seed_event(), items, "json").body)] == ["m@example.org"]
    assert len(json.loads(render(seed_event(), items, "json", include_cancelled=True).body)) == 2


def test_someone_who_moved_up_is_confirmed_without_a_place_and_the_waiting_are_numbered_in_line():
    items = registrations(
        {**ITEM, "registration_id": "01", "waitlist_position": 1, "promoted_at": "2016-11-11T10:00:00.000Z"},
        {**ITEM, "registration_id": "02", "status": "cancelled", "waitlist_position": 2,
         "cancelled_at": "2016-11-11T10:00:00.000Z"},
        {**ITEM, "registration_id": "04", "status": "waitlisted", "waitlist_position": 4, "waitlist_place": 2},
        {**ITEM, "registration_id": "03", "status": "waitlisted", "waitlist_position": 3, "waitlist_place": 2},
    )  # fmt: skip
    rows = rows_of(to_csv(seed_event(), items, ";", include_cancelled=True))
    assert [(r["Anmeldungs-ID"], r["Status"], r["Platz auf der Warteliste"]) for r in rows] == [
        ("01", "bestätigt", ""),
        ("02", "abgesagt", ""),
        ("04", "Warteliste", "2"),  # 3 is ahead of it: places in line now, 1 moves up next
        ("03", "Warteliste", "1"),
    ]


def test_choices_and_problems_read_in_the_events_language():
    e = event(
        questions=[
            {
                "id": "art",
                "label": {"de": "Art", "en": "Kind"},
                "type": "choice",
                "choices": ["Kommune", "Andere"],
                "choice_labels": {"en": {"Kommune": "Municipality"}},
            }
        ]
    )
    item = {**ITEM, "art": "Kommune", "mail_problem": "bounced"}
    [row] = rows_of(to_csv(e, registrations(item), ";"))
    assert (row["Art"], row["Mail-Problem"]) == ("Kommune", "unzustellbar")
    english = e.model_copy(update={"language": "en"})
    [row] = rows_of(to_csv(english, registrations({**item, "mail_problem": "complaint"}), ","), ",")
    assert (row["Kind"], row["Mail problem"]) == ("Municipality", "marked as spam")


@pytest.mark.parametrize("label", ["Organisation", "status", "=SUM(A1)"])
def test_a_question_labelled_like_another_column_gets_its_id_and_no_header_is_a_formula(label):
    e = event(
        questions=[{"id": "frage", "label": label, "type": "text"}, {"id": "zwei", "label": label, "type": "text"}]
    )
    header = header_of(to_csv(e, registrations({**ITEM, "frage": "x"}), ";"))
    assert len(set(header)) == len(header)
    if label == "=SUM(A1)":
        assert header[8:10] == ["'=SUM(A1) (frage)", "'=SUM(A1) (zwei)"]
    else:
        assert header[8:10] == [f"{label} (frage)", f"{label} (zwei)"]


def test_json_export_keeps_values_as_stored():
    assert json.loads(to_json(registrations(ITEM))) == [ITEM]


def test_the_attendance_list_has_confirmed_people_by_family_name_and_room_to_sign():
    items = [
        {**ITEM, "given_name": "Zoe", "family_name": "Adler", "organisation": "<b>Verein</b>"},
        {**ITEM, "given_name": "Ali", "family_name": "Özdemir"},
        {**ITEM, "given_name": "Wart", "family_name": "Liste", "status": "waitlisted"},
        {**ITEM, "given_name": "Bea", "family_name": "müller"},
    ]
    page = to_attendance_list(seed_event(), registrations(*items))
    assert page.startswith("<!doctype html>")
    assert "Teilnahmeliste" in page
    assert "Unterschrift" in page
    assert "Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr" in page
    names = [line.split("</td>")[0] for line in page.split("<tr><td>")[1:]]
    assert [n.split("<td>")[-1] for n in names] == ["1", "2", "3"]
    assert page.index("Adler, Zoe") < page.index("müller, Bea") < page.index("Özdemir, Ali")
    assert "Liste, Wart" not in page
    assert "&lt;b&gt;Verein&lt;/b&gt;" in page
    assert page.count("<td class=sign></td>") == 3
    assert "2016-11-10" not in page  # no stored instant: the event's own local date only


def test_a_semicolon_csv_for_german_excel():
    out = to_csv(seed_event(), registrations(ITEM), ";")
    assert out.removeprefix("\ufeff").splitlines()[0].startswith("Vorname;Nachname;E-Mail;")
