"""GDPR: consent on record, retention, erasure and the access report, exports an organiser opens."""

from __future__ import annotations

import csv
import io
import json

from chalicelib.cli import main
from tests.api.conftest import all_items, mails_to, registration_items, reload_events, sent_mails
from tests.factories import SEED_EVENT_ID, event

OTHER = "zweites-treffen"


def rows_mentioning(store, text):
    return [item for item in all_items(store) if text.lower() in json.dumps(item, ensure_ascii=False).lower()]


def test_consent_time_and_version_are_stored_and_exported(api, store, capsys):
    api.register(email="ana@example.org")
    [item] = registration_items(store)
    assert item["consent_version"] == "2016-11-01"  # the shipped event's consent text version
    assert item["consent_at"] == "2016-11-10T11:00:00.000Z"
    capsys.readouterr()
    assert main(["export", SEED_EVENT_ID, "--separator", ";"]) == 0
    out = capsys.readouterr().out
    [row] = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert (row["Eingewilligt am"], row["Fassung der Einwilligung"]) == ("2016-11-10 12:00", "2016-11-01")


def test_every_row_about_a_registration_expires_with_it(api, store):
    api.register(email="ana@example.org")
    sent_mails()  # the mail records exist too
    expected = registration_items(store)[0]["expires_at"]
    personal = [i for i in all_items(store) if i["sk"]["S"].split("#")[0] in ("registration", "email", "mail")]
    assert len(personal) == 4  # registration, marker, two mail records
    assert {int(i["expires_at"]["N"]) for i in personal} == {expected}


def test_forget_erases_the_person_everywhere_and_passes_the_seat_on(api, store, capsys):
    reload_events(store, event(capacity=1, waitlist=True), event(event_id=OTHER, title="Zweites Treffen"))
    api.register(email="Ana.Forget@example.org", given_name="Ana", family_name="Vergessen")
    api.register(email="waiting@example.org", given_name="Wanda")
    api.register(event_id=OTHER, email="ana.forget@EXAMPLE.org", given_name="Ana", family_name="Vergessen")
    api.register(event_id=OTHER, email="bystander@example.org", given_name="Bea")
    sent_mails()
    capsys.readouterr()

    assert main(["forget", "ANA.FORGET@example.org"]) == 0
    out = capsys.readouterr().out
    assert out.count("removed registration") == 2
    assert "seat passed to" in out
    assert "2 registration(s) erased" in out

    assert rows_mentioning(store, "ana.forget@example.org") == []
    assert rows_mentioning(store, "Vergessen") == []
    statuses = {i["email"]: i["status"] for e in (SEED_EVENT_ID, OTHER) for i in registration_items(store, e)}
    assert statuses == {"waiting@example.org": "confirmed", "bystander@example.org": "confirmed"}
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 1
    assert store.event_rows.find(OTHER, consistent=True).confirmed == 1
    mails = sent_mails()
    assert not [m for m in mails if "forget" in str(m["To"]).lower() and "Abmeldung" in str(m["Subject"])]
    assert any("frei geworden" in str(m["Subject"]) for m in mails_to("waiting@example.org"))

    assert main(["forget", "ana.forget@example.org"]) == 0
    assert "nothing stored" in capsys.readouterr().out


def test_forget_also_erases_a_cancelled_registration(api, store, capsys):
    api.register(email="ana@example.org")
    [item] = store.registration_rows.of_event(SEED_EVENT_ID)
    store.seat_transactions.cancel(item, None, "2016-11-11T10:00:00.000Z")
    api.register(email="ana@example.org")  # registered again after cancelling
    capsys.readouterr()
    assert main(["forget", "ana@example.org"]) == 0
    assert capsys.readouterr().out.count("removed registration") == 2
    assert rows_mentioning(store, "ana@example.org") == []
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 0


def test_the_access_report_shows_everything_stored_about_one_address(api, store, capsys):
    api.register(email="ana@example.org", message="Ich bringe Kuchen mit.")
    api.register(email="someone.else@example.org")
    sent_mails()
    capsys.readouterr()
    assert main(["access-report", "ANA@example.org"]) == 0
    report = json.loads(capsys.readouterr().out)
    [registration] = report["registrations"]
    assert registration["email"] == "ana@example.org"
    assert registration["message"] == "Ich bringe Kuchen mit."
    assert registration["consent_version"] == "2016-11-01"
    assert registration["one_per_address_marker"] is True
    assert sorted(m["kind"] for m in registration["mails"]) == ["organiser_new", "registrant_confirmed"]
    assert "someone.else" not in json.dumps(report)


def test_an_address_with_an_international_domain_is_found_as_typed(api, store, capsys):
    api.register(email="anna@bücher.de")
    capsys.readouterr()
    assert main(["access-report", "Anna@Bücher.de"]) == 0
    assert len(json.loads(capsys.readouterr().out)["registrations"]) == 1
    assert main(["forget", "anna@bücher.de"]) == 0
    assert "1 registration(s) erased" in capsys.readouterr().out
    assert registration_items(store) == []
