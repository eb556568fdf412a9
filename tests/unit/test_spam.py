"""Bot traps: honeypot, minimum fill time, pseudonymous per-address windows."""

from datetime import UTC, datetime

import pytest

from chalicelib.api.spam import address_key, honeypot_filled, hour_window, seconds_too_soon

NOW = datetime(2016, 11, 10, 11, 59, 30, tzinfo=UTC)
MS = int(NOW.timestamp() * 1000)


@pytest.mark.parametrize(("value", "filled"), [("", False), ("   ", False), ("http://x", True), (True, True)])
def test_the_honeypot(value, filled):
    assert honeypot_filled({"website": [value]}) is filled
    assert honeypot_filled({}) is False


@pytest.mark.parametrize(
    ("started", "wait"),
    [
        (MS - 1_000, 2),  # one second in: two more to go
        (MS - 2_999, 1),  # rounded up, so sending again after the wait passes
        (MS - 3_000, 0),
        (MS - 60_000, 0),
        (MS + 30_000, 0),  # a clock running ahead proves nothing
        ("", 0),  # no JavaScript, no timestamp
        (str(MS - 1_000), 2),  # a form post sends the number as text
        (float(MS - 1_000), 2),  # a script's JSON may send a float
        (MS - 10 * 365 * 86_400_000, 0),  # years old (a page kept open, or seconds for milliseconds)
        (MS * 1_000, 0),  # far in the future (microseconds for milliseconds)
    ],
)
def test_the_minimum_fill_time(started, wait):
    assert seconds_too_soon({"form_started_at": [started]}, NOW, 3) == wait


@pytest.mark.parametrize(
    "started",
    [
        "2026-12-04T10:00",  # a CMS's date: when the page was published, not when it was opened
        "soon",
        "nan",
        "1e999",
        pytest.param(10**400, id="10**400"),  # a JSON integer too large for a float
        [MS - 1_000],  # a JSON list: validation names the field (invalid_type)
        {"ms": MS - 1_000},
        None,  # JSON null
    ],
)
def test_a_start_time_that_is_no_epoch_milliseconds_never_holds_a_post_back(started):
    # Sent again, it is the same value: held back once, it would be held back for ever.
    assert seconds_too_soon({"form_started_at": [started]}, NOW, 3) == 0


def test_a_repeated_start_time_proves_nothing():
    assert seconds_too_soon({"form_started_at": [MS, MS]}, NOW, 3) == 0


def test_a_fill_time_of_zero_turns_the_check_off():
    assert seconds_too_soon({"form_started_at": [MS]}, NOW, 0) == 0


def test_addresses_are_pseudonymous_and_stable():
    key = address_key("203.0.113.7", "s" * 32)
    assert key == address_key("203.0.113.7", "s" * 32)
    assert key != address_key("203.0.113.8", "s" * 32)
    assert key != address_key("203.0.113.7", "t" * 32)
    assert "203" not in key


def test_the_hour_window_and_the_seconds_left_in_it():
    assert hour_window(NOW) == ("2016111011", 30)
