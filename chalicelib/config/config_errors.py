"""What reading the configuration raises: a setting that does not hold, a stage that does not exist."""

from __future__ import annotations


class SettingsError(Exception):
    """A setting is missing or invalid; the message names every such variable."""


class UnknownStage(Exception):
    pass
