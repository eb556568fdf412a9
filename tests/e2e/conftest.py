"""End-to-end: the real local stack (moto server, `chalice local`, the page) on free ports."""

from __future__ import annotations

import pytest

from devstack.stack import LocalStack, free_port


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    log = (tmp_path_factory.mktemp("stack") / "stack.log").open("wb")
    with LocalStack(free_port(), free_port(), free_port(), log_to=log) as running:
        yield running
    log.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
