"""`cli page`: the page from the event in the table, or from its file."""

from __future__ import annotations

import json

from chalicelib.cli import main
from chalicelib.page.render import PAGE_FILES
from tests.api.conftest import reload_events
from tests.factories import SEED_EVENT_ID, event, seed_event_document

API = "https://abc123.execute-api.eu-central-1.amazonaws.com/api/"
ACTION = f'action="{API}events/{SEED_EVENT_ID}/registrations"'


def test_the_page_is_built_from_the_event_in_the_table(store, capsys):
    reload_events(store, event(title="Wie in der Tabelle", language="en"))
    assert main(["page", SEED_EVENT_ID, "--api-url", API]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!doctype html>")
    assert ACTION in out
    assert "<h1>Wie in der Tabelle</h1>" in out  # not the file's title
    assert '<html lang="en">' in out


def test_an_event_not_in_the_table_is_named_with_the_ways_out(store, capsys):
    assert main(["page", "kein-solches-treffen", "--api-url", API]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no event 'kein-solches-treffen' in table" in err
    assert "load-events" in err
    assert "--from-file" in err


def test_from_file_needs_no_table(store, tmp_path, capsys):
    document = {**seed_event_document(), "event_id": "nur-als-datei", "title": "Nur als Datei"}
    path = tmp_path / "nur-als-datei.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert store.event_rows.find("nur-als-datei") is None
    assert main(["page", "nur-als-datei", "--from-file", str(path), "--api-url", API]) == 0
    assert "<h1>Nur als Datei</h1>" in capsys.readouterr().out


def test_from_file_refuses_a_bad_file_or_another_event(tmp_path, capsys):
    bad = tmp_path / "kaputt.json"
    bad.write_text(json.dumps({**seed_event_document(), "event_id": "kaputt", "timezone": "Mars/Base"}))
    assert main(["page", "kaputt", "--from-file", str(bad), "--api-url", API]) == 1
    assert "timezone" in capsys.readouterr().err
    other = tmp_path / "anderes.json"
    other.write_text(json.dumps({**seed_event_document(), "event_id": "anderes"}))
    assert main(["page", "kaputt", "--from-file", str(other), "--api-url", API]) == 1
    assert "holds event 'anderes', not 'kaputt'" in capsys.readouterr().err


def test_out_writes_the_page_and_its_files(store, tmp_path, capsys):
    assert main(["page", SEED_EVENT_ID, "--api-url", API]) == 0
    printed = capsys.readouterr().out
    assert main(["page", SEED_EVENT_ID, "--api-url", API, "--out", str(tmp_path / "seite")]) == 0
    written = capsys.readouterr()
    assert "wrote" in written.out
    assert "privacy.html is a sample with placeholders" in written.err  # not published unread
    assert sorted(p.name for p in (tmp_path / "seite").iterdir()) == sorted(PAGE_FILES)
    assert (tmp_path / "seite" / "index.html").read_text(encoding="utf-8") == printed


def test_with_a_privacy_url_of_ones_own_the_sample_draws_no_warning(store, tmp_path, capsys):
    own = ["--privacy-url", "https://example.org/datenschutz"]
    assert main(["page", SEED_EVENT_ID, "--api-url", API, *own, "--out", str(tmp_path / "seite")]) == 0
    assert "placeholders" not in capsys.readouterr().err


def test_a_privacy_url_of_ones_own_is_linked(store, capsys):
    assert main(["page", SEED_EVENT_ID, "--api-url", API, "--privacy-url", "https://example.org/datenschutz"]) == 0
    assert '<a href="https://example.org/datenschutz">Datenschutzhinweise lesen</a>' in capsys.readouterr().out


def test_a_bad_api_url_is_one_line(store, capsys):
    assert main(["page", SEED_EVENT_ID, "--api-url", "abc123.execute-api.eu-central-1.amazonaws.com"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: --api-url")
    assert captured.err.count("\n") == 1


def test_an_event_no_page_may_read_is_noted(store, capsys):
    reload_events(store, event(allowed_origins=[]))
    assert main(["page", SEED_EVENT_ID, "--api-url", API]) == 0
    captured = capsys.readouterr()
    assert ACTION in captured.out
    assert "has no allowed_origins" in captured.err
