"""API tests: the real Chalice app through `chalice.test.Client`, AWS mocked in-process by moto."""

from __future__ import annotations

import os
from email import message_from_string
from email.message import EmailMessage
from email.policy import default

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

import app as app_module
from chalicelib import aws
from chalicelib.store import Store
from tests.factories import PROJECT_DIR, berlin, seed_event


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


@pytest.fixture
def store():
    """A fresh mocked table with the seed event, and a verified sender."""
    with mock_aws():
        aws.reset()
        table = Store(os.environ["TABLE_NAME"])
        table.create_table()
        boto3.client("ses").verify_email_identity(EmailAddress=os.environ["SENDER_EMAIL"])
        table.save_events([seed_event()])
        yield table
    aws.reset()


def reload_events(store: Store, *events) -> None:
    """What an admin's `load-events` does, without waiting out the app's event cache."""
    store.save_events(list(events))
    app_module.intake.events.clear()


@pytest.fixture
def client(store, clock):
    app_module.intake.events.clear()
    with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


def sent_mails() -> list[EmailMessage]:
    """Every raw message handed to (mocked) SES, parsed back."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]]
    return [message_from_string(m.raw_data, policy=default) for m in backend.sent_messages]


def all_items(store: Store) -> list[dict]:
    client = boto3.client("dynamodb")
    return client.scan(TableName=store.table_name)["Items"]


def registration_items(store: Store, event_id: str = "netzwerktreffen-nrw-2016") -> list[dict]:
    return list(store.registrations(event_id))
