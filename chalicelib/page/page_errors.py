"""What stops a page from being built; the command line reports it as one line."""

from __future__ import annotations


class PageError(ValueError):
    """The page cannot be built as asked (the API URL is no http(s) URL, a language the event
    has no texts in)."""
