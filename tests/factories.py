"""Event and submission data shared by the tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import ClientError

from chalicelib.model.events import Event

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


EVERY_QUESTION_EVENT_ID = "every-question-en"


def every_question_event(**changes: Any) -> Event:
    """An English event asking every kind of question the page draws differently: a short and a
    long text, a required choice of two (radios), an optional choice of six (a select), a
    required multi (tick boxes) and a required yes/no (one tick box)."""
    document = {
        **seed_event_document(),
        "event_id": EVERY_QUESTION_EVENT_ID,
        "title": "Trade & Development: a day for local partnerships",
        "language": "en",
        "location": "Town Hall, 1 Market Square, Bonn",
        "questions": [
            {
                "id": "dietary",
                "label": {"de": "Ernährung", "en": "Dietary requirements"},
                "type": "text",
                "max_length": 100,
            },
            {
                "id": "expectations",
                "label": {"en": "What do you hope to take home from the day?"},
                "type": "text",
                "max_length": 1000,
            },
            {
                "id": "workshop",
                "label": {"en": "Workshop"},
                "type": "choice",
                "required": True,
                "choices": ["Morning", "Afternoon"],
            },
            {
                "id": "country",
                "label": "Country",
                "type": "choice",
                "choices": ["Germany", "Ghana", "India", "Mexico", "Senegal", "Another country"],
            },
            {
                "id": "topics",
                "label": {"en": "Topics of interest"},
                "type": "multi",
                "required": True,
                "choices": ["Climate", "Migration", "Trade"],
            },
            {
                "id": "photos",
                "label": {"en": "I agree to appear in photos of the day"},
                "type": "bool",
                "required": True,
            },
        ],
        "consent": {
            "version": "2026-01",
            "text": {"en": "I consent to my details being processed to organise this event."},
        },
    }
    return Event.model_validate({**document, **changes})


def client_error(code, operation, reasons=None):
    response = {"Error": {"Code": code, "Message": "injected"}}
    if reasons is not None:
        response["CancellationReasons"] = reasons
    return ClientError(response, operation)


BILINGUAL_EVENT_ID = "partnerschaften-de-en"


def bilingual_event(**changes: Any) -> Event:
    """A German event written in English too: every kind of question, each label and
    the consent in both languages, the choices translated (`choice_labels`) but for a name."""
    document = {
        **seed_event_document(),
        "event_id": BILINGUAL_EVENT_ID,
        "title": "Kommunale Partnerschaften / Municipal partnerships",
        "questions": [
            {"id": "verein", "label": {"de": "Verein", "en": "Association"}, "type": "text", "max_length": 100},
            {
                "id": "erwartungen",
                "label": {"de": "Was erwarten Sie vom Tag?", "en": "What do you expect from the day?"},
                "type": "text",
                "max_length": 1000,
            },
            {
                "id": "workshop",
                "label": {"de": "Workshop", "en": "Workshop"},
                "type": "choice",
                "required": True,
                "choices": ["Vormittag", "Nachmittag"],
                "choice_labels": {"en": {"Vormittag": "Morning", "Nachmittag": "Afternoon"}},
            },
            {
                "id": "organisation_type",
                "label": {"de": "Art der Organisation", "en": "Type of organisation"},
                "type": "choice",
                "choices": ["Kommune", "Landkreis", "Migrantenorganisation", "Verein", "Andere"],
                "choice_labels": {
                    "en": {
                        "Kommune": "Municipality",
                        "Landkreis": "District",
                        "Migrantenorganisation": "Migrant organisation",
                        "Verein": "Association",
                        "Andere": "Other",
                    }
                },
            },
            {
                "id": "themen",
                "label": {"de": "Themen", "en": "Topics"},
                "type": "multi",
                "required": True,
                "choices": ["Klima", "Migration", "Handel", "Agenda 2030"],
                "choice_labels": {"en": {"Klima": "Climate", "Handel": "Trade"}},  # the rest read the same
            },
            {"id": "fotos", "label": {"de": "Fotos sind in Ordnung", "en": "Photos are fine"}, "type": "bool"},
        ],
    }
    return Event.model_validate({**document, **changes})
