"""What the pure model raises: an address, a submission or a link that does not hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.model.validation import FieldError


class InvalidAddress(ValueError):
    """Not an address this service can mail; the message says why."""


class InvalidSubmission(Exception):
    """Every problem of a submission at once."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = errors


class InvalidToken(Exception):
    """Forged, altered, malformed or expired."""
