"""Logs of the Lambda functions: one JSON line per request, and the guard that turns a bug
into a logged traceback and a JSON 500.

The request line names the request id, route, event, status, outcome and latency, and
never an e-mail address or a name: CloudWatch keeps logs longer than we keep registrations.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response

from chalicelib.answers import error_response

logger = logging.getLogger("registrations")
_outcome: contextvars.ContextVar[str | None] = contextvars.ContextVar("outcome", default=None)


def request_id(app: Chalice) -> str:
    """The Lambda request id (also under `chalice local` and the test client)."""
    context = getattr(app, "lambda_context", None)
    return str(getattr(context, "aws_request_id", None) or "-")


def note_outcome(outcome: str) -> None:
    """What a request came to, for its log line (a browser-mode answer does not say it in JSON)."""
    _outcome.set(outcome)


def _outcome_of(response: Response) -> str | None:
    noted = _outcome.get()
    if noted is not None:
        return noted
    if isinstance(response.body, str) and response.body.startswith("{"):
        try:
            document = json.loads(response.body)
        except ValueError:
            return None
        return document.get("error") or document.get("status")
    return None


def logged_and_guarded(
    app: Chalice, cors: Callable[[str | None, str | None], dict[str, str]]
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a view: one JSON log line per request; an unexpected exception is logged with
    its traceback and request id and answered as JSON 500 without internals (Chalice's own
    500 is neither JSON of ours nor logged with the id), with the event's CORS headers
    (`cors(event_id, origin)`) so a page's script can read it."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def run(*args: Any, **kwargs: Any) -> Response:
            started = time.perf_counter()
            _outcome.set(None)
            try:
                response = view(*args, **kwargs)
            except Exception:
                logger.exception("unexpected error, request id %s", request_id(app))
                note_outcome("internal_error")
                origin = app.current_request.headers.get("origin") if app.current_request else None
                response = error_response("internal_error", "en", cors(kwargs.get("event_id"), origin))
            request = app.current_request
            line = {
                "request_id": request_id(app),
                "method": request.method if request else None,
                "route": view.__name__,
                "event_id": kwargs.get("event_id"),
                "status": response.status_code,
                "outcome": _outcome_of(response),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            logger.info(json.dumps(line))
            return response

        return run

    return decorate
