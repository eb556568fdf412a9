"""Serves the registration page of every loaded event on its own origin, as `cli page` makes it.

`/<event_id>/` is that event's page (and `/<event_id>/register.js` … its files), `/` the
default event's (the demo). Each request builds the page from the event in the table, so a
`load-events` shows at the next reload, and the form posts to the running API.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from chalicelib.model.events import Event
from chalicelib.page.render import PAGE_FILES, render_page

EVENT_ID = re.compile(r"^[a-z0-9-]{3,64}$")
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
FindEvent = Callable[[str], Event | None]


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, *args: object, api_url: str, find_event: FindEvent, default_event: str) -> None:
        self.api_url = api_url
        self.find_event = find_event
        self.default_event = default_event
        super().__init__(*args)  # type: ignore[arg-type]  # handles the request: set the above first

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path
        parts = [part for part in path.split("/") if part]
        event_id, rest = self.default_event, parts
        if parts and EVENT_ID.match(parts[0]):
            event_id, rest = parts[0], parts[1:]
            if not rest and not path.endswith("/"):
                # `/<event_id>` -> `/<event_id>/`, so the page's relative links (register.js …) resolve.
                self._send(301, "text/plain", b"", send_body, Location=f"/{event_id}/")
                return
        name = rest[0] if rest else "index.html"
        if len(rest) > 1 or name not in PAGE_FILES:
            self._send(404, "text/plain", b"not found\n", send_body)
            return
        try:
            event = self.find_event(event_id)
        except Exception as exc:  # the embedded AWS is stopping or busy: say so, keep serving
            self._send(503, "text/plain", f"the event could not be read: {exc}\n".encode(), send_body)
            return
        if event is None:
            self._send(404, "text/plain", f"no event {event_id!r} is loaded\n".encode(), send_body)
            return
        body = render_page(event, self.api_url)[name].encode("utf-8")
        self._send(200, CONTENT_TYPES[name[name.rindex(".") :]], body, send_body)

    def _send(self, status: int, content_type: str, body: bytes, send_body: bool, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # an event changed with load-events shows at once
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class PageServer:
    def __init__(self, port: int, api_url: str, find_event: FindEvent, default_event: str) -> None:
        handler = partial(_Handler, api_url=api_url, find_event=find_event, default_event=default_event)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
