"""A moto server that serves one request at a time: `python -m devstack.embedded_aws PORT`.

moto's backends are not safe under concurrent transactions (DESIGN.md): a
threaded server lost updates and answered 500s. Served one request at a time
it behaves like a linearisable DynamoDB, so races in *our* code still show.
"""

from __future__ import annotations

import contextlib
import logging
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server


def serve(port: int, host: str = "127.0.0.1") -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per AWS call
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(host, port, app, threaded=False, request_handler=MotoRequestHandler)
    print(f"embedded AWS on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        serve(int(sys.argv[1]))
