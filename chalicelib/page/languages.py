"""Which languages an event's page can be written in (`cli page --language`). Pure.

The page's own words come in German and English; what the event file says (question labels,
the consent sentence) only in the languages the organiser wrote. An event offers its own
language, and another one when every label and the consent sentence have a text in it: a page
that mixed the two would ask some questions in a language the reader may not understand.
Choices may stay untranslated (place names, "Integration"): they are shown as they are, and
the command line names them.
"""

from __future__ import annotations

from chalicelib.model.events import Event
from chalicelib.model.submission import LANGUAGES
from chalicelib.page.page_errors import PageError

LANGUAGE_NAMES = {"de": "German", "en": "English"}


def missing_texts(event: Event, language: str) -> list[str]:
    """What has no text of its own in `language` (a plain string is in the event's language)."""
    if language == event.language:
        return []
    missing = [f"question {q.id!r}" for q in event.questions if not (isinstance(q.label, dict) and language in q.label)]
    consent = event.consent.text
    if not (isinstance(consent, dict) and language in consent):
        missing.append("consent")
    return missing


def offered_languages(event: Event) -> list[str]:
    """The languages a complete page of `event` can be written in, the event's own first."""
    others = [lang for lang in LANGUAGES if lang != event.language and not missing_texts(event, lang)]
    return [event.language, *others]


def untranslated_choices(event: Event, language: str) -> list[str]:
    """The choices a page in `language` shows as the event file spells them (no `choice_labels`)."""
    if language == event.language:
        return []
    return [
        choice
        for q in event.questions
        for choice in q.choices or ()
        if choice not in (q.choice_labels or {}).get(language, {})  # type: ignore[operator]
    ]


def page_language(event: Event, requested: str | None) -> str:
    """The page's language: `requested`, if the event offers it; the event's own by default."""
    if requested is None or requested == event.language:
        return event.language
    missing = missing_texts(event, requested)
    if missing:
        name = LANGUAGE_NAMES.get(requested, requested)
        raise PageError(
            f"--language {requested}: {event.event_id} offers {', '.join(offered_languages(event))}; "
            f"no {name} text for {', '.join(missing)} "
            f'(write each as {{"{event.language}": "…", "{requested}": "…"}} and load the event again)'
        )
    return requested
