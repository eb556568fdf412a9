"""API tests: the real Chalice app through `chalice.test.Client`, AWS mocked in-process by moto."""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.config import Config
from chalice.test import Client
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

import app as app_module
from chalicelib.store import Store
from devstack import moto_queries, moto_transactions
from devstack.stream_reader import StreamReader, deliver
from tests.factories import PROJECT_DIR, SEED_EVENT_ID, berlin, seed_event, submission

# moto as the embedded AWS runs it: stock moto rolls a failed transaction back by putting a
# deep copy of the whole table in its place, which leaves every open stream iterator on the
# old copy (the mail function then never sees another record) and copies the table per
# action; and it sorts the whole table for every page of a Query.
moto_transactions.install()
moto_queries.install()


class Clock:
    def __init__(self) -> None:
        self.now = berlin(2016, 11, 10, 12, 0)

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The app's clock, set inside the seed event's registration window."""
    clock = Clock()
    monkeypatch.setattr(app_module, "now", clock)
    return clock


class SkippedTime:
    """Time as the service's budgets count it, with every wait skipped: `sleep` returns at once
    and moves `clock` on by as long, so a loop that would wait out a budget for seconds runs
    its rounds in milliseconds, the arithmetic unchanged."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def sleep(self, seconds: float) -> None:
        self.skipped += seconds

    def clock(self) -> float:
        return time.monotonic() + self.skipped


@pytest.fixture
def skipped_time(monkeypatch) -> SkippedTime:
    """The app's table waits without waiting (`SkippedTime`)."""
    skipped = SkippedTime()
    monkeypatch.setattr(app_module.store.table, "sleep", skipped.sleep)
    monkeypatch.setattr(app_module.store.table, "clock", skipped.clock)
    return skipped


@functools.cache
def test_client(service: str) -> Any:
    """A boto3 client for the tests' own calls, made once: building a client costs more than
    most tests (each test's `mock_aws` gives it fresh, empty AWS all the same)."""
    # botocore sends calls naming a stream ARN to an account-specific host that moto's
    # in-process mock does not route; the classic endpoint is the same service.
    return boto3.client(service, config=Config(account_id_endpoint_mode="disabled"))


class MailFunction:
    """The stream -> mail function mapping, run on demand: `deliver()` is one poll."""

    def __init__(self, table_name: str) -> None:
        self.reader = StreamReader(test_client("dynamodb"), test_client("dynamodbstreams"), table_name)
        self.pending: list[dict] = []

    def deliver(self) -> None:
        self.pending = deliver(self.reader, app_module.send_mails, self.pending + self.reader.read())


_mail_function: list[MailFunction] = []


@pytest.fixture
def store():
    """A fresh mocked table with the seed event, and a verified sender."""
    # The app's clients are kept across tests too (`aws.reset` in a test that changes their
    # settings drops them): each `mock_aws` resets AWS, not the clients that reach it.
    with mock_aws():
        table = Store(os.environ["TABLE_NAME"])
        table.table.create()
        test_client("ses").verify_email_identity(EmailAddress=os.environ["SENDER_EMAIL"])
        test_client("sns").create_topic(Name=os.environ["ALERT_TOPIC_ARN"].rpartition(":")[2])
        table.event_rows.save([seed_event()])
        _mail_function[:] = [MailFunction(table.table_name)]
        yield table


@pytest.fixture
def mail_function(store) -> MailFunction:
    return _mail_function[0]


def reload_events(store: Store, *events) -> None:
    """What an admin's `load-events` does, without waiting out the app's event cache."""
    store.event_rows.save(list(events))
    app_module.intake.events.clear()


@pytest.fixture
def client(store, clock):
    app_module.intake.events.clear()
    with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


def sent_mails() -> list[EmailMessage]:
    """Every raw message handed to (mocked) SES, parsed back, after the mail function has run."""
    _mail_function[0].deliver()
    backend = ses_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]]
    return [message_from_string(m.raw_data, policy=default) for m in backend.sent_messages]


def alerts_published() -> list[tuple[str, str]]:
    """(subject, message) of every alert published to the (mocked) alert topic."""
    backend = sns_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]]
    topic = backend.topics[os.environ["ALERT_TOPIC_ARN"]]
    return [(subject, message) for _, message, subject, *_ in topic.sent_notifications]


def organiser_mails() -> list[EmailMessage]:
    return [m for m in sent_mails() if m["To"] == "pukhraj.choudhary@engagement-global.de"]


def mails_to(address: str) -> list[EmailMessage]:
    return [m for m in sent_mails() if m["To"] == address]


def text_of(mail: EmailMessage) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def all_items(store: Store) -> list[dict]:
    client = test_client("dynamodb")
    return client.scan(TableName=store.table_name)["Items"]


def registration_items(store: Store, event_id: str = "netzwerktreffen-nrw-2016") -> list[dict]:
    """The registrations (not markers or mail records), under their stored attribute names."""
    return [registration.as_stored() for registration in store.registration_rows.of_event(event_id)]


@dataclass(frozen=True)
class Answer:
    """An answer of the API: its status, its JSON body (empty when it had none) and its headers
    (names in lower case)."""

    status: int
    body: dict
    headers: dict


class Api:
    """The registration endpoint, posted to through the app as a page's script posts (JSON)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def send(self, document: dict, *, event_id: str = SEED_EVENT_ID, form: bool = False, **headers) -> Answer:
        """Post `document` as it is: JSON, or urlencoded as a plain HTML form sends it."""
        if form:
            body = urlencode({k: ("on" if v is True else v) for k, v in document.items()}, doseq=True).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            body, kind = json.dumps(document).encode(), "application/json"
        response = self.client.http.post(
            f"/events/{event_id}/registrations", headers={"Content-Type": kind, **headers}, body=body
        )
        headers = {name.lower(): value for name, value in response.headers.items()}
        is_json = headers.get("content-type", "").startswith("application/json")
        return Answer(response.status_code, json.loads(response.body) if is_json else {}, headers)

    def post(self, *, event_id: str = SEED_EVENT_ID, headers: dict | None = None, **values) -> Answer:
        """Post the seed submission with `values` changed."""
        return self.send(submission(**values), event_id=event_id, **(headers or {}))

    def register(self, *, event_id: str = SEED_EVENT_ID, **values) -> dict:
        """Post the seed submission with `values` changed; it must be answered 201: its body."""
        answer = self.post(event_id=event_id, **values)
        assert answer.status == 201, answer.body
        return answer.body


@pytest.fixture
def api(client) -> Api:
    return Api(client)
