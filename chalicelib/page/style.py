"""The page's own stylesheet, for the API's HTML answers: they look like the page and fit a phone
as it does. A module of its own, importing nothing of ours, so that an answer page (a cancel
page, a 503 to a browser) loads only this, not the form's builder."""

from __future__ import annotations

import functools
from pathlib import Path

STYLESHEET = Path(__file__).parent / "templates" / "register.css"


@functools.cache
def stylesheet() -> str:
    """register.css, read once per process."""
    return STYLESHEET.read_text(encoding="utf-8")
