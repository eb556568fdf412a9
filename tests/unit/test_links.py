"""Cancel tokens: bound to one registration, unforgeable, expiring."""

from datetime import UTC, datetime

import pytest

from chalicelib.model.links import CancelLink, cancel_token, cancel_url, read_cancel_token
from chalicelib.model.model_errors import InvalidToken

SECRET = "s" * 40
CLAIM = CancelLink("netzwerktreffen-nrw-2016", "01ABCDEF", int(datetime(2016, 12, 1, 16, tzinfo=UTC).timestamp()))
BEFORE = datetime(2016, 11, 20, tzinfo=UTC)


def test_a_token_reads_back_as_its_registration():
    assert read_cancel_token(SECRET, cancel_token(SECRET, CLAIM), BEFORE) == CLAIM


def test_the_link_ends_in_cancel_with_the_token_in_the_query():
    url = cancel_url("https://api.example.org/api/", SECRET, CLAIM)
    assert url.startswith("https://api.example.org/api/cancel?token=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "abc.ÿ\u00e4ü",  # non-ASCII signature
        "ü.x",
        cancel_token("another secret of enough length....", CLAIM),
        cancel_token(SECRET, CLAIM)[:-2] + "xx",
        cancel_token(SECRET, CancelLink("other", "01ABCDEF", CLAIM.expires_at)).split(".")[0]
        + "."
        + cancel_token(SECRET, CLAIM).split(".")[1],
    ],
)
def test_forged_or_altered_tokens_are_refused(token):
    with pytest.raises(InvalidToken):
        read_cancel_token(SECRET, token, BEFORE)


def test_a_token_expires_when_the_event_ends():
    token = cancel_token(SECRET, CLAIM)
    with pytest.raises(InvalidToken, match="expired"):
        read_cancel_token(SECRET, token, datetime(2016, 12, 1, 16, 0, 1, tzinfo=UTC))
