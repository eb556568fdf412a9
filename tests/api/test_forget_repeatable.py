"""`forget` is complete and repeatable: whatever fails on the way (a call refused, a write that
commits and whose answer is lost), running it again until it succeeds leaves no item that
contains the address, and the seats stay exact."""

from __future__ import annotations

import itertools
import json

import pytest
from botocore.exceptions import ReadTimeoutError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app as app_module
from chalicelib import cli as cli_module
from chalicelib.admin.personal_data import forget
from chalicelib.cli import main as cli
from chalicelib.model.registration import Status
from chalicelib.seats.seats_errors import Contended
from chalicelib.store import Store
from chalicelib.store.store_errors import StoreUnavailable
from tests.api.conftest import all_items, reload_events, sent_mails
from tests.factories import client_error, event
from tests.strategies import examples

WRITES = frozenset({"transact_write_items", "delete_item", "put_item", "update_item", "batch_write_item"})
# What a call may meet: nothing, a refusal before it reached the table, or a commit whose answer
# was lost (for a read, the same as a refusal).
FAULTS = ("ok", "refused", "lost")
_people = itertools.count()


class Faulty:
    """The real client; call n meets `plan[n]` (then nothing once the plan is spent)."""

    def __init__(self, real, plan: list[str]) -> None:
        self.real, self.plan = real, list(plan)

    def __getattr__(self, name):
        method = getattr(self.real, name)
        if not callable(method):
            return method

        def call(**request):
            fault = self.plan.pop(0) if self.plan else "ok"
            if fault == "refused":
                raise client_error("InternalServerError", name)
            answer = method(**request)
            if fault == "lost" and name in WRITES:
                raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")
            return answer

        return call


def traces_of(store: Store, address: str) -> list[dict]:
    return [i for i in all_items(store) if address in json.dumps(i, ensure_ascii=False).lower()]


def a_person_with_everything(api, store) -> tuple[str, list[str]]:
    """Someone confirmed with someone waiting behind (the seat passes on), waiting in another
    event, with mails sent, one that failed quoting the address, and a spam complaint."""
    n = next(_people)
    address, events = f"ana{n}@example.org", [f"first-{n}", f"second-{n}"]
    reload_events(store, *(event(event_id=e, capacity=1, waitlist=True) for e in events))
    api.register(event_id=events[0], email=address)
    api.register(event_id=events[0], email=f"wanda{n}@example.org")
    api.register(event_id=events[1], email=f"bea{n}@example.org")
    api.register(event_id=events[1], email=address)
    sent_mails()  # the mail rows
    [mine] = [r for r in store.registration_rows.of_event(events[0]) if r.email == address]
    store.mail_rows.mark_problem(mine, "complaint", "abuse", "2016-11-10T11:00:00.000Z")
    store.mail_rows.claim(mine, "registrant_reminder", app_module.now())
    reason = f"MessageRejected: Email address is not verified: {address}"
    store.mail_rows.mark_failed(mine, "registrant_reminder", reason, app_module.now())
    assert traces_of(store, address)
    return address, events


@pytest.mark.usefixtures("clock")
@settings(
    max_examples=examples(12),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(st.sampled_from(FAULTS), max_size=30))
def test_after_any_faults_and_a_final_forget_no_item_contains_the_address(api, store, plan):
    address, events = a_person_with_everything(api, store)
    faulty = Faulty(store.table.client(), plan)
    failing = Store(store.table_name, client=lambda: faulty, sleep=lambda _: None)

    while faulty.plan:  # each run cut short by a fault is followed by another, as an admin would
        try:
            forget(failing, address, app_module.now())
        except (StoreUnavailable, Contended):
            continue
    forget(failing, address, app_module.now())  # the run that meets no fault

    assert traces_of(store, address) == []
    for event_id in events:  # the seats stay exact: one confirmed, nobody left waiting
        record = store.event_rows.find(event_id, consistent=True)
        statuses = [r.status for r in store.registration_rows.of_event(event_id)]
        assert (record.confirmed, record.waiting) == (statuses.count(Status.CONFIRMED), 0) == (1, 0)


def test_a_forget_cut_short_is_finished_by_the_next_and_says_what_it_removed(api, store, clock, capsys, monkeypatch):
    address, _ = a_person_with_everything(api, store)
    real = store.table.client()

    class MailRowsFail:
        def __getattr__(self, name):
            return getattr(real, name)

        def delete_item(self, **_):
            raise client_error("InternalServerError", "DeleteItem")

    monkeypatch.setattr(cli_module, "Store", lambda name: Store(name, client=MailRowsFail))
    assert cli(["forget", address]) == 1  # the registrations are erased, then the table fails
    assert "run forget again" in capsys.readouterr().err
    monkeypatch.undo()

    assert cli(["forget", address]) == 0
    out = capsys.readouterr().out
    assert "removed the record of a spam complaint in first-" in out
    assert "mail record(s) left by an erasure cut short" in out
    assert traces_of(store, address) == []
    assert cli(["forget", address]) == 0
    assert "nothing stored" in capsys.readouterr().out
