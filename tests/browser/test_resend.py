"""A busy service (429/503 with Retry-After) in Chromium: the page sends the same registration
again by itself, says so politely, at most three times, and it is stored once.

The stack is not changed: a small proxy in front of the real API refuses the first POSTs
with 503 as API Gateway or a throttled DynamoDB would, and passes everything else on. The
page is built with `--api-url` pointing at the proxy and served from an origin of its own,
which the event allows."""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlsplit

import pytest

from chalicelib.model.events import Event
from chalicelib.page.render import render_page
from devstack.demo_event import demo_event
from tests.factories import seed_event

EVENT_ID = "resend-demo"
ONE_MOMENT = "Einen Moment bitte – wir senden Ihre Anmeldung gleich noch einmal."
# Headers a proxy does not pass on (http.server writes its own Server and Date).
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class Proxy:
    """In front of the API at `api_url`: the first `refuse` POSTs to the event's registrations
    are answered 503 with `Retry-After`, and the CORS headers the API gives the page's origin
    (plus `Access-Control-Expose-Headers: Retry-After` when `expose`); everything else is
    passed on and answered as the API answers it."""

    def __init__(self, api_url: str, refuse: int, *, retry_after: str = "1", expose: bool = False) -> None:
        self.api = urlsplit(api_url)
        self.refuse, self.retry_after, self.expose = refuse, retry_after, expose
        self.posts: list[tuple[float, bytes]] = []  # (monotonic time, body) of each registration POST
        self._lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _api(self, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        connection = http.client.HTTPConnection(self.api.hostname, self.api.port, timeout=30)
        try:
            connection.request(method, self.api.path.rstrip("/") + path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _cors(self, origin: str | None) -> list[tuple[str, str]]:
        """The CORS headers the API sends this origin (read from its answer about the event)."""
        _, headers, _ = self._api("GET", f"/events/{EVENT_ID}", None, {"Origin": origin} if origin else {})
        cors = [(k, v) for k, v in headers if k.lower().startswith("access-control-") or k.lower() == "vary"]
        return cors + ([("Access-Control-Expose-Headers", "Retry-After")] if self.expose else [])

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _route(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if self.command == "POST" else None
                if self.command == "POST" and self.path.rstrip("/").endswith(f"/events/{EVENT_ID}/registrations"):
                    with proxy._lock:
                        proxy.posts.append((time.monotonic(), body or b""))
                        refused = len(proxy.posts) <= proxy.refuse
                    if refused:
                        document = {"error": "unavailable", "message": "Der Dienst ist gerade überlastet (Proxy)."}
                        headers = [
                            *proxy._cors(self.headers.get("Origin")),
                            ("Retry-After", proxy.retry_after),
                            ("Content-Type", "application/json; charset=utf-8"),
                        ]
                        self._answer(503, headers, json.dumps(document, ensure_ascii=False).encode())
                        return
                self._forward(body)

            def _forward(self, body: bytes | None = None) -> None:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                self._answer(*proxy._api(self.command, self.path, body, headers))

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        # http.server calls do_<METHOD>: the preflight, reading the event, and the posts.
        for method in ("GET", "OPTIONS", "POST"):
            setattr(Handler, f"do_{method}", Handler._route)
        return Handler

    def gaps(self) -> list[float]:
        return [later[0] - earlier[0] for earlier, later in zip(self.posts, self.posts[1:], strict=False)]


@contextmanager
def serving(server: http.server.ThreadingHTTPServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(stack, tmp_path_factory):
    """A folder served on an origin of its own, and the open event that allows that origin."""
    root = tmp_path_factory.mktemp("site")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(root)))
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    demo = demo_event(seed_event(), date.today(), origin)
    event = Event.model_validate({**demo.model_dump(mode="json"), "event_id": EVENT_ID, "form_url": f"{origin}/"})
    stack.store().event_rows.save([event])
    with serving(server):
        yield root, origin, event


def page_for(site, api_url: str) -> str:
    """The event's page as `page --api-url <api_url>` makes it, served; its URL."""
    root, origin, event = site
    name = uuid.uuid4().hex[:8]
    (root / name).mkdir()
    for file_name, content in render_page(event, api_url).items():
        (root / name / file_name).write_text(content, encoding="utf-8")
    return f"{origin}/{name}/"


@contextmanager
def proxied(stack, refuse: int, **options: object) -> Iterator[Proxy]:
    """A proxy in front of the stack's API for the `with` block (stopped after it)."""
    proxy = Proxy(stack.api_url, refuse, **options)
    with serving(proxy.server):
        yield proxy


def fill(page, email):
    page.fill("#given_name", "Jürgen")
    page.fill("#family_name", "Nguyễn")
    page.fill("#email", email)
    page.fill("#organisation", "Stadt Dinslaken")
    page.select_option("#organisation_type", "Kommune")
    page.select_option("#department", "Integration")
    page.check("#consent")


def address():
    return f"resend-{uuid.uuid4().hex[:10]}@example.org"


def stored(stack, email):
    return [r for r in stack.store().registration_rows.of_event(EVENT_ID, consistent=True) if r.email == email]


def status_says(page, words):
    page.wait_for_function(
        "words => document.getElementById('form-status').textContent.indexOf(words) >= 0", arg=words, timeout=15000
    )


def test_refused_twice_the_page_sends_the_same_registration_again_and_it_is_stored_once(stack, page, site):
    """As a busy gateway answers (`Retry-After: 2`, exposed like the API's own answers): the
    page waits 2 s twice, so its third post is past the event's 3 s minimum fill time."""
    email = address()
    with proxied(stack, refuse=2, retry_after="2") as proxy:
        page.goto(page_for(site, proxy.url))
        fill(page, email)
        page.click("#submit")  # no wait like a person: the refused posts take longer than the minimum
        status_says(page, ONE_MOMENT)
        assert page.get_attribute("#form-status", "role") == "alert"  # announced
        assert page.get_attribute("#registration", "aria-busy") == "true"
        assert page.evaluate("document.getElementById('fields').disabled")
        page.wait_for_selector("#form-status.success", timeout=15000)
    assert page.locator(".form-status.success").count() == 1
    assert page.inner_text("[role=alert]").count("Ihre Anmeldung ist eingegangen") == 1
    assert ONE_MOMENT not in page.inner_text("body")
    assert len(proxy.posts) == 3
    assert all(gap > 1.9 for gap in proxy.gaps()), proxy.gaps()  # Retry-After: 2, as told
    assert len({body for _, body in proxy.posts}) == 1  # the same body, form_started_at included
    assert json.loads(proxy.posts[0][1])["email"] == email
    assert len(stored(stack, email)) == 1


def test_a_readable_retry_after_is_waited_and_after_three_resends_the_error_shows(stack, page, site):
    email = address()
    with proxied(stack, refuse=10, expose=True) as proxy:
        page.goto(page_for(site, proxy.url))
        fill(page, email)
        page.click("#submit")
        page.wait_for_selector("#form-status.error", timeout=15000)
    assert "Der Dienst ist gerade überlastet (Proxy)." in page.inner_text("[role=alert]")
    assert len(proxy.posts) == 4  # the first and three more
    assert all(0.9 < gap < 1.9 for gap in proxy.gaps()), proxy.gaps()  # Retry-After: 1
    assert len({body for _, body in proxy.posts}) == 1
    # The person may try again: the form is theirs once more, as they filled it in.
    assert page.is_enabled("#submit")
    assert not page.evaluate("document.getElementById('fields').disabled")
    assert page.get_attribute("#registration", "aria-busy") is None
    assert page.input_value("#email") == email
    assert stored(stack, email) == []
