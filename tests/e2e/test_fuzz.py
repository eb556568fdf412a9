"""Schema fuzzing: schemathesis sends what the published OpenAPI allows, and much that it does
not, to the local stack; no answer may be a server error or break the published schema.

Bounded and seeded in `make test`; `make fuzz` runs more cases with a fresh seed.
"""

from __future__ import annotations

import json
import os
import urllib.request

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.openapi import openapi_document
from devstack.demo_event import DEMO_EVENT_ID

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))  # per operation; eight operations
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


# The document the API serves (checked below), loaded at collection time.
schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_fuzzed_document_is_the_one_the_api_serves(stack):
    with urllib.request.urlopen(f"{stack.api_url}/openapi.json", timeout=10) as response:
        assert json.load(response) == openapi_document()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_answer_is_a_defined_one(case, stack):
    if case.method.lower() != case.operation.method.lower():
        # Probes with undeclared methods (TRACE, PATCH ...) meet Python's dev server under
        # `chalice local` (501); in AWS, API Gateway answers them before our code runs.
        return
    if "event_id" in (case.path_parameters or {}) and case.method == "POST":
        # Random ids only ever meet "unknown event"; the open demo event reaches validation and storage.
        case.path_parameters = {**case.path_parameters, "event_id": DEMO_EVENT_ID}
    case.call_and_validate(base_url=stack.api_url, checks=CHECKS)
