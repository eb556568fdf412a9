"""AWS faults on the request path: 503 with Retry-After, and the table exactly as before."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

import app as app_module
from chalicelib.store.pending_rows import PendingRows
from chalicelib.store.store_errors import Overtaken
from tests.api.conftest import all_items, reload_events, sent_mails
from tests.factories import SEED_EVENT_ID, client_error, event, submission

PATH = f"/events/{SEED_EVENT_ID}/registrations"


FAULTS = {
    "throttled": lambda op: client_error("ThrottlingException", op),
    "throughput": lambda op: client_error("ProvisionedThroughputExceededException", op),
    "internal": lambda op: client_error("InternalServerError", op),
    "conflicts beyond the retries": lambda op: client_error(
        "TransactionCanceledException", op, [{"Code": "None"}, {"Code": "TransactionConflict"}, {"Code": "None"}]
    ),
    "read timeout": lambda op: ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com"),
    "connect timeout": lambda op: ConnectTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com"),
}


class Faulty:
    """The real DynamoDB client, except that `operation` always fails with `fault`."""

    def __init__(self, real, operation, fault):
        self.real, self.operation, self.fault, self.calls = real, operation, fault, 0

    def __getattr__(self, name):
        if name != self.operation:
            return getattr(self.real, name)

        def fail(**_):
            self.calls += 1
            raise self.fault(name)

        return fail


@pytest.fixture
def inject(store, monkeypatch):
    def with_fault(operation, name):
        faulty = Faulty(app_module.store.table.client(), operation, FAULTS[name])
        monkeypatch.setattr(app_module.store.table, "client", lambda: faulty)
        return faulty

    return with_fault


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_write_fault_answers_503_and_leaves_the_table_untouched(client, store, inject, skipped_time, fault):
    reload_events(store, event(capacity=5))
    before = all_items(store)
    faulty = inject("transact_write_items", fault)
    response = client.http.post(
        PATH, headers={"Content-Type": "application/json"}, body=json.dumps(submission()).encode()
    )
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert json.loads(response.body)["error"] == "unavailable"
    assert faulty.calls >= 1
    assert all_items(store) == before  # no registration, no marker, no seat, no hourly count
    assert sent_mails() == []


@pytest.mark.parametrize("fault", ["throttled", "internal", "read timeout"])
def test_a_fault_reading_the_event_answers_503(client, store, inject, fault):
    inject("get_item", fault)
    response = client.http.post(
        PATH, headers={"Content-Type": "application/json"}, body=json.dumps(submission()).encode()
    )
    assert response.status_code == 503
    assert json.loads(response.body)["error"] == "unavailable"
    described = client.http.get(f"/events/{SEED_EVENT_ID}")
    assert described.status_code == 503
    assert int(described.headers["Retry-After"]) > 0


def test_a_conflict_that_clears_is_retried_and_succeeds(client, store, monkeypatch):
    monkeypatch.setattr(app_module.store.table, "sleep", lambda _: None)
    real = app_module.store.table.client()
    attempts = []

    class ConflictTwice:
        def __getattr__(self, name):
            if name != "transact_write_items":
                return getattr(real, name)

            def transact(**kwargs):
                attempts.append(1)
                if len(attempts) <= 2:
                    raise FAULTS["conflicts beyond the retries"](name)
                return real.transact_write_items(**kwargs)

            return transact

    monkeypatch.setattr(app_module.store.table, "client", lambda: ConflictTwice())
    response = client.http.post(
        PATH, headers={"Content-Type": "application/json"}, body=json.dumps(submission()).encode()
    )
    assert response.status_code == 201
    assert len(attempts) == 4  # the join (after two conflicts), then the placing


def test_every_route_answers_503_not_500_when_dynamodb_is_down(client, store, inject):
    inject("get_item", "internal")
    origin = {"Origin": "https://skew.engagement-global.de"}
    for response in (
        client.http.options(PATH, headers=origin),
        client.http.options(f"/events/{SEED_EVENT_ID}", headers=origin),
        client.http.get(f"/events/{SEED_EVENT_ID}", headers=origin),
        client.http.get("/admin/events/x-y-z/registrations"),
    ):
        assert response.status_code == 503, response.body
        assert int(response.headers["Retry-After"]) > 0
    assert client.http.get("/cancel?token=abc.def").status_code == 403  # refused before any read


def test_an_unexpected_error_in_browser_mode_is_an_html_page(client, monkeypatch):
    def explode(*_, **__):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app_module.intake, "register", explode)
    response = client.http.post(
        PATH,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html", "Accept-Language": "de"},
        body=b"given_name=A",
    )
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert "Ein unerwarteter Fehler ist aufgetreten" in page
    assert "secret" not in page


def test_contention_that_never_ends_gets_a_503_within_the_budget(client, store, skipped_time, monkeypatch):
    reload_events(store, event(capacity=1, waitlist=True))
    client.http.post(PATH, headers={"Content-Type": "application/json"}, body=json.dumps(submission()).encode())

    def always_lost(*_, **__):
        raise Overtaken()

    monkeypatch.setattr(PendingRows, "number", always_lost)
    before = all_items(store)
    response = client.http.post(
        PATH,
        headers={"Content-Type": "application/json"},
        body=json.dumps(submission(email="late@example.org")).encode(),
    )
    assert response.status_code == 503
    assert all_items(store) == before
