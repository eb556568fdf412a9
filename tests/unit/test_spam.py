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
        ("soon", 3),  # not written by our page
    ],
)
def test_the_minimum_fill_time(started, wait):
    assert seconds_too_soon({"form_started_at": [started]}, NOW, 3) == wait


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
