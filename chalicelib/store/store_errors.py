"""What the store raises: DynamoDB unavailable, a write's condition lost, a refusal of the table."""

from __future__ import annotations

from typing import Any


class StoreUnavailable(Exception):
    """DynamoDB throttled, failed or timed out, or a transaction kept meeting others: nothing was
    written, unless the caller was told otherwise (a write whose answer was lost may have committed)."""


class AlreadyRegistered(Exception):
    """The address is already registered for this event."""


class Overtaken(Exception):
    """A write's condition failed because someone else wrote first (a seat or place taken, a
    registration changed, a pending row placed or erased): decide again from a fresh read."""


class RateLimited(Exception):
    """This address has made its allowed number of registrations this hour."""


class Cancelled(Exception):
    """A transaction whose conditions did not all hold: nothing was written.

    `failed` names the actions whose condition failed (the names the caller gave them), so
    a caller reads the reason by meaning, never by position in the list. `old` holds, by
    name, the item that failed an action's condition where the action asked for it
    (`ReturnValuesOnConditionCheckFailure`)."""

    def __init__(self, failed: frozenset[str], old: dict[str, dict[str, Any]], codes: list[str]) -> None:
        super().__init__(codes)
        self.failed = failed
        self.old = old
        self.codes = codes


class CapacityBelowTaken(Exception):
    """Event files ask for fewer seats than are already taken; the message names each event
    with its capacity and its seats taken."""


class SavedInPart(Exception):
    """A save of more events than one transaction holds failed (`cause`) after its first
    transactions had committed: `loaded` are stored, `not_loaded` are not."""

    def __init__(self, loaded: list[str], not_loaded: list[str], cause: Exception) -> None:
        super().__init__(str(cause))
        self.loaded = loaded
        self.not_loaded = not_loaded
        self.cause = cause
