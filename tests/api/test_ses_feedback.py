"""Bounces and complaints, as SES publishes them through SNS, handled by the feedback function."""

from __future__ import annotations

import json

import app as app_module
from chalicelib import cli
from devstack.ses_feedback import ses_notice, sns_event
from tests.api.conftest import (
    alerts_published,
    mails_to,
    organiser_mails,
    registration_items,
    sent_mails,
    text_of,
)
from tests.factories import SEED_EVENT_ID

PATH = f"/events/{SEED_EVENT_ID}/registrations"
SENDER = "anmeldung@example.org"


def feed(kind, recipient, registration_id, mail_kind="registrant_confirmed", **options):
    tags = {"event_id": SEED_EVENT_ID, "registration_id": registration_id, "mail_kind": mail_kind}
    return app_module.handle_ses_feedback(sns_event(ses_notice(kind, recipient, tags, sender=SENDER, **options)), None)


def bounce_notices():
    return [m for m in organiser_mails() if str(m["Subject"]).startswith("Adresse unzustellbar")]


def test_a_bounced_confirmation_marks_the_registration_and_tells_the_organisers_once(api, client, store, capsys):
    registration_id = api.register(email="ana@exmaple.org", given_name="Ana")["registration_id"]
    sent_mails()
    assert feed("Bounce", "ana@exmaple.org", registration_id) == {"acted_on": 1}
    assert feed("Bounce", "ana@exmaple.org", registration_id) == {"acted_on": 0}  # SNS delivers twice at times
    [row] = registration_items(store)
    assert row["mail_problem"] == "bounced"
    assert row["mail_problem_detail"] == "Permanent/General"
    [notice] = bounce_notices()
    assert "vermutlich" in text_of(notice).lower()
    assert "ana@exmaple.org" in text_of(notice)
    assert notice["Reply-To"] is None  # not to the address that does not work
    assert "Telefonnummer" not in text_of(notice)  # Ana gave none
    assert "Platz bleiben bestehen" in text_of(notice)  # what the bounce means, and what to do
    sent_mails()
    assert len(bounce_notices()) == 1

    # Seen where organisers and admins look: the export and the admin API.
    assert cli.main(["export", SEED_EVENT_ID, "--format", "csv"]) == 0
    header, line = capsys.readouterr().out.lstrip("\ufeff").splitlines()[:2]
    assert line.split(";")[header.split(";").index("Mail-Problem")] == "unzustellbar"
    listed = json.loads(client.http.get(f"/admin/events/{SEED_EVENT_ID}/registrations?format=json").body)
    assert listed[0]["mail_problem"] == "bounced"


def test_a_bounce_notice_points_to_the_phone_number_only_when_one_was_given(api, store):
    registration_id = api.register(email="ben@exmaple.org", phone="+49 228 123-45")["registration_id"]
    sent_mails()
    feed("Bounce", "ben@exmaple.org", registration_id)
    [notice] = bounce_notices()
    assert "die Telefonnummer unten" in text_of(notice)
    assert "+49 228 123-45" in text_of(notice)


def test_a_soft_bounce_changes_nothing(api, store):
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    assert feed("Bounce", "ana@example.org", registration_id, permanent=False) == {"acted_on": 0}
    assert "mail_problem" not in registration_items(store)[0]


def test_a_complaint_stops_every_later_mail_of_the_event_to_that_address(api, client, store):
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    assert feed("Complaint", "ana@example.org", registration_id) == {"acted_on": 1}
    assert registration_items(store)[0]["mail_problem"] == "complaint"

    admin_cancel = client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{registration_id}/cancel")
    assert admin_cancel.status_code == 200
    api.register(email="ana@example.org")["registration_id"]  # registers again after the cancellation
    sent_mails()
    assert len(mails_to("ana@example.org")) == 1  # only the first confirmation, before the complaint
    assert any(str(m["Subject"]).startswith("Abmeldung:") for m in organiser_mails())  # organisers still told
    assert alerts_published() == []


def test_a_notice_about_an_organiser_address_raises_an_alert(api, store):
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    organiser = "pukhraj.choudhary@engagement-global.de"
    assert feed("Bounce", organiser, registration_id, mail_kind="organiser_new") == {"acted_on": 1}
    [(subject, message)] = alerts_published()
    assert "bounced" in subject
    assert SEED_EVENT_ID in subject
    assert "organiser_new" in message
    assert registration_id in message


def test_notices_that_are_not_ours_or_not_readable_are_skipped(api, store):
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    untagged = ses_notice("Bounce", "ana@example.org", {}, sender=SENDER)
    other_address = ses_notice(
        "Bounce",
        "someone@example.org",
        {"event_id": SEED_EVENT_ID, "registration_id": registration_id, "mail_kind": "registrant_confirmed"},
        sender=SENDER,
    )
    delivery = {"eventType": "Delivery", "mail": {}, "delivery": {}}
    records = [sns_event(m)["Records"][0] for m in (untagged, other_address, delivery)]
    records.append({"Sns": {"Message": "not json"}})
    assert app_module.handle_ses_feedback({"Records": records}, None) == {"acted_on": 0}
    assert "mail_problem" not in registration_items(store)[0]


def test_a_malformed_notice_holds_back_none_of_its_batch(api, store):
    registration_id = api.register(email="ana@exmaple.org")["registration_id"]
    sent_mails()
    tags = {"event_id": SEED_EVENT_ID, "registration_id": registration_id, "mail_kind": "registrant_confirmed"}
    malformed = ses_notice("Bounce", "ana@exmaple.org", tags, sender=SENDER)
    malformed["bounce"]["bouncedRecipients"] = ["ana@exmaple.org"]  # a recipient is an object in SES's JSON
    good = ses_notice("Bounce", "ana@exmaple.org", tags, sender=SENDER)
    records = [sns_event(m)["Records"][0] for m in (malformed, good)]
    assert app_module.handle_ses_feedback({"Records": records}, None) == {"acted_on": 1}
    assert registration_items(store)[0]["mail_problem"] == "bounced"
    assert len(bounce_notices()) == 1


def test_forget_erases_the_complaint_marker_too(api, store):
    registration_id = api.register(email="ana@example.org")["registration_id"]
    sent_mails()
    feed("Complaint", "ana@example.org", registration_id)
    assert store.mail_rows.complained(SEED_EVENT_ID, "ana@example.org")
    assert cli.main(["forget", "ana@example.org"]) == 0
    assert not store.mail_rows.complained(SEED_EVENT_ID, "ana@example.org")
