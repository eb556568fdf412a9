"""The admin command line against the mocked table."""

from __future__ import annotations

import csv
import io
import json

import pytest

from chalicelib.cli import main
from tests.factories import PROJECT_DIR, SEED_EVENT_ID, seed_event_document, submission

SEED_FILE = PROJECT_DIR / "events" / f"{SEED_EVENT_ID}.json"


def write_event(tmp_path, **changes):
    document = {**seed_event_document(), **changes}
    path = tmp_path / f"{document['event_id']}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_create_table_is_idempotent(store, capsys):
    assert main(["create-table"]) == 0
    assert "already exists" in capsys.readouterr().out


def test_load_events_stores_every_file(store, tmp_path, capsys):
    other = write_event(tmp_path, event_id="zweites-treffen", title="Zweites Treffen")
    assert main(["load-events", str(SEED_FILE), str(other)]) == 0
    assert "loaded 2 event(s)" in capsys.readouterr().out
    assert store.event_rows.find("zweites-treffen").event.title == "Zweites Treffen"


def test_load_events_names_every_problem_of_every_file_and_loads_nothing(store, tmp_path, capsys):
    good = write_event(tmp_path, event_id="gutes-treffen")
    bad_one = write_event(tmp_path, event_id="bad-one", timezone="Mars/Base", capacity=0)
    bad_two = tmp_path / "bad-two.json"
    bad_two.write_text("{not json", encoding="utf-8")
    assert main(["load-events", str(good), str(bad_one), str(bad_two)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any("bad-one.json: timezone:" in line for line in err)
    assert any("bad-one.json: capacity:" in line for line in err)
    assert any("bad-two.json: (file): cannot be read as JSON" in line for line in err)
    assert err[-1].startswith("error: nothing loaded: 3 problem(s)")
    assert store.event_rows.find("gutes-treffen") is None


def test_a_file_named_unlike_its_event_is_refused(store, tmp_path, capsys):
    path = tmp_path / "falscher-name.json"
    path.write_text(json.dumps(seed_event_document()), encoding="utf-8")
    assert main(["load-events", str(path)]) == 1
    assert "differs from the file name" in capsys.readouterr().err


def test_export_as_csv_and_json(client, store, tmp_path, capsys):
    client.http.post(
        f"/events/{SEED_EVENT_ID}/registrations",
        headers={"Content-Type": "application/json"},
        body=json.dumps(submission(given_name="=1+1", family_name="Müller")).encode(),
    )
    capsys.readouterr()
    assert main(["export", SEED_EVENT_ID]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))  # a German event
    assert (row["Vorname"], row["Nachname"], row["Art der Organisation"]) == ("'=1+1", "Müller", "Kommune")
    assert row["Angemeldet am"] == "2016-11-10 12:00"  # the event's clock, a date to Excel
    assert main(["export", SEED_EVENT_ID, "--format", "json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert item["given_name"] == "=1+1"
    assert item["event_id"] == SEED_EVENT_ID


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "no-such-event"], "error: no event 'no-such-event'"),
        (["--stage", "nowhere", "create-table"], "error: stage 'nowhere' is not in"),
    ],
)
def test_errors_are_one_line_on_stderr(store, capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_a_missing_table_is_one_clear_line(store, capsys, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    assert main(["export", SEED_EVENT_ID]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: AWS said ResourceNotFoundException")
    assert err.count("\n") == 1


def test_export_leaves_out_who_cancelled_unless_all(api, client, store, capsys):
    gone = api.register(email="weg@example.org")["registration_id"]
    api.register(email="da@example.org")
    client.http.post(f"/admin/events/{SEED_EVENT_ID}/registrations/{gone}/cancel")
    capsys.readouterr()

    def exported(*options: str) -> list[dict]:
        assert main(["export", SEED_EVENT_ID, *options]) == 0
        return list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff")), delimiter=";"))

    assert [row["E-Mail"] for row in exported()] == ["da@example.org"]
    everyone = sorted(exported("--all"), key=lambda row: row["E-Mail"])
    assert [(row["E-Mail"], row["Status"], row["Abgesagt am"]) for row in everyone] == [
        ("da@example.org", "bestätigt", ""),
        ("weg@example.org", "abgesagt", "2016-11-10 12:00"),
    ]
    assert main(["export", SEED_EVENT_ID, "--format", "json", "--all"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
