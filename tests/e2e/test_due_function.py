"""The due function on the local stack: an event whose deadline is seconds ahead gets its closing
mail from the scheduled run (every 5 s in the tests' stack), once."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from email import message_from_string
from email.policy import default

from devstack.mailbox import raw_mails
from tests.e2e.test_local_stack import mails_to, post, registrations_url, unique_address
from tests.factories import BERLIN, seed_event_document, submission

DEADLINE_AHEAD = timedelta(seconds=20)


def test_the_closing_mail_arrives_after_the_deadline_once(stack, tmp_path):
    organiser = f"orga-{uuid.uuid4().hex[:8]}@example.org"
    event_id = f"closing-{uuid.uuid4().hex[:8]}"
    deadline = (datetime.now(BERLIN) + DEADLINE_AHEAD).replace(microsecond=0)
    starts = deadline + timedelta(days=30)
    document = {
        **seed_event_document(),
        "event_id": event_id,
        "starts_at": starts.replace(tzinfo=None).isoformat(),
        "ends_at": (starts + timedelta(hours=6)).replace(tzinfo=None).isoformat(),
        "registration_deadline": deadline.replace(tzinfo=None).isoformat(),
        "organisers": [{"name": "Orga", "email": organiser}],
    }
    path = tmp_path / f"{event_id}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert stack.cli("load-events", str(path)).returncode == 0
    registrant = unique_address()
    body = json.dumps(submission(email=registrant)).encode()
    status, _, _ = post(registrations_url(stack, event_id), body, "application/json")
    assert status == 201

    closing = []
    while not closing and datetime.now(BERLIN) < deadline + timedelta(seconds=30):
        closing = [m for m in mails_to(stack, organiser, timeout=0) if m["subject"].startswith("Anmeldeschluss:")]
        time.sleep(0.5)
    assert len(closing) == 1, "no closing mail within 30 s after the deadline"
    assert datetime.now(BERLIN) > deadline  # sent by the schedule, not before the cutoff
    raw = next(m for m in raw_mails(stack.aws_url) if m["id"] == closing[0]["id"])
    message = message_from_string(raw["raw_data"], policy=default)
    [csv_part] = [p for p in message.iter_attachments() if p.get_filename().endswith(".csv")]
    assert registrant in csv_part.get_content()
    assert sorted(closing[0]["attachments"]) == [f"anmeldungen-{event_id}.csv", f"teilnahmeliste-{event_id}.html"]

    # Another run, by hand, finds it claimed: still one.
    result = stack.cli("send-due", event_id)
    assert result.returncode == 0, result.stderr
    assert "sent 0 due mail(s)" in result.stdout
    assert len([m for m in mails_to(stack, organiser, timeout=0) if m["subject"].startswith("Anmeldeschluss:")]) == 1
