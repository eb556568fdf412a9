"""Event and submission data shared by the tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.events import Event

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED_EVENT_ID = "netzwerktreffen-nrw-2016"
BERLIN = ZoneInfo("Europe/Berlin")


def seed_event_document() -> dict[str, Any]:
    return json.loads((PROJECT_DIR / "events" / f"{SEED_EVENT_ID}.json").read_text(encoding="utf-8"))


def seed_event() -> Event:
    return Event.model_validate(seed_event_document())


def event(**changes: Any) -> Event:
    """The seed event with `changes` applied (validated like a file)."""
    return Event.model_validate({**seed_event_document(), **changes})


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def submission(**changes: Any) -> dict[str, Any]:
    """A valid JSON submission for the seed event."""
    values: dict[str, Any] = {
        "given_name": "Pukhraj",
        "family_name": "Choudhary",
        "email": "p.choudhary@example.org",
        "organisation": "Stadt Dinslaken",
        "consent": True,
        "organisation_type": "Kommune",
        "department": "Integration",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}
