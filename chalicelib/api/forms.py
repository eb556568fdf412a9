"""Request body -> fields: urlencoded, multipart (text fields) and JSON; size and charset.

Every field maps to the list of values sent for it, so a repeated form key is
seen (and judged by `validation`) rather than silently dropped.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl


class BodyError(Exception):
    """The body cannot be read; `code` is the API's error code (docs/api.md)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 200

Fields = dict[str, list[Any]]


def media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """`text/html; charset=UTF-8` -> ("text/html", {"charset": "UTF-8"})."""
    message = Message()
    message["content-type"] = content_type or ""
    params = {k.lower(): v for k, v in message.get_params(failobj=[])[1:]}
    return message.get_content_type() if content_type else "", params


def is_json(content_type: str | None) -> bool:
    kind = media_type(content_type)[0]
    return kind == "application/json" or kind.endswith("+json")


def parse_body(raw: bytes | None, content_type: str | None) -> Fields:
    """Decode a registration body or raise `BodyError`."""
    raw = raw or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError("payload_too_large", f"body is larger than {MAX_BODY_BYTES} bytes")
    kind, params = media_type(content_type)
    charset = _charset(params)
    if not kind and not raw:
        return {}
    if kind == "application/x-www-form-urlencoded":
        return _without_charset_field(_urlencoded(raw, charset))
    if kind == "multipart/form-data":
        return _without_charset_field(_multipart(raw, content_type or "", charset))
    if is_json(content_type):
        return _json(raw, charset)
    raise BodyError("unsupported_media_type", f"content type {kind or '(none)'!r} is not accepted")


def _charset(params: dict[str, str]) -> str:
    name = params.get("charset", "utf-8")
    try:
        # Refuses codecs that are no text encoding (base64, rot13, undefined ...); a real one
        # that a single byte does not satisfy (UTF-16) raises UnicodeDecodeError instead.
        with contextlib.suppress(UnicodeDecodeError):
            b"a".decode(name)
        return codecs.lookup(name).name
    except (LookupError, UnicodeError):
        raise BodyError("unsupported_media_type", f"charset {name!r} is not a text encoding we know") from None


def _decode(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset)
    except (UnicodeError, ValueError):  # punycode and friends raise more than UnicodeDecodeError
        raise BodyError("malformed", f"body is not valid {charset}") from None


def _add(fields: Fields, name: str, value: Any) -> None:
    if len(fields) >= MAX_FIELDS and name not in fields:
        raise BodyError("malformed", f"more than {MAX_FIELDS} fields")
    fields.setdefault(name, []).append(value)


def _urlencoded(raw: bytes, charset: str) -> Fields:
    fields: Fields = {}
    try:
        pairs = parse_qsl(_decode(raw, charset), keep_blank_values=True, encoding=charset, errors="strict")
    except (UnicodeError, ValueError):
        raise BodyError("malformed", f"a percent-encoded value is not valid {charset}") from None
    for name, value in pairs:
        _add(fields, name, value)
    return fields


def _multipart(raw: bytes, content_type: str, default_charset: str) -> Fields:
    if "boundary" not in media_type(content_type)[1]:
        raise BodyError("malformed", "multipart body without a boundary")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not message.is_multipart() or message.defects:
        raise BodyError("malformed", "the multipart body is broken")
    fields: Fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_content_disposition() != "form-data" or not isinstance(name, str):
            raise BodyError("malformed", "a multipart part is not a named form field")
        payload = part.get_payload(decode=True)
        charset = _charset({"charset": part.get_content_charset() or default_charset})
        _add(fields, name, _decode(payload if isinstance(payload, bytes) else b"", charset))
    return fields


def _without_charset_field(fields: Fields) -> Fields:
    # A form with a hidden `_charset_` field gets it filled in by the browser: it describes
    # the encoding (already decoded here), it is not an answer.
    fields.pop("_charset_", None)
    return fields


def _json(raw: bytes, charset: str) -> Fields:
    text = _decode(raw, charset).lstrip("\ufeff")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BodyError("malformed", f"body is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise BodyError("malformed", "the JSON body must be an object")
    if len(document) > MAX_FIELDS:
        raise BodyError("malformed", f"more than {MAX_FIELDS} fields")
    return {name: [value] for name, value in document.items()}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("an object repeats a key")
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
