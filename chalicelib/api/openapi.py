"""`GET /openapi.json`: OpenAPI 3.1 of the public API, from the models that validate requests
(`model.submission.Submission`) and build answers (`response_shapes`)."""

from __future__ import annotations

import functools
import json
from typing import Any

from chalice import Response
from pydantic.json_schema import models_json_schema

from chalicelib.api.forms import MAX_BODY_BYTES
from chalicelib.api.response_shapes import EventView, InvalidProblem, Problem, Registered
from chalicelib.api.responses import STATUS
from chalicelib.model.events import EVENT_ID_PATTERN
from chalicelib.model.submission import Submission

EXAMPLE_EVENT = "netzwerktreffen-nrw-2016"
_REF = "#/components/schemas/{model}"
# A question's answer: text, a tick box, or several choices.
ANSWER = {
    "anyOf": [{"type": "string"}, {"type": "boolean"}, {"type": "array", "items": {"type": "string"}}],
    "description": "one field per question `id` of the event",
}
_HTML = {"text/html": {"schema": {"type": "string"}}}


def _json(model: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(model=model)}}}


def _refusals(codes: list[str]) -> dict[str, Any]:
    """One response per status, listing the error codes that use it."""
    responses: dict[str, Any] = {}
    for code in codes:
        status = str(STATUS[code])
        entry = responses.setdefault(status, {"description": "", "content": {**_json("Problem"), **_HTML}})
        entry["description"] = ", ".join(filter(None, [entry["description"], f"`{code}`"]))
        if code == "invalid":
            entry["content"] = {**_json("InvalidProblem"), **_HTML}
        if code in ("unavailable", "rate_limited", "too_fast"):
            entry["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    return responses


def _submission_schema() -> dict[str, Any]:
    schema = Submission.model_json_schema(mode="validation", ref_template=_REF)
    schema["additionalProperties"] = ANSWER
    # A form posts `consent=on`; JSON may say true.
    schema["properties"]["consent"] = {
        "anyOf": [
            {"const": True},
            {"const": 1},
            {"type": "string", "pattern": "^\\s*([Oo][Nn]|[Tt][Rr][Uu][Ee]|[Yy][Ee][Ss]|1)\\s*$"},
        ]
    }
    return schema


def openapi_document() -> dict[str, Any]:
    _, definitions = models_json_schema(
        [(m, "serialization") for m in (Registered, Problem, InvalidProblem, EventView)], ref_template=_REF
    )
    schemas = {**definitions["$defs"], "Submission": _submission_schema()}
    event_id = {
        "name": "event_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": EVENT_ID_PATTERN},
        "example": EXAMPLE_EVENT,
    }
    body = {"$ref": _REF.format(model="Submission")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Event registration",
            "version": "1",
            "description": "Registrations for events, posted by static pages. JSON mode when the body is JSON "
            "or `Accept` prefers JSON; otherwise answers are HTML pages or 303 redirects.",
        },
        "paths": {
            "/events/{event_id}/registrations": {
                "post": {
                    "summary": "Register for an event",
                    "parameters": [event_id],
                    "requestBody": {
                        "required": True,
                        "description": f"At most {MAX_BODY_BYTES} bytes, UTF-8 unless a charset says otherwise.",
                        "content": {
                            "application/json": {"schema": body},
                            "application/x-www-form-urlencoded": {"schema": body},
                            "multipart/form-data": {"schema": body},
                        },
                    },
                    "responses": {
                        "201": {"description": "registered", "content": {**_json("Registered"), **_HTML}},
                        "303": {"description": "browser mode: to the event's redirect for the outcome"},
                        **_refusals(list(STATUS)),
                    },
                },
                "options": {
                    "summary": "CORS preflight",
                    "parameters": [event_id],
                    "responses": {
                        "204": {"description": "allowed origins echoed"},
                        **_refusals(["unavailable", "internal_error"]),
                    },
                },
            },
            "/events/{event_id}": {
                "options": {
                    "summary": "CORS preflight",
                    "parameters": [event_id],
                    "responses": {
                        "204": {"description": "allowed origins echoed"},
                        **_refusals(["unavailable", "internal_error"]),
                    },
                },
                "get": {
                    "summary": "The event, its questions and consent sentence, and whether it takes registrations",
                    "description": "Question labels and the consent text are in the Accept-Language, else the "
                    "event's language: a page built by hand or by a CMS can be checked against them.",
                    "parameters": [event_id],
                    "responses": {
                        "200": {"description": "the event", "content": _json("EventView")},
                        **_refusals(["unknown_event", "unavailable", "internal_error"]),
                    },
                },
            },
            "/cancel": {
                method: {
                    "summary": "The cancel link from the confirmation mail"
                    + (" (asks)" if method == "get" else " (cancels)"),
                    "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "the question / the confirmation", "content": _HTML},
                        "403": {"description": "a wrong, used or expired link", "content": _HTML},
                        **_refusals(["unavailable", "internal_error"]),
                    },
                }
                for method in ("get", "post")
            },
            "/events/{event_id}/list": {
                "get": {
                    "summary": "The organisers' live list, opened by the signed link in their mails",
                    "description": "Every registration of the event, as a page, the export's CSV or its "
                    "attendance list. Only a list token of this very event opens it; answers are never cached.",
                    "parameters": [
                        event_id,
                        {"name": "token", "in": "query", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "format",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["csv", "attendance"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "the list",
                            "content": {**_HTML, "text/csv": {"schema": {"type": "string"}}},
                        },
                        "400": {"description": "an unknown `format`", "content": _HTML},
                        "403": {"description": "a wrong or expired link, or another event's", "content": _HTML},
                        **_refusals(["unavailable", "internal_error"]),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                }
            },
        },
        "components": {"schemas": schemas},
    }


@functools.cache
def _openapi_body() -> str:
    # Building every schema costs tens of milliseconds: once per instance, and only when asked.
    return json.dumps(openapi_document(), ensure_ascii=False)


def openapi_response() -> Response:
    headers = {"Content-Type": "application/json; charset=utf-8", "Access-Control-Allow-Origin": "*"}
    return Response(body=_openapi_body(), status_code=200, headers=headers)
