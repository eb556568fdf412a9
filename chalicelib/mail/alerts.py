"""Alerts: failures no retry can mend, published to the SNS topic an admin is subscribed to.

The CloudWatch alarms (infra/template.json) act on the same topic, so one e-mail
subscription hears everything. An alert names events and registrations by id only: the
admin looks them up, and no name or address sits in a mailbox for longer than needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib.config import aws

logger = logging.getLogger(__name__)
SUBJECT_PREFIX = "event-registration: "
_SNS_SUBJECT_LIMIT = 100  # characters, SNS's own limit for e-mail subjects


class Alerts:
    """Publishes to `topic_arn`; without one (a local run without the topic) alerts are only
    logged, at ERROR, which is where a person running the stack looks."""

    def __init__(self, topic_arn: str | None, client: Callable[[], Any] = aws.sns) -> None:
        self.topic_arn = topic_arn
        self._client = client

    def publish(self, subject: str, lines: list[str]) -> None:
        """Send one alert; a failure to reach SNS raises, so the caller's retry sends it again."""
        title = (SUBJECT_PREFIX + subject)[:_SNS_SUBJECT_LIMIT]
        body = "\n".join(lines)
        logger.error("alert: %s | %s", title, " | ".join(lines))
        if self.topic_arn is None:
            return
        self._client().publish(TopicArn=self.topic_arn, Subject=title, Message=body)
