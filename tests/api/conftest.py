"""API tests: the real Chalice app through `chalice.test.Client`, AWS mocked in-process by moto."""

from __future__ import annotations

import json
import os
from email import message_from_string
from email.message import EmailMessage
from email.policy import default

import boto3
import pytest
from botocore.config import Config
from chalice.test import Client
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

import app as app_module
from chalicelib.config import aws
from chalicelib.seats import placing
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


class MailFunction:
    """The stream -> mail function mapping, run on demand: `deliver()` is one poll."""

    def __init__(self, table_name: str) -> None:
        # botocore sends calls naming a stream ARN to an account-specific host that moto's
        # in-process mock does not route; the classic endpoint is the same service.
        streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self.reader = StreamReader(boto3.client("dynamodb"), streams, table_name)
        self.pending: list[dict] = []

    def deliver(self) -> None:
        self.pending = deliver(self.reader, app_module.send_mails, self.pending + self.reader.read())


_mail_function: list[MailFunction] = []


@pytest.fixture
def store():
    """A fresh mocked table with the seed event, and a verified sender."""
    with mock_aws():
        aws.reset()
        table = Store(os.environ["TABLE_NAME"])
        table.table.create()
        boto3.client("ses").verify_email_identity(EmailAddress=os.environ["SENDER_EMAIL"])
        boto3.client("sns").create_topic(Name=os.environ["ALERT_TOPIC_ARN"].rpartition(":")[2])
        table.events.save([seed_event()])
        placing.crowd = placing.Crowd()  # this instance has seen no crowd yet
        _mail_function[:] = [MailFunction(table.table_name)]
        yield table
    aws.reset()


@pytest.fixture
def mail_function(store) -> MailFunction:
    return _mail_function[0]


def reload_events(store: Store, *events) -> None:
    """What an admin's `load-events` does, without waiting out the app's event cache."""
    store.events.save(list(events))
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
    client = boto3.client("dynamodb")
    return client.scan(TableName=store.table_name)["Items"]


def registration_items(store: Store, event_id: str = "netzwerktreffen-nrw-2016") -> list[dict]:
    """The registrations (not markers or mail records), under their stored attribute names."""
    return [registration.as_stored() for registration in store.registrations.of_event(event_id)]


def registered_id(client, **values) -> str:
    """Register the seed submission with `values` changed (JSON); the new registration's id."""
    body = json.dumps(submission(**values)).encode()
    response = client.http.post(
        f"/events/{SEED_EVENT_ID}/registrations", headers={"Content-Type": "application/json"}, body=body
    )
    assert response.status_code == 201, response.body
    return json.loads(response.body)["registration_id"]
