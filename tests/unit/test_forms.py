"""Request bodies: every encoding the API takes (docs/api.md), and a clear code for every other."""

import json

import pytest

from chalicelib.api.forms import MAX_BODY_BYTES, BodyError, parse_body

NAMES = ["Jürgen", "Анна", "Nguyễn", "محمد"]


def code_of(raw, content_type):
    with pytest.raises(BodyError) as info:
        parse_body(raw, content_type)
    return info.value.code


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        "application/x-www-form-urlencoded;charset=utf-8",
    ],
)
def test_urlencoded_with_or_without_charset(content_type):
    from urllib.parse import urlencode

    raw = urlencode([("given_name", n) for n in NAMES]).encode()
    assert parse_body(raw, content_type) == {"given_name": NAMES}


def test_a_declared_latin1_charset_is_honoured():
    assert parse_body(b"given_name=J%FCrgen", "application/x-www-form-urlencoded; charset=ISO-8859-1") == {
        "given_name": ["Jürgen"]
    }


def test_multipart_text_fields():
    boundary = "----form42"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="n{i}"\r\n\r\n{n}\r\n' for i, n in enumerate(NAMES)
    )
    raw = (parts + f"--{boundary}--\r\n").encode()
    assert parse_body(raw, f"multipart/form-data; boundary={boundary}") == {f"n{i}": [n] for i, n in enumerate(NAMES)}


def test_json_with_charset():
    raw = json.dumps({"given_name": "Nguyễn", "consent": True}, ensure_ascii=False).encode()
    assert parse_body(raw, "application/json; charset=utf-8") == {"given_name": ["Nguyễn"], "consent": [True]}


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"\xff\xfe", "application/json"),
        (b"{", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"a": 1, "a": 2}', "application/json"),
        (b'{"a": NaN}', "application/json"),
        (b"[" * 50_000, "application/json"),
        (b"given_name=%FF", "application/x-www-form-urlencoded"),
        (b"no boundary", "multipart/form-data"),
        (b"--x\r\nnot a part", "multipart/form-data; boundary=y"),
    ],
)
def test_undecodable_bodies_are_malformed(raw, content_type):
    assert code_of(raw, content_type) == "malformed"


def test_bodies_over_64_kib_are_too_large():
    assert code_of(b"a=" + b"x" * MAX_BODY_BYTES, "application/x-www-form-urlencoded") == "payload_too_large"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", None, "application/x-www-form-urlencoded; charset=klingon"]
)
def test_other_media_types_are_unsupported(content_type):
    assert code_of(b"x=1", content_type) == "unsupported_media_type"


def test_an_empty_body_without_type_is_an_empty_form():
    assert parse_body(b"", None) == {}


@pytest.mark.parametrize("charset", ["base64", "hex", "rot13", "zlib", "klingon", "undefined", "bz2", "uu"])
def test_a_charset_that_is_no_text_encoding_is_unsupported(charset):
    assert code_of(b"given_name=A", f"application/x-www-form-urlencoded; charset={charset}") == "unsupported_media_type"


def test_multipart_parts_default_to_the_bodys_charset():
    raw = b'--XX\r\nContent-Disposition: form-data; name="given_name"\r\n\r\nJ\xfcrgen\r\n--XX--\r\n'
    assert parse_body(raw, "multipart/form-data; boundary=XX; charset=ISO-8859-1") == {"given_name": ["Jürgen"]}


def test_the_browsers_charset_field_is_not_an_answer():
    assert parse_body(b"_charset_=UTF-8&given_name=A", "application/x-www-form-urlencoded") == {"given_name": ["A"]}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=punycode",
        "application/x-www-form-urlencoded; charset=punycode",
        "multipart/form-data; boundary=XX; charset=undefined",
    ],
)
def test_exotic_charsets_are_a_defined_refusal(content_type):
    raw = b'--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\xfe-\r\n--XX--\r\n'
    assert code_of(raw, content_type) in {"malformed", "unsupported_media_type"}
    assert code_of(b"given_name=%FF\xff-", content_type) in {"malformed", "unsupported_media_type"}
