"""A moto server that serves one request at a time: `python -m devstack.embedded_aws PORT`.

moto's backends are not safe under concurrent transactions (docs/development.md): a
threaded server lost updates and answered 500s. Served one request at a time
it behaves like a linearisable DynamoDB, so races in *our* code still show.

By default it contends like DynamoDB (devstack/contention.py,
docs/local-aws.md): calls are served on threads, each DynamoDB call takes a modelled service
time, transactions hold their items and refuse each other, and moto is still called under one
lock. `LOCAL_AWS_CONTENTION=off` serves one call at a time instead, as moto alone would
(for a comparison); `LOCAL_AWS_THROTTLING=on` adds the per-partition write limit.

`GET /embedded-aws/calls` answers how many calls each AWS operation has had, per
caller (the app id in the User-Agent: `api-function`, `mail-function`, ...), so
benchmarks can count the request path's DynamoDB calls per registration.

`GET /embedded-aws/mails?after=N` answers the mails SES accepted after the first N,
as `{"mails": [{id, source, raw_data}], "next": N + count}`: the mail printer and the
tests read what is new instead of moto's `/moto-api/data.json`, which serialises every
object moto ever made (every DynamoDB item version included) and so grows without end.

moto keeps every model object it makes for that dashboard, and a new stream iterator
per read of the stream: the server drops both for DynamoDB, so a day of `make run` costs
memory for the table, not for every write and poll ever made.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from devstack import moto_queries, moto_transactions
from devstack.contention import Contention, caller_of, switch
from devstack.mailbox import MAILS_PATH

CALLS_PATH = "/embedded-aws/calls"
# Stream iterators kept: AWS lets them expire after 15 minutes; a reader asks every 0.2 s.
MAX_SHARD_ITERATORS = 1000


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
        if environ.get("PATH_INFO") == MAILS_PATH:
            after = int(parse_qs(environ.get("QUERY_STRING", "")).get("after", ["0"])[0] or 0)
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(sent_after(after)).encode()]
        counter = self.calls.setdefault(caller_of(environ), Counter())
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            counter[target.rpartition(".")[2]] += 1
        elif environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
            counter[parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]] += 1
        return self.app(environ, start_response)


def sent_after(after: int) -> dict[str, Any]:
    """The raw mails SES accepted after the first `after` (one account and region in use)."""
    from moto.ses.models import ses_backends

    every = [
        message
        for account in sorted(ses_backends)
        for _, backend in sorted(ses_backends[account].items())
        for message in backend.sent_messages
    ]
    mails = [{"id": m.id, "source": m.source, "raw_data": m.raw_data} for m in every[after:] if hasattr(m, "raw_data")]
    return {"mails": mails, "next": len(every)}


class _Untracked(list):  # type: ignore[type-arg]
    """An `instances_tracked` that keeps nothing."""

    def append(self, item: object) -> None:
        pass


def _bound_memory() -> None:
    """No dashboard copies of DynamoDB objects, and only the recent stream iterators."""
    from moto.core.model_instances import model_data
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    for service in ("dynamodb", "dynamodbstreams"):
        for model in model_data[service].values():
            model.instances_tracked = _Untracked()  # type: ignore[attr-defined]
    get_records = DynamoDBStreamsBackend.get_records

    def get_records_and_forget_old_iterators(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> Any:
        answer = get_records(self, iterator_arn, limit)
        while len(self.shard_iterators) > MAX_SHARD_ITERATORS:
            del self.shard_iterators[next(iter(self.shard_iterators))]  # the oldest
        return answer

    DynamoDBStreamsBackend.get_records = get_records_and_forget_old_iterators  # type: ignore[method-assign]


def serve(port: int, host: str = "127.0.0.1", *, contention: bool = False, throttling: bool = False) -> None:
    """Serve until interrupted: one call at a time, or, with `contention`, on threads that
    contend like DynamoDB (`throttling` only counts with `contention`)."""
    moto_transactions.install()
    _bound_memory()
    moto_queries.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per AWS call
    app: Any = CallCounter(DomainDispatcherApplication(create_backend_app))
    if contention:
        app = Contention(app, throttling=throttling)
    elif throttling:
        print("LOCAL_AWS_THROTTLING=on counts only with LOCAL_AWS_CONTENTION=on: ignored", flush=True)
    server = make_server(host, port, app, threaded=contention, request_handler=MotoRequestHandler)
    mode = ("contending like DynamoDB" + (", throttled" if throttling else "")) if contention else "serial"
    print(f"embedded AWS on http://{host}:{port} ({mode})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        serve(
            int(sys.argv[1]),
            contention=switch("LOCAL_AWS_CONTENTION", "on"),
            throttling=switch("LOCAL_AWS_THROTTLING", "off"),
        )
