"""Registrations over real HTTP, mail read back from the moto server, the CLI as an admin runs it."""

from __future__ import annotations

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from devstack.demo_event import DEMO_EVENT_ID
from tests.e2e.helpers import (
    mail_done,
    mails_to,
    mails_to_organiser_about,
    post,
    registrations_url,
    stored_rows,
    unique_address,
)
from tests.factories import submission


def test_a_plain_form_post_is_stored_and_the_organiser_mail_arrives(stack):
    address = unique_address()
    form = urlencode({**submission(email=address, given_name="Jürgen", family_name="Nguyễn"), "consent": "on"})
    status, _headers, page = post(
        registrations_url(stack), form.encode(), "application/x-www-form-urlencoded", Accept="text/html"
    )
    assert status == 201
    assert "Ihre Anmeldung ist eingegangen" in page

    [item] = [i for i in stored_rows(stack, DEMO_EVENT_ID) if i["email"] == address]
    assert (item["given_name"], item["family_name"], item["status"]) == ("Jürgen", "Nguyễn", "confirmed")

    [mail] = mails_to_organiser_about(stack, address)
    assert mail["to"] == ["organisation@example.org"]
    assert mail["source"] == stack.environment["SENDER_EMAIL"]
    assert "Jürgen Nguyễn" in mail["subject"]
    assert "Vorname: Jürgen" in mail["body"]
    assert item["registration_id"] in mail["body"]


def test_a_cross_origin_json_post_from_the_page_gets_cors(stack):
    status, headers, body = post(
        registrations_url(stack),
        json.dumps(submission(email=unique_address())).encode(),
        "application/json",
        Origin=stack.page_url,
    )
    assert status == 201
    assert headers["Access-Control-Allow-Origin"] == stack.page_url
    assert json.loads(body)["status"] == "confirmed"


def test_concurrent_posts_of_one_address_store_one_registration_and_send_one_mail(stack):
    address = unique_address()
    # The same form sent 16 times at once (the address in either case), and 8 other forms of it.
    variants = [(address.upper() if i % 2 else address, "Kommune") for i in range(16)]
    variants += [(address, "Landkreis")] * 8

    def register(variant):
        email, kind = variant
        body = json.dumps(submission(email=email, organisation_type=kind)).encode()
        status, _, text = post(registrations_url(stack), body, "application/json")
        return status, kind, json.loads(text).get("registration_id")

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(register, variants))
    items = [i for i in stored_rows(stack, DEMO_EVENT_ID) if i["email"].lower() == address]
    assert len(items) == 1
    stored = items[0]
    # Every post of the stored form is told it is registered (with its id); every other one is refused.
    for status, kind, registration_id in answers:
        if kind == stored["organisation_type"]:
            assert (status, registration_id) == (201, stored["registration_id"])
        else:
            assert (status, registration_id) == (409, None)
    mail_done(stack, DEMO_EVENT_ID, stored["registration_id"], kinds=2)
    assert len(mails_to(stack, address, timeout=0)) == 1
    assert len(mails_to_organiser_about(stack, address, timeout=0)) == 1


def test_the_demo_event_is_open_and_the_closed_announcement_refuses(stack):
    with urllib.request.urlopen(f"{stack.api_url}/events/{DEMO_EVENT_ID}", timeout=10) as response:
        assert json.load(response)["open"] is True
    status, _, body = post(
        registrations_url(stack, "netzwerktreffen-nrw-2016"),
        json.dumps(submission(email=unique_address())).encode(),
        "application/json",
    )
    assert (status, json.loads(body)["error"]) == (403, "registration_closed")


def test_the_example_page_is_served_on_its_own_origin_pointing_at_the_api(stack):
    with urllib.request.urlopen(f"{stack.page_url}/", timeout=10) as response:
        page = response.read().decode()
    assert f'action="{stack.api_url}/events/{DEMO_EVENT_ID}/registrations"' in page
    assert stack.page_url != stack.api_url


def test_the_cli_exports_what_the_api_stored(stack):
    address = unique_address()
    post(registrations_url(stack), json.dumps(submission(email=address)).encode(), "application/json")
    result = stack.cli("export", DEMO_EVENT_ID, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert address in {item["email"] for item in json.loads(result.stdout)}


def test_both_mails_arrive_within_seconds(stack):
    address = unique_address()
    started = time.monotonic()
    post(registrations_url(stack), json.dumps(submission(email=address)).encode(), "application/json")
    assert mails_to_organiser_about(stack, address, timeout=10)
    assert mails_to(stack, address, timeout=10)
    assert time.monotonic() - started < 10
