"""A cold start of the API function until its first registration is answered, in a fresh interpreter.

`make package` runs it against the packaged tree to learn which modules a cold start imports
(`deploy.slim` ships those compiled, and checks the slimmed package still answers); `make bench`
times it against the floor every boto3 + pydantic + Chalice app pays.

The interpreter is given what Lambda gives the function: the packaged tree as its working
directory, the production settings (the link secret's ARN, not its value) and an API Gateway
event. Everything of the request runs for real (imports, settings, the event read back from
its stored definition, the body parsed and validated, the DynamoDB client built, the
transactions prepared, the answer written) except the network: botocore's own Stubber answers
the DynamoDB calls as DynamoDB would: the event (GetItem), the registration stored pending
(TransactWriteItems), the queue's head (a Query: nobody pending any more, as when someone else
placed it a moment ago) and the registration as placed (GetItem). Placing it itself would add
a Query and a transaction of the same modules.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from chalicelib.model.events import Event, Organiser
from chalicelib.model.registration import Registration, Status
from chalicelib.store.codec import item
from chalicelib.store.keys import CAPACITY, CONFIRMED, EVENT_SK, REGISTRATION_PREFIX, WAITING, WAITLISTED

EVENT_ID = "cold-start"
# What Lambda hands the API function in AWS (placeholders: nothing is reached).
LAMBDA_ENVIRONMENT = {
    "TABLE_NAME": "registrations",
    "SENDER_EMAIL": "anmeldung@example.org",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "LINK_SECRET_ARN": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:link-AbCdEf",
    "AWS_ACCESS_KEY_ID": "cold",
    "AWS_SECRET_ACCESS_KEY": "cold",
    "_HANDLER": "app.app",
}
# The child's script: {setup} has made FIRST (the stored event item and the API Gateway event).
_SCRIPT = """
import json, sys, time
started = time.perf_counter()
{floor_or_app}
print(json.dumps({{"seconds": time.perf_counter() - started, "modules": {modules}}}))
"""
_APP = """
import app
from botocore.stub import Stubber
_case = json.loads(sys.argv[1])
_stub = Stubber(app.store.table.client())
_stub.add_response("get_item", {"Item": _case["item"]})
_stub.add_response("transact_write_items", {})
_stub.add_response("query", {"Items": []})
_stub.add_response("get_item", {"Item": _case["placed"]})
_stub.activate()
_answer = app.app(_case["request"], None)
assert _answer["statusCode"] == 201, _answer
_stub.assert_no_pending_responses()
"""
# What Lambda's Python runtime has installed beside the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
FLOOR = "import boto3, pydantic, chalice.app; boto3.client('dynamodb')"
_MODULES = "sorted(getattr(m, '__file__', None) or '' for m in list(sys.modules.values()))"


def stored_event() -> dict[str, Any]:
    """An open event as `load-events` stores it (DynamoDB's JSON), with a seat for everyone."""
    day = date.today() + timedelta(days=60)
    event = Event(
        event_id=EVENT_ID,
        title="Netzwerktreffen",
        timezone="Europe/Berlin",
        starts_at=datetime.combine(day, clock_time(10)),
        registration_deadline=day - timedelta(days=1),
        organisers=[Organiser(name="Organisation", email="orga@example.org")],
        capacity=100,
    )
    values = {"definition": event.model_dump_json(), "title": event.title, CAPACITY: 100}
    return item({"event_id": EVENT_ID, "sk": EVENT_SK, CONFIRMED: 0, WAITLISTED: 0, WAITING: 0, **values})


def placed_registration() -> dict[str, Any]:
    """The registration of `gateway_request` as W9 stores it: confirmed (DynamoDB's JSON)."""
    at = "2026-01-05T09:00:00.000Z"
    registration = Registration(
        event_id=EVENT_ID,
        registration_id="01KE6FV3K8Q9JY3W5ZS6D6Y1AB",
        email="erika@example.org",
        given_name="Erika",
        family_name="Mustermann",
        status=Status.CONFIRMED,
        registered_at=at,
        consent_at=at,
        language="de",
    )
    return item({**registration.as_stored(), "sk": REGISTRATION_PREFIX + registration.registration_id})


def gateway_request() -> dict[str, Any]:
    """A registration as API Gateway hands it to the function (a REST API's proxy event)."""
    body = {"given_name": "Erika", "family_name": "Mustermann", "email": "erika@example.org", "consent": True}
    resource = "/events/{event_id}/registrations"
    return {
        "resource": resource,
        "path": f"/events/{EVENT_ID}/registrations",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Accept": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"event_id": EVENT_ID},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "POST",
            "path": f"/api/events/{EVENT_ID}/registrations",
            "stage": "api",
            "apiId": "cold",
            "requestId": "cold-start-request",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


@functools.cache
def lambda_runtime() -> Path:
    """A folder holding what Lambda's Python runtime provides besides the standard library
    (boto3 and its dependencies), linked from this environment: nothing else of it is seen."""
    folder = Path(tempfile.mkdtemp(prefix="lambda-runtime-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # links only: the packages stay
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"{name} is not installed here (make installs it)")
        origin = Path(spec.origin)
        target = origin.parent if origin.name == "__init__.py" else origin
        (folder / target.name).symlink_to(target)
    return folder


def run(root: Path, *, floor: bool = False, environment: dict[str, str] | None = None) -> tuple[float, list[str]]:
    """Seconds from the first import to the answer (or to the floor's client), and the files of
    every module the interpreter loaded, in a fresh interpreter working in `root`; `environment`
    adds to (or changes) the Lambda environment.

    The interpreter sees the standard library, `root` and the Lambda runtime's packages, and
    nothing else (`-S`: no site-packages), as in AWS."""
    script = _SCRIPT.format(floor_or_app=FLOOR if floor else _APP, modules=_MODULES)
    case = json.dumps({"item": stored_event(), "placed": placed_registration(), "request": gateway_request()})
    env = {
        **LAMBDA_ENVIRONMENT,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join([str(root), str(lambda_runtime())]),
        "PYTHONDONTWRITEBYTECODE": "1",
        # As .chalice/config.json sets it for Lambda (/var/task/botocore_data), when the tree has it.
        "AWS_DATA_PATH": str(root / "botocore_data"),
        **(environment or {}),
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-S", "-c", script, case], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"the first registration failed in {root}:\n{result.stderr}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return measured["seconds"], [f for f in measured["modules"] if f]
