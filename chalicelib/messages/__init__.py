"""German and English texts for answers, pages and mails, looked up by key."""

from __future__ import annotations

from chalicelib.messages import de, en

LANGUAGES = ("de", "en")
_TEXTS = {"de": de.TEXTS, "en": en.TEXTS}


def text(language: str, key: str, **values: object) -> str:
    """The text `key` in `language` (German when unknown), with `values` filled in."""
    template = _TEXTS.get(language, de.TEXTS)[key]
    return template.format(**values) if values else template


def field_label(language: str, field: str) -> str:
    """A standard field's label, or the field name itself for anything else."""
    return _TEXTS.get(language, de.TEXTS).get(f"field.{field}", field)
