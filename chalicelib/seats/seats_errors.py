"""What the seat logic raises when a newcomer cannot be placed or a seat cannot change hands."""

from __future__ import annotations


class Contended(Exception):
    """Too many rounds of contention; the caller answers 503."""


class EventFull(Exception):
    """No seat left and no waiting list."""


class EventGone(Exception):
    """The event was removed while registering."""


class Forgotten(Exception):
    """The pending registration was erased (`forget`) before it got its number."""
