"""Mail through the real path: stream -> mail function -> SES, with outages and the cancel link."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from chalicelib.config.stage_config import PROJECT_DIR
from devstack.alert_printer import AlertPrinter, subscribe_queue
from devstack.demo_event import DEMO_EVENT_ID
from devstack.mail_poller import DEAD_LETTER_QUEUE
from devstack.mailbox import sent_mails
from devstack.stack import LocalStack, free_port
from tests.e2e.helpers import (
    aws_calls,
    mail_done,
    mails_to,
    mails_to_organiser_about,
    post,
    registrations_url,
    stored_rows,
    unique_address,
    wait_for_call,
)
from tests.factories import submission


def register(stack, address):
    status, _, text = post(registrations_url(stack), json.dumps(submission(email=address)).encode(), "application/json")
    assert status == 201
    return json.loads(text)["registration_id"]


def test_an_ses_outage_delays_mail_but_loses_none_and_doubles_none(stack):
    ses = stack.aws_client("ses")
    sender = stack.environment["SENDER_EMAIL"]
    ses.delete_identity(Identity=sender)
    try:
        address = unique_address()
        tried = aws_calls(stack, "mail-function")["SendRawEmail"]
        registration_id = register(stack, address)  # 201 although SES refuses right now
        wait_for_call(stack, "mail-function", "SendRawEmail", after=tried)  # tried, and refused
        assert mails_to(stack, address, timeout=0) == []
    finally:
        ses.verify_email_identity(EmailAddress=sender)
    assert mail_done(stack, DEMO_EVENT_ID, registration_id, kinds=2) == {
        "organiser_new": "sent",
        "registrant_confirmed": "sent",
    }
    assert len(mails_to(stack, address, timeout=0)) == 1
    assert len(mails_to_organiser_about(stack, address, timeout=0)) == 1


def test_the_cancel_link_in_the_mail_works_over_http(stack):
    address = unique_address()
    register(stack, address)
    [confirmation] = mails_to(stack, address)
    [link] = re.findall(r"http://\S+/cancel\?token=\S+", confirmation["body"])
    assert link.startswith(stack.api_url)
    with urllib.request.urlopen(link, timeout=10) as page:
        assert "Ja, Anmeldung absagen" in page.read().decode()
    request = urllib.request.Request(link, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as page:
        assert "Ihre Anmeldung ist abgesagt" in page.read().decode()
    [item] = [i for i in stored_rows(stack, DEMO_EVENT_ID) if i["email"] == address]
    assert item["status"] == "cancelled"
    assert len(mails_to(stack, address, expected=2)) == 2  # confirmation, then the cancellation


@pytest.fixture
def impatient_stack(tmp_path):
    """A second stack whose mail function gives up after two tries."""
    log = (tmp_path / "stack.log").open("wb")
    with LocalStack(
        free_port(), free_port(), free_port(), log_to=log, environment={"MAIL_RETRY_ATTEMPTS": "2"}
    ) as running:
        yield running
    log.close()


def test_a_batch_that_keeps_failing_lands_in_the_dead_letter_queue_and_can_be_replayed(impatient_stack):
    stack = impatient_stack
    ses, sqs = stack.aws_client("ses"), stack.aws_client("sqs")
    sender = stack.environment["SENDER_EMAIL"]
    ses.delete_identity(Identity=sender)
    address = unique_address()
    register(stack, address)
    queue = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        queues = sqs.list_queues().get("QueueUrls", [])
        queue = next((q for q in queues if q.endswith(DEAD_LETTER_QUEUE)), None)
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []) if queue else []
        if messages:
            break
        time.sleep(0.2)
    [message] = messages
    info = json.loads(message["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] >= 1
    assert mails_to(stack, address, timeout=0) == []

    ses.verify_email_identity(EmailAddress=sender)
    replay = stack.cli("send-mails", DEMO_EVENT_ID)
    assert replay.returncode == 0, replay.stderr
    assert "sent 2 mail(s)" in replay.stdout
    assert len(mails_to(stack, address)) == 1
    assert len(mails_to_organiser_about(stack, address)) == 1
    again = stack.cli("send-mails")
    assert "sent 0 mail(s)" in again.stdout


def test_a_bounce_fed_in_locally_reaches_the_organisers(stack):
    address = unique_address()
    register(stack, address)
    assert len(mails_to(stack, address)) == 1
    fed = subprocess.run(  # pointed at the stack as every local command is: AWS_ENDPOINT_URL
        [sys.executable, "-m", "devstack.ses_feedback", "bounce", address],
        env={**os.environ, "AWS_ENDPOINT_URL": stack.aws_url},
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fed.returncode == 0, fed.stderr
    assert "{'acted_on': 1}" in fed.stdout
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        notices = [m for m in sent_mails(stack.aws_url) if m["subject"].startswith("Adresse unzustellbar")]
        notices = [m for m in notices if address in m["body"]]
        if notices:
            break
        time.sleep(0.1)
    assert len(notices) == 1
    [item] = [i for i in stored_rows(stack, DEMO_EVENT_ID) if i["email"] == address]
    assert item["mail_problem"] == "bounced"


def test_alerts_published_locally_are_printed(stack):
    sns, sqs = stack.aws_client("sns"), stack.aws_client("sqs")
    printed = []
    printer = AlertPrinter(sqs, subscribe_queue(sns, sqs, stack.environment["ALERT_TOPIC_ARN"]), printed.append)
    printer.start()
    try:
        sns.publish(TopicArn=stack.environment["ALERT_TOPIC_ARN"], Subject="a test alert", Message="what to do")
        deadline = time.monotonic() + 10
        while not printed and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        printer.stop()
    assert len(printed) == 1
    assert "ALERT: a test alert" in printed[0]
    assert "what to do" in printed[0]
