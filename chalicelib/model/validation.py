"""A submission: the standard fields, the event's questions, and their rules. Pure.

Input is what `forms.parse_body` returns: every field name with the list of
values sent for it (a form may repeat a key; JSON gives one value each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from chalicelib.model.events import Event, Question
from chalicelib.model.model_errors import InvalidSubmission
from chalicelib.model.registration import DETAIL_FIELDS, Answer, Registration, Status, new_registration_id, utc_iso
from chalicelib.model.submission import FALSE_WORDS, STANDARD_FIELDS, TRUE_WORDS, Submission, multi_line


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


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
    return multi_line(value)


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
