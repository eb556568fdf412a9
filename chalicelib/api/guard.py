"""The guard around every route: one JSON log line per request, a bug turned into a logged
traceback and a JSON 500, AWS being unavailable into a 503.

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
from contextlib import AbstractContextManager
from typing import Any

from chalice import Chalice, Response

from chalicelib.api.negotiation import answer_language, wants_json
from chalicelib.api.responses import RETRY_AFTER_SECONDS, error_response
from chalicelib.config.aws import error_name
from chalicelib.seats.seats_errors import Contended
from chalicelib.store.store_errors import StoreUnavailable

logger = logging.getLogger("chalicelib.requests")
# The Lambda runtime leaves the root logger at WARNING: our INFO lines (one per request, one
# per mail) must not depend on it.
logging.getLogger("chalicelib").setLevel(logging.INFO)
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
    app: Chalice,
    cors: Callable[[str | None, str | None], dict[str, str]],
    within: Callable[[], AbstractContextManager[object]],
    *,
    pages: bool = False,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a view: run it `within()` the request's time budget (no AWS call starts that
    could not end before the function must answer); one JSON log line per request; an
    unexpected exception is logged with its traceback and request id and answered as JSON 500
    without internals (Chalice's own 500 is neither JSON of ours nor logged with the id); AWS
    being unavailable is a 503 with Retry-After. Both carry the event's CORS headers
    (`cors(event_id, origin)`) so a page's script can read it. For routes a browser opens
    (`pages`), a request that does not ask for JSON gets the 500 as an HTML page."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        def failure(code: str, headers: dict[str, str]) -> Response:
            note_outcome(code)
            request = app.current_request
            asked = request.headers if request else {}
            event_id = (request.uri_params or {}).get("event_id") if request else None
            page = pages and not wants_json(asked.get("content-type"), asked.get("accept"))
            language = answer_language(None, asked.get("accept-language"), None)
            return error_response(code, language, {**cors(event_id, asked.get("origin")), **headers}, page=page)

        @functools.wraps(view)
        def run(*args: Any, **kwargs: Any) -> Response:
            started = time.perf_counter()
            _outcome.set(None)
            try:
                with within():
                    response = view(*args, **kwargs)
            except (StoreUnavailable, Contended) as exc:
                # The reason only (a code, no message): AWS messages may quote the data sent.
                logger.warning("AWS unavailable, request id %s: %s", request_id(app), error_name(exc))
                response = failure("unavailable", {"Retry-After": str(RETRY_AFTER_SECONDS)})
            except Exception:
                logger.exception("unexpected error, request id %s", request_id(app))
                response = failure("internal_error", {})
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
