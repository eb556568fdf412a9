"""Exports an organiser opens in Excel: no formulas, umlauts intact."""

import csv
import io
import json

from chalicelib.model.registration import Registration
from chalicelib.texts.export import safe_cell, to_attendance_list, to_csv, to_json
from tests.factories import seed_event

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


def test_formula_starts_are_neutralised():
    for start in ["=", "+", "-", "@", "\t", "\r"]:
        assert safe_cell(start + "1", "de") == "'" + start + "1"
    assert safe_cell("Müller", "de") == "Müller"
    assert safe_cell(True, "de") == "ja"
    assert safe_cell(["A", "B"], "en") == "A; B"


def test_csv_starts_with_a_bom_and_has_a_column_per_question():
    out = to_csv(seed_event(), [Registration.from_stored(ITEM)])
    assert out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0]["family_name"] == "Müller"
    assert rows[0]["given_name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["organisation"] == "'+49 Verein"
    assert rows[0]["department"] == "'@Umwelt"
    assert list(rows[0])[-2:] == ["organisation_type", "department"]


def test_json_export_keeps_values_as_stored():
    assert json.loads(to_json([Registration.from_stored(ITEM)])) == [ITEM]


def test_the_attendance_list_has_confirmed_people_by_family_name_and_room_to_sign():
    items = [
        {**ITEM, "given_name": "Zoe", "family_name": "Adler", "organisation": "<b>Verein</b>"},
        {**ITEM, "given_name": "Ali", "family_name": "Özdemir"},
        {**ITEM, "given_name": "Wart", "family_name": "Liste", "status": "waitlisted"},
        {**ITEM, "given_name": "Bea", "family_name": "müller"},
    ]
    page = to_attendance_list(seed_event(), [Registration.from_stored(i) for i in items])
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


def test_a_semicolon_csv_for_german_excel():
    out = to_csv(seed_event(), [Registration.from_stored(ITEM)], ";")
    header = out.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("registration_id;status;")
