"""Property tests: whatever arrives, the parsers and models answer with a defined refusal."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chalicelib.api.forms import MAX_BODY_BYTES, BodyError, parse_body
from chalicelib.model.model_errors import InvalidSubmission
from chalicelib.model.validation import validate_submission
from tests.factories import event
from tests.strategies import CONTENT_TYPES, examples

BODY_CODES = {"malformed", "payload_too_large", "unsupported_media_type"}
BIDI_AND_CONTROLS = "\x00\r\n\t\u202e\u2066\u200f\ufeff"
NASTY_TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(BIDI_AND_CONTROLS)), max_size=300)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
SEED_EVENT = event(
    questions=[
        {"id": "kind", "label": "Art", "type": "choice", "choices": ["a", "b"], "required": True},
        {"id": "topics", "label": "Themen", "type": "multi", "choices": ["x", "y"]},
        {"id": "ok", "label": "OK", "type": "bool"},
        {"id": "note", "label": "Notiz", "type": "text", "max_length": 50},
    ]
)
FIELD_NAMES = st.sampled_from(
    [
        "given_name",
        "family_name",
        "email",
        "consent",
        "message",
        "phone",
        "lang",
        "website",
        "form_started_at",
        "kind",
        "topics",
        "ok",
        "note",
        "organisation",
    ]
) | st.text(max_size=20)


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=3000), content_type=CONTENT_TYPES)
@example(raw=b"[" * 60_000, content_type="application/json")
@example(raw=b'{"a":' * 5_000, content_type="application/json")
@example(raw=b"\xff\xfe\xfd", content_type="application/json")
@example(raw=b"a=1&a=2&a=%FF", content_type="application/x-www-form-urlencoded")
@example(raw=b"x" * (MAX_BODY_BYTES + 1), content_type="application/json")
@example(raw=b"--XyZ\r\n\r\n--XyZ--", content_type="multipart/form-data; boundary=XyZ")
@example(raw=b"given_name=" + b"A" * 60_000, content_type="application/x-www-form-urlencoded")
def test_any_bytes_with_any_content_type_parse_or_get_a_defined_code(raw, content_type):
    try:
        fields = parse_body(raw, content_type)
    except BodyError as refused:
        assert refused.code in BODY_CODES
        return
    assert isinstance(fields, dict)
    assert all(isinstance(values, list) for values in fields.values())


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(document=st.dictionaries(FIELD_NAMES, JSONISH, max_size=12))
def test_any_json_object_is_valid_or_refused_field_by_field(document):
    raw = json.dumps(document).encode()
    fields = parse_body(raw, "application/json")
    try:
        validate_submission(SEED_EVENT, fields)
    except InvalidSubmission as refused:
        assert refused.errors
        assert all(isinstance(error.field, str) and error.code for error in refused.errors)


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(pairs=st.lists(st.tuples(FIELD_NAMES, NASTY_TEXT), max_size=15))
def test_any_form_with_repeated_keys_and_control_characters_is_valid_or_refused(pairs):
    fields: dict[str, list] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    try:
        valid = validate_submission(SEED_EVENT, fields)
    except InvalidSubmission as refused:
        assert refused.errors
        return
    for name in ("given_name", "family_name"):
        value = getattr(valid.submission, name)
        assert not any(ch in value for ch in BIDI_AND_CONTROLS[:6])
