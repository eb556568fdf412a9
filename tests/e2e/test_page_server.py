"""`make run` serves the page `cli page` makes for every loaded event, built from the table."""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError

import pytest

from chalicelib.mail.notifications import when_text
from chalicelib.page.render import render_page
from devstack.demo_event import DEMO_EVENT_ID
from tests.factories import SEED_EVENT_ID, event


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.geturl(), dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, url, dict(error.headers), error.read().decode()


def test_the_demo_page_at_the_root_shows_the_demo_events_own_date(stack):
    demo = stack.store().event_rows.find(DEMO_EVENT_ID).event
    status, _, headers, page = get(f"{stack.page_url}/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert when_text(demo, "de") in page
    assert "Dezember 2016" not in page  # the announcement's date, which the old demo page showed
    assert f'action="{stack.api_url}/events/{DEMO_EVENT_ID}/registrations"' in page
    assert page == render_page(demo, stack.api_url)["index.html"]


def test_every_loaded_event_has_its_page_and_files(stack):
    status, url, _, page = get(f"{stack.page_url}/{SEED_EVENT_ID}")  # redirected to the folder
    assert (status, url) == (200, f"{stack.page_url}/{SEED_EVENT_ID}/")
    assert f'action="{stack.api_url}/events/{SEED_EVENT_ID}/registrations"' in page
    assert "Donnerstag, 1. Dezember 2016, 10:00–17:00 Uhr" in page
    shipped = stack.store().event_rows.find(SEED_EVENT_ID).event
    for name, content_type in (("register.js", "text/javascript"), ("register.css", "text/css")):
        status, _, headers, body = get(f"{stack.page_url}/{SEED_EVENT_ID}/{name}")
        assert (status, headers["Content-Type"]) == (200, f"{content_type}; charset=utf-8")
        assert body == render_page(shipped, stack.api_url)[name]
    status, _, _, privacy = get(f"{stack.page_url}/{SEED_EVENT_ID}/privacy.html")
    assert "Wir löschen Ihre Angaben 90 Tage nach der Veranstaltung." in privacy


def test_every_loaded_events_page_may_read_the_api(stack):
    """Locally the page server's origin is added to each event's allowed_origins, so its script works."""
    _, _, headers, body = get(f"{stack.api_url}/events/{SEED_EVENT_ID}", Origin=stack.page_url)
    assert headers["Access-Control-Allow-Origin"] == stack.page_url
    assert [q["id"] for q in json.loads(body)["questions"]] == ["organisation_type", "department"]


def test_an_event_loaded_later_is_served_at_once(stack):
    stack.store().event_rows.save([event(event_id="spaeter-geladen", title="Später geladen")])
    status, _, _, page = get(f"{stack.page_url}/spaeter-geladen/")
    assert status == 200
    assert "<h1>Später geladen</h1>" in page


@pytest.mark.parametrize("path", ["/kein-treffen/", "/kein-treffen/index.html", f"/{SEED_EVENT_ID}/x.html", "/a/b/c"])
def test_what_is_not_there_is_404(stack, path):
    assert get(f"{stack.page_url}{path}")[0] == 404
