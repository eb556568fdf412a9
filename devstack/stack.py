"""Starts and stops the whole local stack; `make run` and the end-to-end tests share it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from typing import Any

from chalicelib.admin.event_files import read_event_files
from chalicelib.config.stage_config import PROJECT_DIR, stage_environment
from chalicelib.model.events import Event
from chalicelib.store import Store
from devstack.alert_printer import AlertPrinter, subscribe_queue
from devstack.demo_event import DEMO_EVENT_ID, demo_event
from devstack.mailbox import MailPrinter
from devstack.page_server import PageServer

STAGE = "local"
# moto accepts any credentials; boto3 only needs some to sign with.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local"}
MOTO_ACCOUNT = "123456789012"  # the account moto answers as
ALERT_TOPIC = "registration-alerts-local"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing answered at {url} within {timeout:.0f} s") from None
            time.sleep(0.1)


class LocalStack:
    def __init__(
        self,
        aws_port: int,
        api_port: int,
        page_port: int,
        *,
        print_mail: Callable[[str], None] | None = None,
        log_to: Any = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.aws_url = f"http://127.0.0.1:{aws_port}"
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.page_url = f"http://127.0.0.1:{page_port}"
        self._ports = (aws_port, api_port, page_port)
        self._print_mail = print_mail
        self._log_to = log_to
        self._processes: list[subprocess.Popen[bytes]] = []
        self._page_server: PageServer | None = None
        self._mail_printer: MailPrinter | None = None
        self._alert_printer: AlertPrinter | None = None
        stage = stage_environment(STAGE)
        self.environment = {
            **stage,
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.aws_url,
            "PUBLIC_API_URL": self.api_url,
            "ALERT_TOPIC_ARN": f"arn:aws:sns:{stage['AWS_DEFAULT_REGION']}:{MOTO_ACCOUNT}:{ALERT_TOPIC}",
            **(environment or {}),
        }

    @property
    def aws_pid(self) -> int:
        """The embedded AWS's process id (started first)."""
        return self._processes[0].pid

    def aws_client(self, service: str) -> Any:
        import boto3

        env = self.environment
        return boto3.client(
            service,
            region_name=env["AWS_DEFAULT_REGION"],
            endpoint_url=self.aws_url,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )

    def store(self) -> Store:
        client = self.aws_client("dynamodb")
        return Store(self.environment["TABLE_NAME"], client=lambda: client)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m chalicelib.cli ARGS` against this stack, as an admin would run it."""
        return subprocess.run(
            [sys.executable, "-m", "chalicelib.cli", *args],
            cwd=PROJECT_DIR,
            env={**os.environ, **self.environment},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        aws_port, api_port, page_port = self._ports
        self._spawn([sys.executable, "-m", "devstack.embedded_aws", str(aws_port)])
        wait_for_http(f"{self.aws_url}/moto-api/")
        self._provision()
        self._spawn(
            [
                sys.executable,
                "-m",
                "devstack.chalice_local",
                "local",
                "--stage",
                STAGE,
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
                "--no-autoreload",
            ]
        )
        wait_for_http(f"{self.api_url}/events/-")
        self._spawn([sys.executable, "-m", "devstack.mail_poller"], caller="mail-function")
        self._spawn([sys.executable, "-m", "devstack.due_runner"], caller="due-function")
        self._page_server = PageServer(page_port, self.api_url, self._event_reader(), DEMO_EVENT_ID)
        self._page_server.start()
        if self._print_mail is not None:
            self._mail_printer = MailPrinter(self.aws_url, self._print_mail)
            self._mail_printer.start()
            sqs = self.aws_client("sqs")
            queue_url = subscribe_queue(self.aws_client("sns"), sqs, self.environment["ALERT_TOPIC_ARN"])
            self._alert_printer = AlertPrinter(sqs, queue_url, self._print_mail)
            self._alert_printer.start()

    def _provision(self) -> None:
        """The table, a verified sender, and every event file plus the open demo event."""
        store = self.store()
        store.table.create()
        self.aws_client("ses").verify_email_identity(EmailAddress=self.environment["SENDER_EMAIL"])
        self.aws_client("sns").create_topic(Name=ALERT_TOPIC)
        events = read_event_files(sorted((PROJECT_DIR / "events").glob("*.json")))
        template = next(e for e in events if e.event_id == "netzwerktreffen-nrw-2016")
        # Every event's page is served here (`/<event_id>/`): its script may read the answers.
        events = [e.model_copy(update={"allowed_origins": [*e.allowed_origins, self.page_url]}) for e in events]
        store.event_rows.save([*events, demo_event(template, date.today(), self.page_url)])

    def _event_reader(self) -> Callable[[str], Event | None]:
        """The page server's view of the table: one client, shared by its threads (boto3's are thread-safe)."""
        store = self.store()

        def find(event_id: str) -> Event | None:
            record = store.event_rows.find(event_id)
            return record.event if record else None

        return find

    def _spawn(self, command: list[str], caller: str = "api-function") -> None:
        # botocore names the caller in its User-Agent: the embedded AWS counts calls per function.
        env = {**os.environ, **self.environment, "AWS_SDK_UA_APP_ID": caller}
        out = self._log_to if self._log_to is not None else subprocess.DEVNULL
        self._processes.append(
            subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        )

    def stop(self) -> None:
        if self._mail_printer is not None:
            self._mail_printer.stop()
        if self._alert_printer is not None:
            self._alert_printer.stop()
        if self._page_server is not None:
            self._page_server.stop()
        for process in reversed(self._processes):
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self._processes.clear()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
