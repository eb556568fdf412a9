"""Serves `examples/` on its own origin, pointing the pages at the local API."""

from __future__ import annotations

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

# The API origin written in the example pages; replaced by the running API's.
EXAMPLE_API = "http://127.0.0.1:8000"
# The event the example page registers for; `?event=<id>` shows the page for another one.
EXAMPLE_EVENT = "netzwerktreffen-demo"
EVENT_ID = re.compile(r"^[a-z0-9-]{3,64}$")


class _Handler(SimpleHTTPRequestHandler):
    api_url = EXAMPLE_API

    def send_head(self) -> BinaryIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        html = path.read_text(encoding="utf-8").replace(EXAMPLE_API, self.api_url)
        event_id = parse_qs(urlsplit(self.path).query).get("event", [""])[0]
        if EVENT_ID.match(event_id):
            html = html.replace(f"/events/{EXAMPLE_EVENT}/", f"/events/{event_id}/")
        body = html.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class PageServer:
    def __init__(self, directory: Path, port: int, api_url: str) -> None:
        handler = type("Handler", (_Handler,), {"api_url": api_url})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(directory)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
