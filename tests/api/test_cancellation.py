"""The cancel link: GET asks, POST cancels; the seat goes to the first on the waiting list."""

from __future__ import annotations

import json
import re

from tests.api.conftest import mails_to, organiser_mails, registration_items, reload_events, text_of
from tests.factories import SEED_EVENT_ID, berlin, event

BASE = "https://api.example.org/api"


def person(email):
    return {"email": email, "given_name": email.split("@")[0].title()}


def cancel_path(address):
    """The link in the registrant's latest mail, as a path on the API."""
    [url] = re.findall(r"https://\S+/cancel\?token=\S+", text_of(mails_to(address)[-1]))
    assert url.startswith(BASE)
    return url[len(BASE) :]


def status_of(store, address):
    [item] = [i for i in registration_items(store) if i["email"] == address]
    return item["status"], item.get("waitlist_position")


def test_get_only_asks_and_changes_nothing(api, client, store):
    api.register(**person("ana@example.org"))
    page = client.http.get(cancel_path("ana@example.org"))
    assert page.status_code == 200
    assert '<form method="post">' in page.body.decode()
    assert "wirklich absagen" in page.body.decode()
    assert status_of(store, "ana@example.org") == ("confirmed", None)


def test_post_cancels_frees_the_seat_and_lets_the_address_register_again(api, client, store):
    reload_events(store, event(capacity=2))
    api.register(**person("ana@example.org"))
    path = cancel_path("ana@example.org")
    assert json.loads(client.http.get(f"/events/{SEED_EVENT_ID}").body)["seats_left"] == 1
    done = client.http.post(path)
    assert done.status_code == 200
    assert "Ihre Anmeldung ist abgesagt" in done.body.decode()
    assert status_of(store, "ana@example.org") == ("cancelled", None)
    assert json.loads(client.http.get(f"/events/{SEED_EVENT_ID}").body)["seats_left"] == 2
    [goodbye] = [m for m in mails_to("ana@example.org") if str(m["Subject"]).startswith("Abmeldung bestätigt")]
    assert goodbye
    assert [str(m["Subject"]).split(":")[0] for m in organiser_mails()] == ["Anmeldung", "Abmeldung"]
    assert api.post(email="ana@example.org").status == 201


def test_a_cancelled_seat_goes_to_the_first_on_the_waiting_list(api, client, store):
    reload_events(store, event(capacity=2, waitlist=True))
    for address in ["a@example.org", "b@example.org", "w1@example.org", "w2@example.org", "w3@example.org"]:
        api.register(**person(address))
    client.http.post(cancel_path("b@example.org"))
    assert status_of(store, "w1@example.org") == ("confirmed", 1)
    assert status_of(store, "w2@example.org") == ("waitlisted", 2)
    client.http.post(cancel_path("a@example.org"))
    assert status_of(store, "w2@example.org") == ("confirmed", 2)
    assert status_of(store, "w3@example.org") == ("waitlisted", 3)
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert record.confirmed == 2  # seats passed on, never freed in between

    [promotion] = [m for m in mails_to("w1@example.org") if "frei geworden" in str(m["Subject"])]
    assert "einladung.ics" in [p.get_filename() for p in promotion.iter_attachments()]
    subjects = [str(m["Subject"]).split(":")[0] for m in organiser_mails()]
    assert subjects.count("Abmeldung") == 2
    assert subjects.count("Nachgerückt") == 2


def test_leaving_the_waiting_list_promotes_nobody(api, client, store):
    reload_events(store, event(capacity=1, waitlist=True))
    for address in ["a@example.org", "w1@example.org", "w2@example.org"]:
        api.register(**person(address))
    assert client.http.post(cancel_path("w1@example.org")).status_code == 200
    assert status_of(store, "a@example.org") == ("confirmed", None)
    assert status_of(store, "w2@example.org") == ("waitlisted", 2)
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).confirmed == 1


def test_a_forged_or_expired_link_is_refused_with_403_and_a_used_one_says_it_is_done(api, client, store, clock):
    api.register(**person("ana@example.org"))
    path = cancel_path("ana@example.org")
    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    for method in (client.http.get, client.http.post):
        refused = method(forged)
        assert refused.status_code == 403
        assert refused.headers["Content-Type"].startswith("text/html")
        assert method("/cancel").status_code == 403
    clock.now = berlin(2016, 12, 1, 17, 0, 1)  # the event is over
    assert client.http.get(path).status_code == 403
    clock.now = berlin(2016, 11, 20, 12, 0)
    assert client.http.post(path).status_code == 200
    for method in (client.http.post, client.http.get):  # used: a second click, a resend
        again = method(path)
        assert again.status_code == 200
        assert "bereits abgesagt" in again.body.decode()
        assert "<form" not in again.body.decode()
    assert status_of(store, "ana@example.org") == ("cancelled", None)
    assert len([m for m in mails_to("ana@example.org") if "Abmeldung" in str(m["Subject"])]) == 1


def test_an_unreadable_link_secret_fails_cancel_links_but_not_registrations(api, client, store, monkeypatch):
    """In AWS the API function reads the secret on first need: if it cannot, a cancel link is
    answered 500 (logged, the 5xx alarm) and registrations, which do not need it, go on."""
    import dataclasses

    import app as app_module

    api.register(**person("ana@example.org"))
    path = cancel_path("ana@example.org")
    lost = dataclasses.replace(
        app_module.settings,
        link_secret_value=None,
        link_secret_arn="arn:aws:secretsmanager:eu-central-1:123456789012:secret:gone-AbCdEf",
    )
    monkeypatch.setattr(app_module, "settings", lost)
    page = client.http.get(path)
    assert page.status_code == 500
    assert "Traceback" not in page.body.decode()
    api.register(**person("ben@example.org"))
    assert status_of(store, "ana@example.org") == ("confirmed", None)
