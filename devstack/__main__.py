"""`make run`: the local stack in the foreground; Ctrl-C stops all of it."""

from __future__ import annotations

import os
import signal
import sys
import threading

from devstack.demo_event import DEMO_EVENT_ID
from devstack.mailbox import MAILS_PATH
from devstack.stack import LocalStack


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C, and a plain `kill`, stop everything (a shell may start us with SIGINT ignored).
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    ports = {
        name: int(os.environ.get(name, default))
        for name, default in (("LOCAL_AWS_PORT", 4566), ("API_PORT", 8000), ("PAGE_PORT", 8080))
    }
    stack = LocalStack(
        ports["LOCAL_AWS_PORT"],
        ports["API_PORT"],
        ports["PAGE_PORT"],
        print_mail=lambda text: print(f"\nMail sent:\n{text}", flush=True),
        log_to=sys.stdout,
    )
    print("Starting the local stack ...", flush=True)
    with stack:
        print(
            "\nReady:\n"
            f"  form pages    {stack.page_url}/ (the demo event), {stack.page_url}/<event_id>/ (any loaded event)\n"
            f"  API           {stack.api_url}/events/{DEMO_EVENT_ID}\n"
            f"  embedded AWS  {stack.aws_url}  (moto; mails at {stack.aws_url}{MAILS_PATH})\n"
            "Every mail the service sends is printed here. Ctrl-C stops everything.\n",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopping ...", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
