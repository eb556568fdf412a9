"""Alerts published to the local alert topic, printed as `make run` prints mails.

In AWS the topic mails its subscribers; here an SQS queue subscribes to it and is read
every two seconds (a short poll: the embedded AWS answers one request at a time, and a
long poll would hold it).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)
QUEUE_NAME = "registration-alerts-local-inbox"


def subscribe_queue(sns: Any, sqs: Any, topic_arn: str) -> str:
    """An SQS queue subscribed to `topic_arn`; returns its URL."""
    queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return str(queue_url)


def format_alert(body: str) -> str:
    """An SNS envelope as it would arrive by mail: the subject, then the message."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return body
    rule = "!" * 72
    return f"{rule}\nALERT: {envelope.get('Subject') or ''}\n\n{envelope.get('Message', '')}\n{rule}"


class AlertPrinter(threading.Thread):
    def __init__(self, sqs: Any, queue_url: str, emit: Callable[[str], None] = print) -> None:
        super().__init__(daemon=True)
        self.sqs = sqs
        self.queue_url = queue_url
        self.emit = emit
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(2.0):
            try:
                messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            except Exception as exc:  # the embedded AWS is stopping or busy: try again later
                logger.debug("alert queue not read: %s", exc)
                continue
            for message in messages:
                self.emit(format_alert(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def stop(self) -> None:
        self._stop.set()
