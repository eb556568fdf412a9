"""Seconds from a registration's 201 to both of its mails being handed to SES, locally.

    .venv/bin/python -m bench.mail_latency [REGISTRATIONS]

The path measured is the real one: DynamoDB stream -> mail function -> SES (the
local poller reads the stream every 0.2 s, as Lambda polls a stream about four
times a second).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
import uuid

from devstack.demo_event import DEMO_EVENT_ID
from devstack.mailbox import sent_mails
from devstack.stack import LocalStack, free_port


def main(count: int = 20) -> None:
    with LocalStack(free_port(), free_port(), free_port()) as stack:
        url = f"{stack.api_url}/events/{DEMO_EVENT_ID}/registrations"
        latencies = []
        for _ in range(count):
            address = f"{uuid.uuid4().hex[:12]}@example.org"
            body = json.dumps(
                {
                    "given_name": "Mail",
                    "family_name": "Bench",
                    "email": address,
                    "consent": True,
                    "organisation_type": "Kommune",
                }
            ).encode()
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=30).close()
            accepted = time.perf_counter()
            while True:
                mails = sent_mails(stack.aws_url)
                if sum(address in m["to"] or address in m["reply_to"] for m in mails) >= 2:
                    break
                time.sleep(0.01)
            latencies.append(time.perf_counter() - accepted)
        latencies.sort()
        print(f"\nmail latency over {count} registrations (201 -> organiser and registrant mail at SES):")
        print(
            f"  median {statistics.median(latencies):.2f} s, p95 {latencies[int(count * 0.95) - 1]:.2f} s, "
            f"max {latencies[-1]:.2f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
