"""Phones: the generated page and every HTML answer of the API fit a viewport of 320
and 390 px without scrolling sideways, also for an event with long words, a long address and a
long e-mail contact, and entries as long. Chromium on the files themselves: no stack needed."""

from __future__ import annotations

import json

import pytest

from chalicelib.page.render import render_page
from tests.factories import PROJECT_DIR
from tests.unit.test_answer_pages import LONG_EVENT, answer_pages

WIDTHS = (320, 390)
API = "http://127.0.0.1:9/api"  # nothing listens: the page's script finds no API, as on a bad day
SCROLL_WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def phone(browser, request):
    """A page `request.param` px wide, with JavaScript, and one without."""
    width = request.param
    contexts = [
        browser.new_context(viewport={"width": width, "height": 700}, java_script_enabled=enabled)
        for enabled in (True, False)
    ]
    yield width, [context.new_page() for context in contexts]
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def long_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long-page")
    for name, content in render_page(LONG_EVENT, API).items():
        (folder / name).write_text(content, encoding="utf-8")
    return (folder / "index.html").as_uri()


def test_the_shipped_example_page_fits(phone):
    width, pages = phone
    for page in pages:
        page.goto((PROJECT_DIR / "examples" / "index.html").as_uri())
        assert page.evaluate(SCROLL_WIDTH) <= width


def test_a_generated_page_with_long_words_fits_with_and_without_javascript(phone, long_page):
    width, pages = phone
    for page in pages:
        page.goto(long_page)
        assert page.evaluate(SCROLL_WIDTH) <= width


def test_the_api_s_field_errors_shown_by_the_script_fit(phone, long_page):
    """The script's notes beside the fields and its list of them above the form."""
    width, (page, _) = phone
    errors = [
        {"field": name, "code": "x", "message": f"{name}: {'Kommunalentwicklungszusammenarbeit' * 2}"}
        for name in ("given_name", "email", "workshop", "topics", "photos", "consent")
    ]
    answer = {"error": "invalid", "message": "Please check your entries.", "errors": errors}
    page.route(
        f"{API}/events/{LONG_EVENT.event_id}/registrations",
        lambda route: route.fulfill(
            status=422,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps(answer),
        ),
    )
    page.goto(long_page)
    page.click("#submit")
    page.wait_for_selector("#form-status.error")
    assert page.locator(".field-error").count() == len(errors)
    assert page.evaluate(SCROLL_WIDTH) <= width


def test_every_answer_page_fits(phone):
    width, (page, without_script) = phone
    too_wide = {}
    for name, html in answer_pages().items():
        for each in (page, without_script):
            each.set_content(html)
            if each.evaluate(SCROLL_WIDTH) > width:
                too_wide[name] = each.evaluate(SCROLL_WIDTH)
    assert too_wide == {}
