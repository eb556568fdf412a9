"""An event that is open whenever the local stack runs, so the example page works at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from chalicelib.events import Event, Organiser, SpamProtection

DEMO_EVENT_ID = "netzwerktreffen-demo"


def demo_event(template: Event, today: date, page_origin: str) -> Event:
    """`template` moved to a month from `today`, registration open until three weeks from it."""
    day = today + timedelta(days=30)
    return template.model_copy(
        update={
            "event_id": DEMO_EVENT_ID,
            "title": f"Demo: {template.title}",
            "starts_at": datetime.combine(day, time(10)),
            "ends_at": datetime.combine(day, time(17)),
            "registration_opens_at": None,
            "registration_deadline": today + timedelta(days=21),
            "organisers": [Organiser(name="Demo-Organisation", email="organisation@example.org")],
            "allowed_origins": [page_origin],
            "form_url": f"{page_origin}/",
            # Under `chalice local` every client is 127.0.0.1: an hourly limit per address
            # would stop a developer, not a bot.
            "spam_protection": SpamProtection(
                min_fill_seconds=template.spam_protection.min_fill_seconds, per_address_per_hour=None
            ),
        }
    )
