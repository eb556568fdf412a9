"""A short-lived, per-Lambda-instance cache of event reads for the registration path.

The seat counts it returns are only a first guess: every write is guarded by a
condition on the real counter, and a failed guess is re-read consistently.
An admin's change to an event (`load-events`) reaches the request path within
`max_age` seconds.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from chalicelib.store import EventRecord

DEFAULT_MAX_AGE_SECONDS = 10.0
MAX_ENTRIES = 256  # bounds memory when a bot walks through made-up event ids


class EventCache:
    def __init__(
        self,
        load: Callable[[str], EventRecord | None],
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, EventRecord | None]] = OrderedDict()

    def get(self, event_id: str) -> EventRecord | None:
        now = self._clock()
        cached = self._entries.get(event_id)
        if cached is not None and now - cached[0] < self._max_age:
            return cached[1]
        record = self._load(event_id)
        self._entries[event_id] = (now, record)
        self._entries.move_to_end(event_id)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
        return record

    def update(self, event_id: str, record: EventRecord) -> None:
        """Remember counts this instance just wrote, keeping the entry's age (so an admin's
        change still arrives within max_age)."""
        cached = self._entries.get(event_id)
        if cached is not None:
            self._entries[event_id] = (cached[0], record)

    def clear(self) -> None:
        self._entries.clear()
