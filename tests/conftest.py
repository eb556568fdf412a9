"""Every test runs with the `local` stage's settings, as `chalice local` and the CLI do.

Set before any test module imports `app`, which validates its settings at import.
"""

import os

import pytest

from chalicelib.config.stage_config import stage_environment

os.environ.pop("AWS_ENDPOINT_URL", None)  # API tests talk to moto's in-process mock, never a server
os.environ.update(stage_environment("local", environ={}))
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
os.environ.setdefault("PUBLIC_API_URL", "https://api.example.org/api")
# moto's account; the API tests' store fixture creates the topic.
os.environ.setdefault("ALERT_TOPIC_ARN", "arn:aws:sns:eu-central-1:123456789012:registration-alerts")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The local stack of `make run` on free ports, shared by the end-to-end and browser tests."""
    from devstack.stack import LocalStack, free_port

    log = (tmp_path_factory.mktemp("stack") / "stack.log").open("wb")
    # The due function every 5 s instead of 15: a deadline a few seconds ahead closes in the test.
    schedule = {"LOCAL_SCHEDULE_SECONDS": "5"}
    with LocalStack(free_port(), free_port(), free_port(), log_to=log, environment=schedule) as running:
        yield running
    log.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath) or "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
