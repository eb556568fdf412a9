"""A stage's settings from `.chalice/config.json`, for commands run outside Lambda."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from chalicelib.config.config_errors import UnknownStage

PROJECT_DIR = Path(__file__).resolve().parents[2]
CONFIG_PATH = PROJECT_DIR / ".chalice" / "config.json"


def stage_environment(stage: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The stage's `environment_variables`, overridden by `environ` (default: the process's)."""
    config = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    stages = config.get("stages", {})
    if stage not in stages:
        raise UnknownStage(f"stage {stage!r} is not in {CONFIG_PATH} (known: {', '.join(sorted(stages))})")
    values = {**config.get("environment_variables", {}), **stages[stage].get("environment_variables", {})}
    return {**values, **(os.environ if environ is None else environ)}
