"""The local stand-in for the due function's schedule: `python -m devstack.due_runner`.

Runs the real handler (`app.send_due`) every `LOCAL_SCHEDULE_SECONDS` (15 by default; the
schedule in AWS is every 15 minutes), with the event a schedule delivers. A failed run is
printed and the next one tries again, as the next scheduled invocation does in AWS.
"""

from __future__ import annotations

import contextlib
import os
import time
from datetime import UTC, datetime

from chalicelib.config.settings import DUE_HANDLER

PERIOD_SECONDS = float(os.environ.get("LOCAL_SCHEDULE_SECONDS", "15"))


def scheduled_event(now: datetime) -> dict[str, object]:
    """What EventBridge hands a scheduled function (the handler reads none of it)."""
    return {
        "version": "0",
        "id": f"local-{int(now.timestamp())}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"),
        "resources": [],
        "detail": {},
    }


def main() -> None:
    os.environ["_HANDLER"] = DUE_HANDLER  # as Lambda names it: app.py checks the due settings
    from app import send_due  # the Lambda function itself; settings checked at import

    while True:
        started = time.monotonic()
        try:
            result = send_due(scheduled_event(datetime.now(UTC)), None)
        except Exception as exc:  # the run is repeated at the next tick, as in AWS
            print(f"due function failed ({type(exc).__name__}: {exc}); the next run tries again", flush=True)
        else:
            if result["sent"]:
                print(f"due function sent {result['sent']}", flush=True)
        time.sleep(max(PERIOD_SECONDS - (time.monotonic() - started), 0.1))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
