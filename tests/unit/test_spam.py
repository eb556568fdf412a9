"""Bot traps: honeypot, minimum fill time, pseudonymous per-address windows."""

from datetime import UTC, datetime

import pytest

from chalicelib.spam import address_key, filled_too_fast, honeypot_filled, hour_window

NOW = datetime(2016, 11, 10, 11, 59, 30, tzinfo=UTC)
MS = int(NOW.timestamp() * 1000)


@pytest.mark.parametrize(("value", "filled"), [("", False), ("   ", False), ("http://x", True), (True, True)])
def test_the_honeypot(value, filled):
    assert honeypot_filled({"website": [value]}) is filled
    assert honeypot_filled({}) is False


@pytest.mark.parametrize(
    ("started", "too_fast"),
    [
        (MS - 1_000, True),  # one second: no person fills a form that fast
        (MS - 2_999, True),
        (MS - 3_000, False),
        (MS - 60_000, False),
        (MS + 30_000, False),  # a clock running ahead proves nothing
        ("", False),  # no JavaScript, no timestamp
        ("soon", True),  # not written by our page
    ],
)
def test_the_minimum_fill_time(started, too_fast):
    assert filled_too_fast({"form_started_at": [started]}, NOW, 3) is too_fast


def test_a_fill_time_of_zero_turns_the_check_off():
    assert filled_too_fast({"form_started_at": [MS]}, NOW, 0) is False


def test_addresses_are_pseudonymous_and_stable():
    key = address_key("203.0.113.7", "s" * 32)
    assert key == address_key("203.0.113.7", "s" * 32)
    assert key != address_key("203.0.113.8", "s" * 32)
    assert key != address_key("203.0.113.7", "t" * 32)
    assert "203" not in key


def test_the_hour_window_and_the_seconds_left_in_it():
    assert hour_window(NOW) == ("2016111011", 30)
