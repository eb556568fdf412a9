"""A moto server that serves one request at a time: `python -m devstack.embedded_aws PORT`.

moto's backends are not safe under concurrent transactions (DESIGN.md): a
threaded server lost updates and answered 500s. Served one request at a time
it behaves like a linearisable DynamoDB, so races in *our* code still show.

`GET /embedded-aws/calls` answers how many calls each AWS operation has had, per
caller (the app id in the User-Agent: `api-function`, `mail-function`, ...), so
benchmarks can count the request path's DynamoDB calls per registration.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from devstack import moto_transactions

CALLS_PATH = "/embedded-aws/calls"
_APP_ID = re.compile(r"\bapp/([\w.-]+)")


class CallCounter:
    """WSGI middleware: counts calls by operation (X-Amz-Target for JSON protocols such as
    DynamoDB's, the form field `Action` for query protocols such as SES's)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.calls: dict[str, Counter[str]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CALLS_PATH:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(self.calls).encode()]
        caller = _APP_ID.search(environ.get("HTTP_USER_AGENT", ""))
        counter = self.calls.setdefault(caller.group(1) if caller else "other", Counter())
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            counter[target.rpartition(".")[2]] += 1
        elif environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
            counter[parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]] += 1
        return self.app(environ, start_response)


def serve(port: int, host: str = "127.0.0.1") -> None:
    moto_transactions.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per AWS call
    app = CallCounter(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=False, request_handler=MotoRequestHandler)
    print(f"embedded AWS on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        serve(int(sys.argv[1]))
