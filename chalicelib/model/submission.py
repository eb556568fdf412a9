"""The standard fields of every registration and the rules for their text: the `Submission`
model, whose fields are `STANDARD_FIELDS` (an event's questions may not reuse them). Pure."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.model.addresses import mail_address
from chalicelib.model.model_errors import InvalidAddress

Language = Literal["de", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)


def not_text(ch: str) -> bool:
    """A lone surrogate (half a UTF-16 pair, "\\udfff" in JSON: it has no UTF-8 form) or a
    noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF: XML forbids some, HTML calls them errors)."""
    return unicodedata.category(ch) == "Cs" or 0xFDD0 <= ord(ch) <= 0xFDEF or ord(ch) & 0xFFFE == 0xFFFE


TRUE_WORDS = frozenset({"on", "true", "yes", "1"})
FALSE_WORDS = frozenset({"off", "false", "no", "0", ""})
# Bidi overrides and isolates render text out of order (names that lie about
# themselves in a mail or a list); they are never needed in a name.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\t")
# U+2028/U+2029 are line breaks that are no control character: `str.splitlines` (and so the
# mail library's header folder) breaks at them, and a mail header refuses them. A name must
# stay on one line; a message gets them as the one line break we store, "\n".
_UNICODE_LINE_BREAKS = {"\r\n": "\n", "\u2028": "\n", "\u2029": "\n"}


def _has_control(value: str, allowed: frozenset[str]) -> bool:
    return any(
        (unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch not in allowed) or ch in _BIDI_CONTROLS for ch in value
    )


def _is_text(value: str) -> str:
    # A lone surrogate has no UTF-8 form: DynamoDB (a 503) and every mail part refuse it, so it
    # is refused here, with the field named. Noncharacters are no text either; no person types one.
    if any(not_text(ch) for ch in value):
        raise PydanticCustomError("invalid_characters", "contains characters that are not text")
    return value


def _single_line(value: str) -> str:
    _is_text(value)
    if _has_control(value, frozenset()):
        raise PydanticCustomError("control_characters", "contains control characters")
    return value


def multi_line(value: str) -> str:
    _is_text(value)
    for line_break, replacement in _UNICODE_LINE_BREAKS.items():
        value = value.replace(line_break, replacement)
    if _has_control(value, _LINE_BREAKS):
        raise PydanticCustomError("control_characters", "contains control characters")
    return value


def _mail_address(value: str) -> str:
    try:
        return mail_address(value)
    except InvalidAddress as exc:
        raise PydanticCustomError("invalid_email", str(exc)) from None


def stored_address(value: str) -> str:
    """`value` as a registration stores it (so `forget bücher.de` finds `xn--bcher-kva.de`)."""
    try:
        return mail_address(value.strip())
    except InvalidAddress:
        return value.strip()


def _blank_is_absent(value: object) -> object:
    # An empty optional form field means "not given", not "given as empty".
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _consent(value: object) -> bool:
    if value is True or (isinstance(value, str) and value.strip().lower() in TRUE_WORDS):
        return True
    if type(value) is int and value == 1:  # JSON 1 (but not True's cousin 1.0 or "01")
        return True
    raise PydanticCustomError("consent_required", "consent is required")


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_single_line)]
Line = Annotated[str, Field(max_length=200), AfterValidator(_single_line)]
Phone = Annotated[str, Field(max_length=50), AfterValidator(_single_line)]
MailAddress = Annotated[
    str,
    Field(min_length=1, max_length=254),
    AfterValidator(_mail_address),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
Message = Annotated[str, Field(max_length=2000), AfterValidator(multi_line)]
Blank = BeforeValidator(_blank_is_absent)


class Submission(BaseModel):
    """The standard fields of every registration (docs/api.md); the event's questions are checked beside it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True)

    given_name: Name
    family_name: Name
    email: MailAddress
    organisation: Annotated[Line | None, Blank] = None
    role: Annotated[Line | None, Blank] = None
    phone: Annotated[Phone | None, Blank] = None
    message: Annotated[Message | None, Blank] = None
    consent: Annotated[bool, BeforeValidator(_consent)]
    # The honeypot: `intake` acts on it before validation; here it is only a known name.
    website: str | None = None
    lang: Annotated[Language | None, Blank] = None
    # Read by `spam` before validation; never stored.
    form_started_at: str | int | float | None = None


# The standard fields, in form order: the model's own fields, so the two cannot disagree.
STANDARD_FIELDS: tuple[str, ...] = tuple(Submission.model_fields)
