"""List tokens: bound to one event, unforgeable, expiring, and never a cancel token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from chalicelib.model.links import (
    CancelLink,
    ListLink,
    cancel_token,
    list_token,
    list_url,
    read_cancel_token,
    read_list_token,
)
from chalicelib.model.model_errors import InvalidToken

SECRET = "s" * 40
EXPIRES = int(datetime(2017, 3, 1, 16, tzinfo=UTC).timestamp())
LIST = ListLink("netzwerktreffen-nrw-2016", EXPIRES)
CANCEL = CancelLink("netzwerktreffen-nrw-2016", "01ABCDEF", EXPIRES)
BEFORE = datetime(2016, 11, 20, tzinfo=UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(purpose: bytes, values: list) -> str:
    """A token made by hand: `values` signed for `purpose`."""
    payload = _b64(json.dumps(values).encode())
    return f"{payload}.{_b64(hmac.new(SECRET.encode(), purpose + b':' + payload.encode(), hashlib.sha256).digest())}"


def test_a_list_token_reads_back_as_its_event():
    assert read_list_token(SECRET, list_token(SECRET, LIST), BEFORE) == LIST


def test_the_link_names_the_event_in_its_path():
    url = list_url("https://api.example.org/api/", SECRET, LIST)
    assert url.startswith("https://api.example.org/api/events/netzwerktreffen-nrw-2016/list?token=")


def test_cancel_tokens_are_signed_as_before():
    # Links mailed before the list existed must still cancel: the same bytes, the same signature.
    assert cancel_token(SECRET, CANCEL) == signed(b"cancel", [CANCEL.event_id, CANCEL.registration_id, EXPIRES])


def test_a_cancel_token_is_no_list_token_and_a_list_token_no_cancel_token():
    with pytest.raises(InvalidToken):
        read_list_token(SECRET, cancel_token(SECRET, CANCEL), BEFORE)
    with pytest.raises(InvalidToken):
        read_cancel_token(SECRET, list_token(SECRET, LIST), BEFORE)
    # Not even with a payload of the other kind's shape: the purpose is signed, not the shape.
    with pytest.raises(InvalidToken):
        read_list_token(SECRET, signed(b"cancel", [LIST.event_id, EXPIRES]), BEFORE)
    with pytest.raises(InvalidToken):
        read_cancel_token(SECRET, signed(b"list", [CANCEL.event_id, CANCEL.registration_id, EXPIRES]), BEFORE)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "abc.ÿ\u00e4ü",  # non-ASCII signature
        "ü.x",
        list_token("another secret of enough length....", LIST),
        list_token(SECRET, LIST)[:-2] + "xx",
        # Another event's payload under this one's signature.
        list_token(SECRET, ListLink("other", EXPIRES)).split(".")[0] + "." + list_token(SECRET, LIST).split(".")[1],
        # A later expiry under the real signature.
        list_token(SECRET, ListLink(LIST.event_id, EXPIRES + 86400)).split(".")[0]
        + "."
        + list_token(SECRET, LIST).split(".")[1],
        # Well signed, but no list payload.
        signed(b"list", {"event": "x"}),
        signed(b"list", ["x"]),
        signed(b"list", ["x", "soon"]),
        signed(b"list", "x"),
    ],
)
def test_forged_altered_or_malformed_list_tokens_are_refused(token):
    with pytest.raises(InvalidToken):
        read_list_token(SECRET, token, BEFORE)


def test_a_list_token_expires_with_the_registrations():
    token = list_token(SECRET, LIST)
    assert read_list_token(SECRET, token, datetime.fromtimestamp(EXPIRES, UTC)) == LIST
    with pytest.raises(InvalidToken, match="expired"):
        read_list_token(SECRET, token, datetime.fromtimestamp(EXPIRES + 1, UTC))
