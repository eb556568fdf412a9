"""Standard fields and event questions: every problem at once, by field and code."""

import pytest

from chalicelib.model.model_errors import InvalidSubmission
from chalicelib.model.validation import validate_submission
from tests.factories import event, seed_event


def fields(**values):
    """A form-style submission: every value a list, as `forms.parse_body` gives them."""
    base = {
        "given_name": ["Lisa"],
        "family_name": ["Stroetmann"],
        "email": ["lisa@example.org"],
        "consent": ["on"],
        "organisation_type": ["Kommune"],
    }
    base.update({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    return {k: v for k, v in base.items() if v != [None]}


def errors_of(e, submitted):
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(e, submitted)
    return [(error.field, error.code) for error in info.value.errors]


def test_a_valid_submission_is_trimmed_and_keeps_its_answers():
    valid = validate_submission(seed_event(), fields(given_name="  Lisa ", department="Umwelt", organisation=""))
    assert valid.submission.given_name == "Lisa"
    assert valid.submission.organisation is None
    assert valid.answers == {"organisation_type": "Kommune", "department": "Umwelt"}


@pytest.mark.parametrize(
    "name", ["Jürgen Müller-Lüdenscheidt", "Анна Каренина", "Nguyễn Thị Minh Khai", "محمد عبد الله", "O'Brien"]
)
def test_names_in_any_script_pass_unchanged(name):
    assert validate_submission(seed_event(), fields(given_name=name)).submission.given_name == name


def test_every_bad_field_is_reported_at_once_in_form_order():
    submitted = fields(
        given_name="",
        family_name="x" * 101,
        email="not-an-address",
        consent="no",
        organisation_type="Königreich",
        website_typo="1",
    )
    assert errors_of(seed_event(), submitted) == [
        ("given_name", "required"),
        ("family_name", "too_long"),
        ("email", "invalid_email"),
        ("consent", "consent_required"),
        ("organisation_type", "invalid_choice"),
        ("website_typo", "unknown_field"),
    ]


@pytest.mark.parametrize("bad", ["Eve\r\nBcc: x@example.org", "Eve\x00", "Eve\u202eevE", "Tab\there"])
def test_control_and_bidi_characters_are_refused_in_names(bad):
    assert errors_of(seed_event(), fields(given_name=bad)) == [("given_name", "control_characters")]


def test_a_message_may_span_lines_but_not_carry_other_control_characters():
    valid = validate_submission(seed_event(), fields(message="Zeile 1\r\nZeile 2\tmit Tab"))
    assert valid.submission.message == "Zeile 1\nZeile 2\tmit Tab"
    assert errors_of(seed_event(), fields(message="a\x1bb")) == [("message", "control_characters")]
    assert errors_of(seed_event(), fields(message="x" * 2001)) == [("message", "too_long")]


@pytest.mark.parametrize("value", ["on", "true", "yes", "1", "TRUE", True, 1])
def test_consent_words(value):
    assert validate_submission(seed_event(), fields(consent=value)).submission.consent is True


@pytest.mark.parametrize("value", [None, "", "off", "false", False, "maybe", 0, 2])
def test_consent_is_required_and_true(value):
    assert errors_of(seed_event(), fields(consent=value)) == [("consent", "consent_required")]


def test_a_repeated_single_field_is_refused_not_silently_dropped():
    assert errors_of(seed_event(), fields(email=["a@example.org", "b@example.org"])) == [("email", "multiple_values")]


def test_addresses_keep_their_local_part():
    assert (
        validate_submission(seed_event(), fields(email="Lisa.S@Example.ORG")).submission.email == "Lisa.S@example.org"
    )


QUESTIONS = [
    {"id": "topics", "label": "Themen", "type": "multi", "choices": ["A", "B", "C"], "required": True},
    {"id": "vegetarian", "label": "Vegetarisch", "type": "bool"},
    {"id": "photo_ok", "label": "Fotos", "type": "bool", "required": True},
    {"id": "note", "label": "Hinweis", "type": "text", "max_length": 5},
]


def test_questions_are_validated_by_type_required_and_choices():
    e = event(questions=QUESTIONS)
    base = {"given_name": ["A"], "family_name": ["B"], "email": ["a@example.org"], "consent": ["on"]}
    assert errors_of(e, base) == [("topics", "required"), ("photo_ok", "required")]
    bad = {**base, "topics": ["A", "Z"], "vegetarian": ["vielleicht"], "photo_ok": ["on"], "note": ["123456"]}
    assert errors_of(e, bad) == [("topics", "invalid_choice"), ("vegetarian", "invalid_boolean"), ("note", "too_long")]
    good = {**base, "topics": ["B", "A", "B"], "photo_ok": ["yes"], "note": ["kurz"]}
    assert validate_submission(e, good).answers == {
        "topics": ["B", "A"],
        "vegetarian": False,
        "photo_ok": True,
        "note": "kurz",
    }


def test_json_types_are_checked():
    e = event(questions=QUESTIONS)
    base = {"given_name": ["A"], "family_name": ["B"], "email": ["a@example.org"], "consent": [True]}
    submitted = {**base, "topics": [["A", "C"]], "vegetarian": [True], "photo_ok": [True], "note": [5]}
    assert errors_of(e, submitted) == [("note", "invalid_type")]
    assert errors_of(e, {**base, "given_name": [{"x": 1}]})[0] == ("given_name", "invalid_type")


@pytest.mark.parametrize(
    ("address", "stored"),
    [("lisa@exämple.org", "lisa@xn--exmple-cua.org"), ("  Lisa@Example.ORG ", "Lisa@example.org")],
)
def test_addresses_are_kept_in_a_form_every_mail_server_takes(address, stored):
    assert validate_submission(seed_event(), fields(email=address)).submission.email == stored


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("jürgen@example.org", "invalid_email"),
        ("a@b", "invalid_email"),
        ("a@@example.org", "invalid_email"),
        ("", "required"),
        ("x" * 250 + "@example.org", "too_long"),
    ],
)
def test_addresses_mail_cannot_carry_are_refused(address, code):
    assert errors_of(seed_event(), fields(email=address)) == [("email", code)]
