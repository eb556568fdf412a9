"""The fields of an event's registration form, in form order, with their labels and rules.

Apart from `render` because it needs no jinja2: the generated page (`render`) and the API's
answer to a page without JavaScript (`filled_form`, the form again with the person's entries)
draw the same fields from here, so the two cannot name or limit a field differently.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from chalicelib.model.events import Event
from chalicelib.model.submission import STANDARD_FIELDS, Submission
from chalicelib.page.page_texts import TEXTS
from chalicelib.texts import field_label

# A text question allowing at most this many characters is a one-line input (as organisation
# and role are); more is a textarea (as the message is).
ONE_LINE_MAX = 200
# A required choice with at most this many choices shows them all as radio buttons; more, or
# an optional one (a radio cannot be unticked, a select keeps "Bitte wählen"), is a select.
RADIO_MAX = 4

Kind = Literal["input", "textarea", "select", "radios", "checkboxes", "checkbox"]


@dataclass(frozen=True)
class FormField:
    """One field of the form as the template draws it."""

    name: str
    label: str
    kind: Kind
    required: bool = False
    input_type: str = "text"
    autocomplete: str | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()  # the values the API checks and stores
    # How each choice reads in the page's language (`Question.choice_labels`), in the same order.
    choice_texts: tuple[str, ...] = ()

    def options(self) -> list[tuple[str, str]]:
        """(value, what the reader sees) of each choice."""
        return list(zip(self.choices, self.choice_texts or self.choices, strict=True))


# The standard fields a page shows (consent, the honeypot, `lang` and the time trap have
# their own places in the template), with their input type and browser autofill hint.
_STANDARD_INPUTS = (
    ("given_name", "text", "given-name"),
    ("family_name", "text", "family-name"),
    ("email", "email", "email"),
    ("organisation", "text", "organization"),
    ("role", "text", "organization-title"),
    ("phone", "tel", "tel"),
)


@functools.cache
def _submission_rules() -> tuple[dict[str, int], frozenset[str]]:
    """The standard fields' maximum lengths and required names, read from the model that
    validates submissions: the page's `maxlength` and `*` cannot drift from the API."""
    schema = Submission.model_json_schema(mode="validation")
    lengths = {}
    for name, prop in schema["properties"].items():
        for option in (prop, *prop.get("anyOf", [])):
            if "maxLength" in option:
                lengths[name] = option["maxLength"]
    return lengths, frozenset(schema.get("required", ()))


def required_standard_fields() -> list[str]:
    """The standard fields a submission must have, in form order."""
    required = _submission_rules()[1]
    return [name for name in STANDARD_FIELDS if name in required]


def form_fields(event: Event, language: str | None = None) -> list[FormField]:
    """Every field a person fills in, in form order: who they are, the event's questions, a
    message; labelled in `language` (default: the event's)."""
    language = language or event.language
    lengths, required = _submission_rules()
    fields = [
        FormField(
            name=name,
            label=field_label(language, name),
            kind="input",
            required=name in required,
            input_type=input_type,
            autocomplete=autocomplete,
            max_length=lengths.get(name),
        )
        for name, input_type, autocomplete in _STANDARD_INPUTS
    ]
    for question in event.questions:
        label, choices = question.label_in(language), tuple(question.choices or ())
        texts = tuple(question.choice_in(choice, language) for choice in choices)
        if question.type == "text":
            kind: Kind = "input" if question.max_length <= ONE_LINE_MAX else "textarea"
            fields.append(FormField(question.id, label, kind, question.required, max_length=question.max_length))
        elif question.type == "choice":
            kind = "radios" if question.required and len(choices) <= RADIO_MAX else "select"
            fields.append(FormField(question.id, label, kind, question.required, choices=choices, choice_texts=texts))
        elif question.type == "multi":
            fields.append(
                FormField(question.id, label, "checkboxes", question.required, choices=choices, choice_texts=texts)
            )
        else:
            fields.append(FormField(question.id, label, "checkbox", question.required))
    message = TEXTS[language]["message"]
    fields.append(FormField("message", message, "textarea", "message" in required, max_length=lengths["message"]))
    return fields
