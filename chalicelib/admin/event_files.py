"""Reading `events/<event_id>.json` files: every problem of every file, or every event."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from chalicelib.admin.admin_errors import EventFileErrors
from chalicelib.model.events import Event


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def read_event_files(paths: list[Path]) -> list[Event]:
    """Validate all files; raise `EventFileErrors` naming every problem if any is bad."""
    events: list[Event] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(f"{path}: (file): cannot be read as JSON: {exc}")
            continue
        try:
            event = Event.model_validate(document)
        except ValidationError as exc:
            problems += [f"{path}: {_location(e['loc'])}: {e['msg']}" for e in exc.errors()]
            continue
        if path.stem != event.event_id:
            problems.append(f"{path}: event_id: {event.event_id!r} differs from the file name {path.name!r}")
        elif event.event_id in seen:
            problems.append(f"{path}: event_id: {event.event_id!r} is also in {seen[event.event_id]}")
        seen[event.event_id] = path
        events.append(event)
    if problems:
        raise EventFileErrors(problems)
    return events
