"""A submission: the standard fields, the event's questions, and their rules. Pure.

Input is what `forms.parse_body` returns: every field name with the list of
values sent for it (a form may repeat a key; JSON gives one value each).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.events import STANDARD_FIELDS, Event, Language, Question, not_text
from chalicelib.records import DETAIL_FIELDS, Answer, Registration, Status, new_registration_id, utc_iso

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


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class InvalidSubmission(Exception):
    """Every problem of a submission at once."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = errors


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


def _multi_line(value: str) -> str:
    _is_text(value)
    for line_break, replacement in _UNICODE_LINE_BREAKS.items():
        value = value.replace(line_break, replacement)
    if _has_control(value, _LINE_BREAKS):
        raise PydanticCustomError("control_characters", "contains control characters")
    return value


def _mail_address(value: str) -> str:
    # Only addresses SES can carry: no SMTPUTF8, so the local part must be ASCII; an
    # international domain is kept in its ASCII (punycode) form.
    from email_validator import EmailNotValidError, validate_email  # 30 ms: first use, not cold start

    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise PydanticCustomError("invalid_email", str(exc)) from None
    address = str(result.ascii_email or result.normalized)
    # "=?utf-8?q?x?=@example.org" is valid, but a mail reader decodes the "=?…?=" in the Reply-To
    # of the organisers' mail as an encoded word: their reply would go to x@example.org.
    if _ENCODED_WORD.search(address):
        raise PydanticCustomError("invalid_email", "looks like an encoded word (=?…?=)")
    return address


_ENCODED_WORD = re.compile(r"=\?.*\?=")


def stored_address(value: str) -> str:
    """`value` as a registration stores it (so `forget bücher.de` finds `xn--bcher-kva.de`)."""
    try:
        return _mail_address(value.strip())
    except PydanticCustomError:
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
Message = Annotated[str, Field(max_length=2000), AfterValidator(_multi_line)]
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


@dataclass(frozen=True)
class ValidSubmission:
    submission: Submission
    answers: dict[str, Answer]


# pydantic's error types -> our field error codes.
_CODES = {
    "missing": "required",
    "string_too_short": "required",
    "string_too_long": "too_long",
    "extra_forbidden": "unknown_field",
    "literal_error": "invalid_choice",
    # A lone surrogate: pydantic cannot read it as a string (when it strips whitespace).
    "string_unicode": "invalid_characters",
}


def validate_submission(event: Event, fields: dict[str, list[Any]]) -> ValidSubmission:
    """Check `fields` against the standard rules and `event`'s questions; raise with every error."""
    errors: list[FieldError] = []
    questions = {q.id: q for q in event.questions}
    single: dict[str, Any] = {}
    for name, values in fields.items():
        if name not in STANDARD_FIELDS and name not in questions:
            errors.append(FieldError(name, "unknown_field"))
        elif name in questions and questions[name].type == "multi":
            continue
        elif len(values) != 1:
            errors.append(FieldError(name, "multiple_values"))
        elif name in STANDARD_FIELDS:
            single[name] = values[0]
    submission = None
    try:
        submission = Submission.model_validate(single)
    except ValidationError as exc:
        reported = {e.field for e in errors}
        for error in exc.errors():
            name = str(error["loc"][0])
            if name in reported:
                continue
            code = _CODES.get(error["type"], error["type"] if error["type"] in _CUSTOM else "invalid_type")
            if name == "consent" and code == "required":
                code = "consent_required"
            params = {"max_length": error["ctx"]["max_length"]} if code == "too_long" else {}
            errors.append(FieldError(name, code, params))
    answers: dict[str, Answer] = {}
    for question in event.questions:
        values = fields.get(question.id, [])
        if question.type != "multi" and len(values) > 1:
            continue  # already reported as multiple_values
        try:
            answer = _answer(question, values)
        except PydanticCustomError as exc:
            params = {"max_length": question.max_length} if exc.type == "too_long" else {}
            errors.append(FieldError(question.id, exc.type, params))
            continue
        if answer is not None:
            answers[question.id] = answer
    if errors or submission is None:
        raise InvalidSubmission(_in_form_order(errors, event))
    return ValidSubmission(submission, answers)


_CUSTOM = frozenset({"control_characters", "invalid_characters", "consent_required", "invalid_email"})


def _answer(question: Question, values: list[Any]) -> Answer | None:
    if question.type == "multi":
        return _multi_answer(question, values)
    value = values[0] if values else None
    if question.type == "bool":
        return _bool_answer(question, value)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if question.required:
            raise PydanticCustomError("required", "required")
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_type", "must be text")
    if question.type == "choice":
        if value not in (question.choices or []):
            raise PydanticCustomError("invalid_choice", "not one of the choices")
        return value
    if len(value) > question.max_length:
        raise PydanticCustomError("too_long", "too long")
    return _multi_line(value)


def _bool_answer(question: Question, value: Any) -> bool:
    # An unticked checkbox is simply absent from a form post: absent means no.
    if isinstance(value, bool):
        answer = value
    elif value is None or (isinstance(value, str) and value.strip().lower() in FALSE_WORDS):
        answer = False
    elif isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
        answer = True
    else:
        raise PydanticCustomError("invalid_boolean", "not yes or no")
    if question.required and not answer:
        raise PydanticCustomError("required", "required")
    return answer


def _multi_answer(question: Question, values: list[Any]) -> list[str] | None:
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    chosen: list[str] = []
    for value in flat:
        if not isinstance(value, str):
            raise PydanticCustomError("invalid_type", "must be text")
        if value.strip() and value.strip() not in chosen:
            chosen.append(value.strip())
    if any(value not in (question.choices or []) for value in chosen):
        raise PydanticCustomError("invalid_choice", "not one of the choices")
    if not chosen:
        if question.required:
            raise PydanticCustomError("required", "required")
        return None
    return chosen


def _in_form_order(errors: list[FieldError], event: Event) -> list[FieldError]:
    order = {name: i for i, name in enumerate(STANDARD_FIELDS + tuple(q.id for q in event.questions))}
    return sorted(errors, key=lambda e: order.get(e.field, len(order)))


def new_registration(event: Event, valid: ValidSubmission, now: datetime, language: str) -> Registration:
    """The record for a valid submission received at `now` (status decided by the store)."""
    s = valid.submission
    details = {k: v for k in DETAIL_FIELDS if (v := getattr(s, k))}
    stamp = utc_iso(now)
    return Registration(
        event_id=event.event_id,
        registration_id=new_registration_id(now),
        email=s.email,
        given_name=s.given_name,
        family_name=s.family_name,
        status=Status.CONFIRMED,
        registered_at=stamp,
        consent_at=stamp,
        consent_version=event.consent.version,
        language=language,
        details=details,
        answers=dict(valid.answers),
    )
