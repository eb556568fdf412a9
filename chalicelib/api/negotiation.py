"""Content negotiation: JSON mode or browser mode, and the answer's language. Pure."""

from __future__ import annotations

from chalicelib.api.forms import is_json
from chalicelib.model.events import Event
from chalicelib.texts import LANGUAGES


def _ranges(header: str | None) -> list[tuple[str, float]]:
    ranges = []
    for part in (header or "").split(","):
        name, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            ranges.append((name.lower(), q))
    return ranges


def _media_preference(ranges: list[tuple[str, float]], offer: str) -> tuple[float, int]:
    """(q, specificity) of the most specific Accept range matching `offer`."""
    kind = offer.split("/")[0]
    best = (0.0, -1)
    for name, q in ranges:
        specificity = {offer: 2, f"{kind}/*": 1, "*/*": 0}.get(name, -1)
        if specificity > best[1]:
            best = (q, specificity)
    return best


def wants_json(content_type: str | None, accept: str | None) -> bool:
    """JSON mode: the body is JSON, or Accept prefers JSON to HTML."""
    if is_json(content_type):
        return True
    ranges = _ranges(accept)
    json_pref = _media_preference(ranges, "application/json")
    return json_pref[0] > 0 and json_pref > _media_preference(ranges, "text/html")


def answer_language(requested: str | None, accept_language: str | None, event: Event | None) -> str:
    """`lang` from the submission, else Accept-Language, else the event's, else German."""
    if requested in LANGUAGES:
        return requested
    ranges = sorted(_ranges(accept_language), key=lambda r: -r[1])
    for name, q in ranges:
        primary = name.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary
    return event.language if event else "de"
