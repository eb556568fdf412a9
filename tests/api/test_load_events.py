"""`load-events` end to end: what a file holds must not make a registration impossible, and more
events than one transaction holds are loaded all or nothing."""

from __future__ import annotations

import json
import re

import app as app_module
from chalicelib.cli import main
from chalicelib.store.event_rows import EventRows
from chalicelib.store.store_errors import StoreUnavailable
from tests.api.conftest import reload_events
from tests.factories import SEED_EVENT_ID, event, seed_event_document

API = "https://abc123.execute-api.eu-central-1.amazonaws.com/api/"


def write_event(tmp_path, **changes):
    document = {**seed_event_document(), **changes}
    path = tmp_path / f"{document['event_id']}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def person(i):
    return {"email": f"person{i}@example.org", "given_name": f"Person{i}"}


def test_a_choice_written_with_spaces_is_offered_and_accepted(api, store, tmp_path, capsys):
    question = {"id": "organisation_type", "label": "Art", "type": "choice", "choices": ["Kommune", "Andere "]}
    assert main(["load-events", str(write_event(tmp_path, questions=[question]))]) == 0
    app_module.intake.events.clear()
    assert main(["page", SEED_EVENT_ID, "--api-url", API]) == 0
    offered = re.findall(r'<option value="([^"]*)"', capsys.readouterr().out)[1:]
    # What the generated page sends, and what a page built by hand from the file sends.
    for i, chosen in enumerate([offered[-1], "Andere "]):
        answer = api.post(**person(i), organisation_type=chosen, department=None)
        assert answer.status == 201, answer.body
    assert offered == ["Kommune", "Andere"]
    answers = [r.answers for r in store.registration_rows.of_event(SEED_EVENT_ID)]
    assert answers == [{"organisation_type": "Andere"}] * 2


def _hundred_new(tmp_path):
    return [write_event(tmp_path, event_id=f"treffen-{i:03}", title=f"Treffen {i}") for i in range(100)]


def test_a_capacity_below_the_seats_taken_past_the_first_hundred_loads_nothing(api, store, tmp_path, capsys):
    reload_events(store, event(capacity=3))
    api.register(**person(1))
    api.register(**person(2))
    paths = [*_hundred_new(tmp_path), write_event(tmp_path, capacity=1)]  # event 101: 2 seats taken
    assert main(["load-events", *map(str, paths)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: nothing loaded: capacity below the seats already taken for "
        f"{SEED_EVENT_ID} (capacity: 1, seats taken: 2)\n"
    )
    assert [r.event.event_id for r in store.event_rows.all()] == [SEED_EVENT_ID]
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).event.capacity == 3


def test_seats_taken_after_the_check_are_named_with_what_was_loaded_and_a_rerun_finishes(
    api, store, tmp_path, capsys, monkeypatch
):
    reload_events(store, event(capacity=3))
    api.register(**person(1))
    new = _hundred_new(tmp_path)
    lowered = write_event(tmp_path, capacity=1)  # allowed when checked: one seat taken
    check = EventRows.check_capacities

    def check_then_a_registration(rows, events):
        check(rows, events)
        assert api.post(**person(2)).status == 201  # beside the load, between its check and its writes

    with monkeypatch.context() as patched:
        patched.setattr(EventRows, "check_capacities", check_then_a_registration)
        assert main(["load-events", *map(str, [*new, lowered])]) == 1
    err = capsys.readouterr().err
    loaded = ", ".join(f"treffen-{i:03}" for i in range(100))
    assert err == (
        f"error: only 100 of 101 event(s) loaded: {loaded}; not loaded: {SEED_EVENT_ID}, because the capacity is "
        f"below the seats already taken for {SEED_EVENT_ID} (capacity: 1, seats taken: 2): fix that and run "
        "load-events again with the same files\n"
    )
    assert len(store.event_rows.all()) == 101
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).event.capacity == 3
    # Run again as it is, the load is refused before anything is written; fixed, it finishes.
    assert main(["load-events", *map(str, [*new, lowered])]) == 1
    assert "error: nothing loaded: capacity below the seats already taken" in capsys.readouterr().err
    fixed = write_event(tmp_path, capacity=2)
    assert main(["load-events", *map(str, [*new, fixed])]) == 0
    assert "loaded 101 event(s)" in capsys.readouterr().out
    assert store.event_rows.find(SEED_EVENT_ID, consistent=True).event.capacity == 2


def test_aws_failing_past_the_first_hundred_names_what_was_loaded(store, tmp_path, capsys, monkeypatch):
    paths = [*_hundred_new(tmp_path), write_event(tmp_path)]
    save_together = EventRows._save_together

    def second_fails(rows, events):
        if events[0].event_id == SEED_EVENT_ID:
            raise StoreUnavailable("injected")
        save_together(rows, events)

    with monkeypatch.context() as patched:
        patched.setattr(EventRows, "_save_together", second_fails)
        assert main(["load-events", *map(str, paths)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: only 100 of 101 event(s) loaded: treffen-000, treffen-001, ")
    assert err.endswith(
        f"; not loaded: {SEED_EVENT_ID}, because AWS failed (injected): run load-events again with the same files\n"
    )
    assert main(["load-events", *map(str, paths)]) == 0
    assert len(store.event_rows.all()) == 101


def test_a_load_whose_answer_was_lost_is_read_back_and_reported_loaded(store, tmp_path, capsys, monkeypatch):
    from botocore.exceptions import ReadTimeoutError

    from chalicelib import cli as cli_module
    from chalicelib.store import Store

    real = store.table.client()

    class CommitThenTimeout:
        def __getattr__(self, name):
            return getattr(real, name)

        def transact_write_items(self, **request):
            real.transact_write_items(**request)
            raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")

    monkeypatch.setattr(cli_module, "Store", lambda name: Store(name, client=CommitThenTimeout))
    path = write_event(tmp_path, capacity=7, title="Neuer Titel")

    assert main(["load-events", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"loaded 1 event(s): {SEED_EVENT_ID}")
    stored = store.event_rows.find(SEED_EVENT_ID, consistent=True).event
    assert (stored.capacity, stored.title) == (7, "Neuer Titel")
