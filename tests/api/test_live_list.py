"""The organisers' live list: the link in every organisers' mail, in no registrant's, and
the page, CSV and attendance list it opens without credentials; nothing else opens."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError

import app as app_module
from chalicelib.mail.sender import Mailer
from chalicelib.model.events import expiry_epoch
from chalicelib.model.links import CancelLink, ListLink, cancel_token, list_token, list_url
from chalicelib.store.keys import event_key
from devstack.ses_feedback import ses_notice, sns_event
from tests.api.conftest import mails_to, organiser_mails, reload_events, sent_mails, text_of
from tests.factories import SEED_EVENT_ID, berlin, event

BASE = "https://api.example.org/api"
ORGANISER = "pukhraj.choudhary@engagement-global.de"
LIST_URL = re.compile(r"https://api\.example\.org/api/events/[a-z0-9-]+/list\?token=[A-Za-z0-9_%.-]+")
PRIVATE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def person(email, **values):
    return {"email": email, "given_name": email.split("@")[0].title(), **values}


def secret() -> str:
    return str(app_module.settings.link_secret)


def path_of(url: str) -> str:
    assert url.startswith(BASE)
    return url[len(BASE) :]


def list_link_in(mail) -> str:
    """The one list link of a mail: in its text, and the same in its HTML."""
    [url] = LIST_URL.findall(text_of(mail))
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="{url}"' in html
    return url


def headers_of(response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


def assert_private(response) -> None:
    headers = headers_of(response)
    for name, value in PRIVATE.items():
        assert headers[name] == value
    assert "noindex" in headers["x-robots-tag"]


def mentions_a_list_link(mail) -> bool:
    parts = [p.get_content() for p in mail.walk() if p.get_content_maintype() == "text"]
    return any("/list?token=" in part for part in parts)


def run_due(client) -> dict:
    scheduled = client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
    return client.lambda_.invoke("due", scheduled).payload


# --- the mails -----------------------------------------------------------------------------------
def test_every_organisers_mail_links_to_the_list_and_no_registrants_mail_does(api, client, store, clock, monkeypatch):
    reload_events(store, event(capacity=1, waitlist=True))
    api.register(**person("ana@example.org", family_name="Arslan"))
    ben = api.register(**person("ben@example.org", lang="en"))
    client.http.post(path_of(re.findall(r"https://\S+/cancel\?token=\S+", text_of(mails_to("ana@example.org")[0]))[0]))
    # A refused recipient (the organisers' notice that a mail did not arrive) and a bounce.
    real_send = Mailer.send

    def send(self, mail, raw, tags=None):
        if "typo@exmaple.org" in mail.to:
            error = {"Code": "MessageRejected", "Message": "failed the check: typo@exmaple.org"}
            raise ClientError({"Error": error}, "SendRawEmail")
        return real_send(self, mail, raw, tags)

    monkeypatch.setattr(Mailer, "send", send)
    api.register(**person("typo@exmaple.org"))
    sent_mails()
    tags = {"event_id": SEED_EVENT_ID, "registration_id": ben["registration_id"], "mail_kind": "registrant_promoted"}
    notice = ses_notice("Bounce", "ben@example.org", tags, sender="anmeldung@example.org")
    app_module.handle_ses_feedback(sns_event(notice), None)
    clock.now = berlin(2016, 11, 18, 0, 0, 1)  # after the deadline: the closing mail
    assert run_due(client)["sent"] == {"organiser_closing": 1}

    kinds = {str(m["Subject"]).split(":")[0] for m in organiser_mails()}
    assert kinds == {
        "Anmeldung",
        "Warteliste",
        "Abmeldung",
        "Nachgerückt",
        "Nicht zugestellt",
        "Adresse unzustellbar",
        "Anmeldeschluss",
    }
    links = {list_link_in(mail) for mail in organiser_mails()}
    assert len(links) == 1  # one event, one link
    [link] = links
    assert link.startswith(f"{BASE}/events/{SEED_EVENT_ID}/list?token=")
    [closing] = [m for m in organiser_mails() if str(m["Subject"]).startswith("Anmeldeschluss")]
    assert "über den Export" not in text_of(closing)
    assert "über den Link am Ende dieser Mail" in text_of(closing)
    assert text_of(closing).rstrip().endswith(link)

    registrants = [m for m in sent_mails() if m["To"] != ORGANISER]
    assert {m["To"] for m in registrants} == {"ana@example.org", "ben@example.org"}
    assert not any(mentions_a_list_link(m) for m in registrants)
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert not any(token in m.as_string() for m in registrants)

    page = client.http.get(path_of(link))
    assert page.status_code == 200
    assert "Arslan, Ana" in page.body.decode()


def test_the_daily_digest_links_to_the_list(api, client, store, clock):
    reload_events(store, event(organiser_mails="daily"))
    api.register(**person("ana@example.org"))
    clock.now = berlin(2016, 11, 11, 8, 0)
    assert run_due(client)["sent"] == {"organiser_digest": 1}
    [digest] = organiser_mails()
    assert str(digest["Subject"]).startswith("Tagesübersicht")
    assert client.http.get(path_of(list_link_in(digest))).status_code == 200


# --- the page ------------------------------------------------------------------------------------
def open_link(store) -> str:
    """The path of the seed event's list link, as the mails carry it."""
    record = store.event_rows.find(SEED_EVENT_ID)
    return path_of(list_url(BASE, secret(), ListLink(SEED_EVENT_ID, expiry_epoch(record.event))))


def test_the_list_shows_everyone_by_status_with_their_answers(api, client, store):
    reload_events(store, event(capacity=1, waitlist=True))
    api.register(**person("ana@example.org", family_name="<b>Arslan</b>", message="Zeile 1\nZeile 2"))
    api.register(**person("ben@example.org", organisation="Stadt Bonn"))
    api.register(**person("cem@example.org"))
    page = client.http.get(open_link(store))
    assert page.status_code == 200
    assert headers_of(page)["content-type"].startswith("text/html")
    assert_private(page)
    html = page.body.decode()
    assert '<html lang="de">' in html
    assert "Bestätigt (1)" in html
    assert "Warteliste (2)" in html
    assert "&lt;b&gt;Arslan&lt;/b&gt;, Ana" in html  # escaped, never markup
    assert "<b>Arslan" not in html
    assert "Zeile 1<br>Zeile 2" in html
    assert "ana@example.org" in html
    assert "Stadt Bonn" in html
    assert "Kommune" in html  # an answer to a question
    assert html.index("Ben") < html.index("Cem")  # first in line first
    assert 'data-label="Platz">2</td>' in html
    assert "@media print" in html
    assert 'name="viewport"' in html
    assert "<script" not in html


def test_the_list_is_in_the_events_language(api, client, store):
    reload_events(store, event(language="en"))
    api.register(**person("ana@example.org"))
    html = client.http.get(open_link(store), headers={"Accept-Language": "de"}).body.decode()
    assert '<html lang="en">' in html
    assert "Confirmed (1)" in html


def test_the_list_offers_the_exports_csv_and_the_attendance_list(api, client, store):
    api.register(**person("ana@example.org", family_name="=HYPERLINK(1)"))
    path = open_link(store)
    html = client.http.get(path).body.decode()
    token = parse_qs(urlsplit(path).query)["token"][0]
    hrefs = re.findall(r'<a href="([^"]+)"', html)
    assert len(hrefs) == 2
    assert all(h.startswith("?token=") for h in hrefs)  # the same signed address
    csv_href = next(h for h in hrefs if "format=csv" in h).replace("&amp;", "&")
    assert parse_qs(csv_href[1:])["token"] == [token]

    sheet = client.http.get(f"/events/{SEED_EVENT_ID}/list{csv_href}")
    assert sheet.status_code == 200
    assert_private(sheet)
    headers = headers_of(sheet)
    assert headers["content-type"].startswith("text/csv")
    assert headers["content-disposition"] == f'attachment; filename="anmeldungen-{SEED_EVENT_ID}.csv"'
    data = sheet.body.decode("utf-8") if isinstance(sheet.body, bytes) else sheet.body
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2
    assert "'=HYPERLINK(1)" in rows[1]  # the export's own guard against formulas

    attendance = client.http.get(f"{path}&format=attendance")
    assert attendance.status_code == 200
    assert_private(attendance)
    assert "Unterschrift" in attendance.body.decode()

    unknown = client.http.get(f"{path}&format=json")
    assert unknown.status_code == 400
    assert_private(unknown)


def test_no_registrations_yet(client, store):
    page = client.http.get(open_link(store))
    assert page.status_code == 200
    assert "Noch keine Anmeldungen." in page.body.decode()


# --- what it does not open -----------------------------------------------------------------------
def refused(client, path, **headers):
    response = client.http.get(path, headers=headers)
    assert response.status_code == 403
    assert_private(response)
    assert "ungültig oder abgelaufen" in response.body.decode() or "invalid or has expired" in response.body.decode()
    assert "@example.org" not in response.body.decode()
    return response


def test_an_altered_or_foreign_token_is_refused(api, client, store):
    api.register(**person("ana@example.org"))
    good = open_link(store)
    token = parse_qs(urlsplit(good).query)["token"][0]
    payload, signature = token.split(".")
    listed = f"/events/{SEED_EVENT_ID}/list?token="
    refused(client, listed + payload + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"))
    refused(client, listed + payload[:-1] + "." + signature)
    refused(client, listed)
    refused(client, f"/events/{SEED_EVENT_ID}/list")
    refused(client, listed + "garbage", **{"Accept-Language": "en"})
    # Signed with another secret.
    forged = list_token("x" * 40, ListLink(SEED_EVENT_ID, expiry_epoch(event())))
    refused(client, listed + forged)
    # A cancel token, however well signed, is no list token.
    cancel = cancel_token(secret(), CancelLink(SEED_EVENT_ID, "01ABCDEFGHJKMNPQRSTVWXYZ00", expiry_epoch(event())))
    refused(client, listed + cancel)
    # Nor a list token a cancel token.
    assert client.http.get(f"/cancel?token={token}").status_code == 403


def test_a_link_opens_only_its_own_events_list(api, client, store):
    reload_events(store, event(event_id="anderes-treffen"))
    api.register(event_id="anderes-treffen", **person("secret@example.org"))
    own = open_link(store)
    token = parse_qs(urlsplit(own).query)["token"][0]
    refused(client, f"/events/anderes-treffen/list?token={token}")
    other = list_url(BASE, secret(), ListLink("anderes-treffen", expiry_epoch(event(event_id="anderes-treffen"))))
    assert "secret@example.org" in client.http.get(path_of(other)).body.decode()
    assert "secret@example.org" not in client.http.get(own).body.decode()


def test_the_link_stops_working_when_the_registrations_expire(api, client, store, clock):
    api.register(**person("ana@example.org"))
    path = open_link(store)
    expires = expiry_epoch(event())
    clock.now = clock.now.fromtimestamp(expires, clock.now.tzinfo)
    assert client.http.get(path).status_code == 200
    clock.now += timedelta(seconds=1)
    refused(client, path)


def test_a_shorter_retention_ends_the_link_early(api, client, store, clock):
    api.register(**person("ana@example.org"))
    path = open_link(store)  # mailed while the event kept registrations 90 days
    reload_events(store, event(retention_days=1))
    clock.now = berlin(2016, 12, 3, 12, 0)
    refused(client, path)


def test_an_erased_event_is_refused(client, store):
    path = open_link(store)
    store.table.db().delete_item(TableName=store.table_name, Key=event_key(SEED_EVENT_ID))
    refused(client, path)


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_failure_goes_through_the_page_guard(client, store, monkeypatch, accept):
    from chalicelib.api import live_list

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(live_list, "live_list_page", broken)
    response = client.http.get(open_link(store), headers={"Accept": accept})
    assert response.status_code == 500
    body = response.body.decode()
    assert "boom" not in body
    if accept == "application/json":
        assert '"error": "internal_error"' in body
    else:
        assert body.startswith("<!doctype html>")


def test_the_route_is_public_and_documented(client):
    route = app_module.app.routes["/events/{event_id}/list"]["GET"]
    assert route.authorizer is None
    from chalicelib.api.openapi import openapi_document

    assert "get" in openapi_document()["paths"]["/events/{event_id}/list"]
