"""An event that is open whenever the local stack runs, so the example page works at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from chalicelib.model.events import Event

DEMO_EVENT_ID = "netzwerktreffen-demo"


def demo_event(template: Event, today: date, page_origin: str) -> Event:
    """`template` moved to a month from `today`, registration open until three weeks from it,
    validated like any event file."""
    day = today + timedelta(days=30)
    changes = {
        "event_id": DEMO_EVENT_ID,
        "title": f"Demo: {template.title}",
        "starts_at": datetime.combine(day, time(10)).isoformat(),
        "ends_at": datetime.combine(day, time(17)).isoformat(),
        "registration_opens_at": None,
        "registration_deadline": (today + timedelta(days=21)).isoformat(),
        "organisers": [{"name": "Demo-Organisation", "email": "organisation@example.org"}],
        "allowed_origins": [page_origin],
        "form_url": f"{page_origin}/",
    }
    return Event.model_validate({**template.model_dump(mode="json"), **changes})
