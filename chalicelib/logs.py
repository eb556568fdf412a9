"""Logging for the Lambda functions: request ids, and the guard that turns a bug into JSON 500."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response

from chalicelib.answers import error_response

logger = logging.getLogger("registrations")


def request_id(app: Chalice) -> str:
    """The Lambda request id (also under `chalice local` and the test client)."""
    context = getattr(app, "lambda_context", None)
    return str(getattr(context, "aws_request_id", None) or "-")


def answers_unexpected_errors(app: Chalice) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a view: an unexpected exception is logged with its request id and
    answered as JSON 500 without internals (Chalice's own 500 is neither)."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except Exception:
                logger.exception("unexpected error, request id %s", request_id(app))
                return error_response("internal_error", "en", {"Vary": "Origin"})

        return guarded

    return decorate
