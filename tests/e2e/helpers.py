"""What the end-to-end and browser tests share: posting over HTTP, reading mails back from the
embedded AWS, and waiting for the mail function to be done with a registration."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import Counter
from urllib.error import HTTPError

from chalicelib.store.keys import mail_kind
from devstack.demo_event import DEMO_EVENT_ID
from devstack.embedded_aws import CALLS_PATH
from devstack.mailbox import sent_mails

FINAL_MAIL_STATES = frozenset({"sent", "failed", "suppressed"})


def post(url, body: bytes, content_type: str, **headers):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def registrations_url(stack, event_id=DEMO_EVENT_ID):
    return f"{stack.api_url}/events/{event_id}/registrations"


def unique_address():
    return f"e2e-{uuid.uuid4().hex[:10]}@example.org"


def mails_to_organiser_about(stack, address, expected=1, timeout=15.0):
    """The organiser mails about `address`, once `expected` of them have arrived (mail is sent
    by the mail function, a moment after the registration is stored)."""
    deadline = time.monotonic() + timeout
    while True:
        mails = [m for m in sent_mails(stack.aws_url) if address.lower() in [r.lower() for r in m["reply_to"]]]
        if len(mails) >= expected or time.monotonic() > deadline:
            return mails
        time.sleep(0.05)


def mails_to(stack, address, expected=1, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        mails = [m for m in sent_mails(stack.aws_url) if [a.lower() for a in m["to"]] == [address.lower()]]
        if len(mails) >= expected or time.monotonic() > deadline:
            return mails
        time.sleep(0.05)


def mail_done(stack, event_id: str, registration_id: str, kinds: int, timeout: float = 20.0) -> dict[str, str]:
    """Wait until the mail function is done with the registration: `kinds` mail rows, none of
    them still being sent. From then on a repeated delivery finds every claim taken, so what
    SES holds is final. Returns kind -> state."""
    store = stack.store()
    registration = store.registration_rows.get(event_id, registration_id)
    assert registration is not None, f"no registration {registration_id}"
    deadline = time.monotonic() + timeout
    while True:
        rows = {mail_kind(row["sk"]): row["mail_state"] for row in store.mail_rows.records_of(registration)}
        if len(rows) >= kinds and set(rows.values()) <= FINAL_MAIL_STATES:
            return rows
        assert time.monotonic() < deadline, f"the mail function did not finish: {rows}"
        time.sleep(0.05)


def aws_calls(stack, caller: str) -> Counter[str]:
    """How many calls of each AWS operation `caller` has made (the embedded AWS counts them)."""
    with urllib.request.urlopen(f"{stack.aws_url}{CALLS_PATH}", timeout=10) as response:
        return Counter(json.load(response).get(caller, {}))


def wait_for_call(stack, caller: str, operation: str, after: int, timeout: float = 20.0) -> None:
    """Wait until `caller` has called `operation` more than `after` times."""
    deadline = time.monotonic() + timeout
    while aws_calls(stack, caller)[operation] <= after:
        assert time.monotonic() < deadline, f"{caller} never called {operation}"
        time.sleep(0.05)


def stored_rows(stack, event_id: str) -> list[dict]:
    """The event's registrations as stored (attribute names as in the console)."""
    return [registration.as_stored() for registration in stack.store().registration_rows.of_event(event_id)]
