"""The packages of `chalicelib/` form layers, read from the tree: a module's layer is its folder.
Each imports only from its own layer or the ones below, never in a circle; the mail, due and
feedback functions reach nothing of the API function; and the tree stays readable (at most 4
modules at the top, 12 in a package, 350 lines in a module, no two modules of one name).

    model    what the service is about: events, submissions, registrations, addresses, links
    config   settings, a stage's settings, the AWS clients
    texts    German and English texts, exports
    store    DynamoDB: the only package that knows keys and expressions
    mail     what mails say, MIME, SES, the outbox (mail function), SES feedback, alerts
    page     the registration page (command line only; it shows the consent mail's wording; its form
             filled in again is the API's answer to a page without JavaScript)
    seats    placing newcomers, numbering a crowd, seats changing hands, cancelling
    due      the due function
    api      the API function: bodies, bot traps, intake, HTTP answers, OpenAPI
    admin    the admin API's work, event files, personal data
    top      app.py and the command line
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("model", "config", "texts", "store", "mail", "page", "seats", "due", "api", "admin", "top")
SOURCES = [*sorted((ROOT / "chalicelib").rglob("*.py")), ROOT / "app.py"]


def dotted(path: Path) -> str:
    """`chalicelib/seats/placing.py` -> `chalicelib.seats.placing`; a package is its `__init__`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """The folder under `chalicelib` names the layer; a module at the top (and app.py) is `top`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "top"


def imports_of(path: Path) -> set[str]:
    """The chalicelib modules `path` imports (also inside functions), dotted."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # from a package import a module
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("chalicelib."))
    return {name for name in found if name in MODULES}


MODULES = {dotted(p) for p in SOURCES}


def test_every_folder_is_a_layer():
    folders = {p.parent.name for p in SOURCES if p.parent.parent == ROOT / "chalicelib"}
    assert sorted(folders - set(LAYERS)) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_reaches_up(path):
    own = layer_of(dotted(path))
    upward = sorted(m for m in imports_of(path) if LAYERS.index(layer_of(m)) > LAYERS.index(own))
    assert upward == [], f"{dotted(path)} ({own}) imports from above: {upward}"


def test_the_packages_import_no_circle():
    graph: dict[str, set[str]] = {}
    for path in SOURCES:
        own = layer_of(dotted(path))
        graph.setdefault(own, set()).update(layer_of(m) for m in imports_of(path) if layer_of(m) != own)

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

    assert [circle for name in graph if (circle := circle_from(name))] == []


def test_the_mail_due_and_feedback_functions_import_nothing_of_the_api():
    seen: set[str] = set()
    todo = ["chalicelib.mail.outbox", "chalicelib.due.schedule", "chalicelib.mail.feedback"]
    by_name = {dotted(p): p for p in SOURCES}
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += sorted(imports_of(by_name[name]))
    assert sorted(m for m in seen if layer_of(m) in ("api", "admin", "top")) == []


def test_the_tree_stays_readable():
    top = [p.name for p in SOURCES if p.parent == ROOT / "chalicelib"]
    assert len(top) <= 4, top
    per_package = Counter(p.parent.name for p in SOURCES if p.parent.parent == ROOT / "chalicelib")
    assert {name: n for name, n in per_package.items() if n > 12} == {}
    names = Counter(p.name for p in SOURCES if p.name != "__init__.py")
    assert {name: n for name, n in names.items() if n > 1} == {}


def test_no_module_is_too_long_to_read():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES if (n := len(p.read_text().splitlines())) > 350}
    assert long == {}
