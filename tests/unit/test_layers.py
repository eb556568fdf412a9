"""The modules form layers: each imports only from its own layer or the ones below, never in a
circle, and the mail, due and feedback functions reach nothing of HTTP.

    base      aws, settings, stage_config: clients and configuration
    core      pure rules and texts: events, forms, registration, records, links, messages, mails
    store     DynamoDB (the `store` package), SES and SNS senders, the event cache
    use case  intake, seats, cancellation, outbox, schedule, personal data, feedback, admin
    http      answers, openapi, api_shapes, guard
    top       app.py and the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("base", "core", "store", "use case", "http", "top")
LAYER_OF = {
    "addresses": "base",
    "aws": "base",
    "settings": "base",
    "stage_config": "base",
    "events": "core",
    "event_files": "core",
    "forms": "core",
    "submission": "core",
    "registration": "core",
    "records": "core",
    "links": "core",
    "messages": "core",
    "notifications": "core",
    "ics": "core",
    "mime": "core",
    "spam": "core",
    "negotiation": "core",
    "mail_failures": "core",
    "export": "core",
    "due": "core",
    "reports": "core",
    "page": "core",
    "page_texts": "core",
    "store": "store",
    "mail": "store",
    "alerts": "store",
    "event_cache": "store",
    "intake": "use case",
    "seats": "use case",
    "handover": "use case",
    "numbering": "use case",
    "cancellation": "use case",
    "outbox": "use case",
    "schedule": "use case",
    "personal_data": "use case",
    "feedback": "use case",
    "admin": "use case",
    "answers": "http",
    "openapi": "http",
    "api_shapes": "http",
    "guard": "http",
    "cli": "top",
    "app": "top",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[0] == "chalicelib":
        parts = parts[1:]
    return parts[0] if parts else "chalicelib"


def imports_of(path: Path) -> set[str]:
    """The chalicelib modules `path` imports (also inside functions), by their top-level name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib"):
            rest = node.module.split(".")[1:]
            if rest:
                found.add(rest[0])
            else:  # from chalicelib import a, b
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chalicelib."):
                    found.add(alias.name.split(".")[1])
    return found


SOURCES = [*sorted((ROOT / "chalicelib").rglob("*.py")), ROOT / "app.py"]


def test_every_module_has_a_layer():
    assert sorted({module_name(p) for p in SOURCES} - set(LAYER_OF) - {"__init__", "chalicelib"}) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_reaches_up(path):
    own = module_name(path)
    if own not in LAYER_OF:
        return
    level = LAYERS.index(LAYER_OF[own])
    upward = sorted(m for m in imports_of(path) - {own} if LAYERS.index(LAYER_OF[m]) > level)
    assert upward == [], f"{own} ({LAYER_OF[own]}) imports from above: {upward}"


def test_the_modules_import_no_circle():
    graph: dict[str, set[str]] = {}
    for path in SOURCES:
        graph.setdefault(module_name(path), set()).update(imports_of(path) - {module_name(path)})

    def circle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return [*trail, start]
                if nxt not in trail:
                    stack.append((nxt, [*trail, nxt]))
        return None

    circles = [circle for name in graph if (circle := circle_from(name))]
    assert circles == []


def test_the_mail_due_and_feedback_functions_import_nothing_of_http():
    http = {m for m, layer in LAYER_OF.items() if layer in ("http", "top")}
    seen: set[str] = set()
    todo = ["outbox", "schedule", "feedback"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for path in SOURCES:
            if module_name(path) == name:
                todo += sorted(imports_of(path))
    assert sorted(seen & http) == []


def test_no_module_is_too_long_to_read():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES if (n := len(p.read_text().splitlines())) > 350}
    assert long == {}
