"""SES notices not in SES's shape: logged without the address and skipped, never raised (a raise
makes Lambda deliver the notice again and again, then dead-letter it with its batch)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.mail import feedback
from devstack.ses_feedback import ses_notice, sns_event

ADDRESS = "ana@example.org"
TAGS = {"event_id": "netzwerktreffen-nrw-2016", "registration_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}


def bounce() -> dict[str, Any]:
    return ses_notice("Bounce", ADDRESS, {**TAGS, "mail_kind": "registrant_confirmed"}, sender="a@example.org")


def complaint() -> dict[str, Any]:
    return ses_notice("Complaint", ADDRESS, {**TAGS, "mail_kind": "registrant_confirmed"}, sender="a@example.org")


def changed(notice: Callable[[], dict[str, Any]], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    message = notice()
    change(message)
    return message


MALFORMED = {
    "mail a string": changed(bounce, lambda m: m.update(mail=ADDRESS)),
    "tags a list": changed(bounce, lambda m: m["mail"].update(tags=[ADDRESS])),
    "a tag a string": changed(bounce, lambda m: m["mail"]["tags"].update(registration_id=TAGS["registration_id"])),
    "a tag no tag value": changed(bounce, lambda m: m["mail"]["tags"].update(event_id=["x" * 300])),
    "bounce a string": changed(bounce, lambda m: m.update(bounce=ADDRESS)),
    "bounceType a number": changed(bounce, lambda m: m["bounce"].update(bounceType=5)),
    "bouncedRecipients a string": changed(bounce, lambda m: m["bounce"].update(bouncedRecipients=ADDRESS)),
    "a bounced recipient a string": changed(bounce, lambda m: m["bounce"].update(bouncedRecipients=[ADDRESS])),
    "a bounced recipient without address": changed(
        bounce, lambda m: m["bounce"].update(bouncedRecipients=[{"status": "5.1.1"}])
    ),
    "complaint a string": changed(complaint, lambda m: m.update(complaint=ADDRESS)),
    "complainedRecipients a dict": changed(
        complaint, lambda m: m["complaint"].update(complainedRecipients={"emailAddress": ADDRESS})
    ),
    "a complained recipient a string": changed(
        complaint, lambda m: m["complaint"].update(complainedRecipients=[ADDRESS])
    ),
}


class Untouchable:
    """A store or alert topic a skipped notice must never reach."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a malformed notice reached {name}")


@pytest.mark.parametrize("message", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_notice_is_logged_without_the_address_and_skipped(message, caplog):
    with pytest.raises(feedback.Malformed):
        feedback.read_notice(message)
    caplog.set_level(logging.INFO, logger="chalicelib.mail.feedback")
    records = sns_event(message)["Records"]
    assert feedback.handle_sns(records, Untouchable(), Untouchable(), "2016-11-10T11:00:00.000Z") == 0
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "not in SES's shape" in warning.getMessage()
    assert ADDRESS not in caplog.text
    assert "x" * 300 not in caplog.text


def test_a_delivery_is_never_read_however_it_looks(caplog):
    message = {"eventType": "Delivery", "mail": ADDRESS, "delivery": [ADDRESS]}
    assert feedback.read_notice(message) is None
    records = sns_event(message)["Records"]
    assert feedback.handle_sns(records, Untouchable(), Untouchable(), "2016-11-10T11:00:00.000Z") == 0
    assert caplog.records == []


def test_parts_left_out_or_null_count_as_empty():
    message = bounce()
    message["bounce"] = None
    del message["mail"]["tags"]
    notice = feedback.read_notice(json.loads(json.dumps(message)))
    assert notice == feedback.Notice("Bounce", (), False, "/", None, None, None)


def test_the_local_feedback_command_finds_the_stack_the_command_line_is_pointed_at():
    from devstack.ses_feedback import local_aws_port

    assert local_aws_port({"AWS_ENDPOINT_URL": "http://127.0.0.1:45123", "LOCAL_AWS_PORT": "4000"}) == 45123
    assert local_aws_port({"LOCAL_AWS_PORT": "4000"}) == 4000
    assert local_aws_port({}) == 4566


def test_the_local_feedback_command_without_a_stack_says_so_without_a_traceback():
    import socket
    import subprocess
    import sys

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    fed = subprocess.run(
        [sys.executable, "-m", "devstack.ses_feedback", "bounce", "ana@example.org", "--aws-port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fed.returncode == 1
    assert "is `make run` running?" in fed.stderr
    assert "Traceback" not in fed.stderr
