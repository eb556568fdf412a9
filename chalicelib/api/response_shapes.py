"""The JSON bodies the API answers with: `responses` builds every one of them from these
models, and `openapi` publishes their schemas, so the published API is the real one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_CONFIG = ConfigDict(extra="forbid", defer_build=True)

ErrorCode = Literal[
    "malformed",
    "registration_closed",
    "registration_not_open",
    "unknown_event",
    "already_registered",
    "event_full",
    "payload_too_large",
    "unsupported_media_type",
    "invalid",
    "rate_limited",
    "too_fast",
    "internal_error",
    "unavailable",
]


class Registered(BaseModel):
    """201: the registration is stored (or, for a bot, looks so)."""

    model_config = _CONFIG

    registration_id: str
    event_id: str
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None = Field(
        default=None, ge=1, description="only when waitlisted: the number on the list, unique, in order of arrival"
    )
    waitlist_place: int | None = Field(
        default=None, ge=1, description="only when waitlisted: the place in line now (people ahead + 1)"
    )
    message: str = Field(description="for people, in the answer's language")


class Problem(BaseModel):
    """Every refusal: a stable code for programs, a message for people."""

    model_config = _CONFIG

    error: ErrorCode
    message: str


class FieldProblem(BaseModel):
    model_config = _CONFIG

    field: str
    code: str = Field(
        description="required, too_long, control_characters, invalid_characters, invalid_email, consent_required, "
        "invalid_choice, invalid_boolean, invalid_type, multiple_values, unknown_field"
    )
    message: str


class InvalidProblem(Problem):
    """422: every bad field at once."""

    error: Literal["invalid"] = "invalid"
    errors: list[FieldProblem]


class QuestionView(BaseModel):
    """One of the event's questions: a page built by hand or by a CMS can be checked against it."""

    model_config = _CONFIG

    id: str = Field(description="the form field's name")
    label: str = Field(description="in the answer's language")
    type: Literal["text", "choice", "multi", "bool"]
    required: bool
    choices: list[str] | None = Field(description="choice and multi: the values accepted; otherwise null")
    max_length: int | None = Field(description="text: the most characters accepted; otherwise null")


class ConsentView(BaseModel):
    """The consent sentence the form shows; its version is stored with every registration."""

    model_config = _CONFIG

    version: str
    text: str = Field(description="in the answer's language")


class EventView(BaseModel):
    """GET /events/{event_id}: times are instants with their offset; labels and the consent
    text in the answer's language (Accept-Language, else the event's)."""

    model_config = _CONFIG

    event_id: str
    title: str
    starts_at: str
    ends_at: str | None
    timezone: str
    location: str | None
    registration_opens_at: str | None
    registration_deadline: str = Field(description="the last instant a registration is accepted")
    open: bool
    refused_with: Literal["registration_not_open", "registration_closed", "event_full"] | None = Field(
        description="why `open` is false: the error a registration posted now is refused with "
        "(not open yet, closed, fully booked without a waiting list); null while open"
    )
    seats_left: int | None = Field(description="null: no limit")
    questions: list[QuestionView] = Field(description="the fields beyond the standard ones, in form order")
    consent: ConsentView
