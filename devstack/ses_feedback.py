"""Feed SES a bounce or a complaint, as SNS hands it to the feedback function in AWS.

    .venv/bin/python -m devstack.ses_feedback bounce ana@example.org     # while `make run` runs
    .venv/bin/python -m devstack.ses_feedback complaint ana@example.org

The notice is the JSON the SES developer guide documents ("Examples of event data that
Amazon SES publishes to Amazon SNS"), for the newest registration of the address, with the
tags the mail function sends. The real handler (`app.handle_ses_feedback`) runs on it; the
organisers' mail that follows is printed by `make run` like every mail.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from chalicelib.config.settings import FEEDBACK_HANDLER

SES_TIME = "%Y-%m-%dT%H:%M:%S.000Z"


def ses_notice(kind: str, recipient: str, tags: dict[str, str], *, sender: str, permanent: bool = True) -> dict:
    """A Bounce or Complaint event record as SES publishes it through a configuration set."""
    now = datetime.now(UTC).strftime(SES_TIME)
    record: dict[str, Any] = {
        "eventType": kind,
        "mail": {
            "timestamp": now,
            "source": sender,
            "sourceArn": f"arn:aws:ses:eu-central-1:123456789012:identity/{sender}",
            "sendingAccountId": "123456789012",
            "messageId": f"local-{uuid.uuid4()}",
            "destination": [recipient],
            "headersTruncated": False,
            "tags": {"ses:configuration-set": ["registrations"], **{k: [v] for k, v in tags.items()}},
        },
    }
    if kind == "Bounce":
        record["bounce"] = {
            "bounceType": "Permanent" if permanent else "Transient",
            "bounceSubType": "General" if permanent else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": now,
            "feedbackId": f"local-{uuid.uuid4()}",
            "reportingMTA": "dsn; mta.example.com",
        }
    else:
        record["complaint"] = {
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": now,
            "feedbackId": f"local-{uuid.uuid4()}",
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": now,
        }
    return record


def sns_event(message: dict, topic_arn: str = "arn:aws:sns:eu-central-1:123456789012:ses-feedback") -> dict:
    """The event Lambda receives from an SNS subscription, holding `message`."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": json.dumps(message),
                    "Timestamp": datetime.now(UTC).strftime(SES_TIME),
                    "MessageAttributes": {},
                },
            }
        ]
    }


def local_aws_port(environ: Mapping[str, str]) -> int:
    """The port of the local stack's AWS: the one the command line is pointed at
    (`AWS_ENDPOINT_URL`, as docs/development.md has it), else `LOCAL_AWS_PORT`, else 4566."""
    endpoint = urlsplit(environ.get("AWS_ENDPOINT_URL", ""))
    return endpoint.port or int(environ.get("LOCAL_AWS_PORT", "4566"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.ses_feedback", description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=("bounce", "complaint"))
    parser.add_argument("address")
    parser.add_argument(
        "--aws-port",
        type=int,
        default=local_aws_port(os.environ),
        help="the embedded AWS's port (default: AWS_ENDPOINT_URL's, else LOCAL_AWS_PORT, else 4566)",
    )
    args = parser.parse_args(argv)

    from devstack.stack import LocalStack

    stack = LocalStack(args.aws_port, 0, 0)
    os.environ.update(stack.environment)
    os.environ["_HANDLER"] = FEEDBACK_HANDLER  # as Lambda names it: app.py checks the settings
    from app import handle_ses_feedback
    from chalicelib.store.store_errors import StoreUnavailable

    try:
        found = stack.store().scans.registrations_of(args.address)
    except StoreUnavailable:
        print(f"error: no local AWS answers at {stack.aws_url}: is `make run` running?", file=sys.stderr)
        return 1
    registrations = sorted(found, key=lambda r: r.registration_id)
    if not registrations:
        print(f"error: no registration of {args.address} in the local stack", file=sys.stderr)
        return 1
    newest = registrations[-1]
    tags = {
        "event_id": newest.event_id,
        "registration_id": newest.registration_id,
        "mail_kind": "registrant_confirmed",
    }
    notice = ses_notice(args.kind.capitalize(), newest.email, tags, sender=stack.environment["SENDER_EMAIL"])
    result = handle_ses_feedback(sns_event(notice), None)
    print(f"{args.kind} for registration {newest.registration_id} of {newest.event_id}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
