"""The local stand-in for the stream -> mail function mapping: `python -m devstack.mail_poller`.

Runs the real handler (`app.send_mails`) on the embedded AWS's stream, with the
mapping's rules from infra/: failed batches retried with backoff, then a
description of the batch sent to the dead-letter queue.
"""

from __future__ import annotations

import contextlib
import os
import time

import boto3

from chalicelib.config.settings import MAIL_HANDLER

DEAD_LETTER_QUEUE = "registrations-mail-dead-letters"
# 0.5 + 1 + 2 + 4 + 5 × 3 s: about half a minute of SES outage is ridden out before dead-lettering.
MAX_ATTEMPTS = int(os.environ.get("MAIL_RETRY_ATTEMPTS", "8"))
POLL_SECONDS = 0.2


def backoff(attempt: int) -> float:
    return min(0.5 * 2**attempt, 5.0)


def main() -> None:
    os.environ["_HANDLER"] = MAIL_HANDLER  # as Lambda names it: app.py checks the mail settings
    from app import send_mails  # the Lambda function itself; settings checked at import
    from devstack.stream_reader import StreamReader, deliver

    reader = StreamReader(boto3.client("dynamodb"), boto3.client("dynamodbstreams"), os.environ["TABLE_NAME"])
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName=DEAD_LETTER_QUEUE)["QueueUrl"]

    def dead_letter(body: str) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        print(f"mail batch failed {MAX_ATTEMPTS} times; described in SQS queue {DEAD_LETTER_QUEUE}", flush=True)

    while True:
        records = reader.read()
        if records:
            deliver(reader, send_mails, records, attempts=MAX_ATTEMPTS, backoff=backoff, dead_letter=dead_letter)
        else:
            time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
