"""What is due at `now`: pure answers from the event, its counts and the clock."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from chalicelib.due import owed
from chalicelib.model.registration import Registration
from tests.factories import berlin, event


def test_registration_closes_at_the_deadline_by_hand_or_with_the_last_seat():
    seed = event()
    assert owed.closing_reason(seed, 0, berlin(2016, 11, 17, 23, 59, 59)) is None  # through the whole day
    assert owed.closing_reason(seed, 0, berlin(2016, 11, 18, 0, 0, 0)) == "deadline"
    assert owed.closing_reason(event(closed=True), 0, berlin(2016, 11, 1)) == "closed"
    assert owed.closing_reason(event(capacity=3), 2, berlin(2016, 11, 1)) is None
    assert owed.closing_reason(event(capacity=3), 3, berlin(2016, 11, 1)) == "full"
    assert owed.closing_reason(event(capacity=3, waitlist=True), 3, berlin(2016, 11, 1)) is None
    assert owed.closing_reason(seed, 0, berlin(2016, 12, 1, 17, 0)) is None  # the event is over


def test_a_full_event_not_yet_open_is_not_closed():
    early = event(capacity=1, registration_opens_at="2016-11-05T09:00:00")
    assert owed.closing_reason(early, 1, berlin(2016, 11, 1)) is None


def test_the_reminder_keeps_its_wall_clock_time_across_a_change_of_daylight_saving_time():
    # Clocks went back on 30 October 2016: the reminder is still at 10:00 local, 49 hours before.
    autumn = event(starts_at="2016-10-31T10:00:00", ends_at="2016-10-31T17:00:00", registration_deadline="2016-10-20")
    assert owed.reminder_at(autumn) == berlin(2016, 10, 29, 10, 0)
    assert berlin(2016, 10, 31, 10, 0).astimezone(UTC) - owed.reminder_at(autumn).astimezone(UTC) == timedelta(hours=49)
    assert not owed.reminders_due(autumn, berlin(2016, 10, 29, 9, 59))
    assert owed.reminders_due(autumn, berlin(2016, 10, 29, 10, 0))
    assert not owed.reminders_due(autumn, berlin(2016, 10, 31, 10, 0))  # from the start on, too late
    assert owed.reminder_at(event(reminder_days_before=None)) is None
    assert owed.reminder_at(event(reminder_days_before=7)) == berlin(2016, 11, 24, 10, 0)


def test_the_digest_of_a_day_is_due_from_8_local_time_with_the_changes_before():
    daily = event(organiser_mails="daily")
    assert owed.digest_day(daily, berlin(2016, 11, 10, 7, 59)) == date(2016, 11, 9)
    assert owed.digest_day(daily, berlin(2016, 11, 10, 8, 0)) == date(2016, 11, 10)
    assert owed.digest_cutoff(daily, date(2016, 11, 10)) == berlin(2016, 11, 10, 8, 0)
    assert owed.digest_cutoff(daily, date(2016, 10, 30)).utcoffset() == timedelta(hours=1)  # clocks went back
    assert owed.digest_day(daily, berlin(2016, 12, 2, 9, 0)) == date(2016, 12, 2)  # the event day's changes
    assert owed.digest_day(daily, berlin(2016, 12, 3, 9, 0)) is None


def test_an_each_event_may_owe_a_digest_and_a_none_event_gets_none():
    # `each`: what `daily` or `none` held back before a switch still comes, at 08:00.
    assert owed.digest_day(event(), berlin(2016, 11, 10, 9, 0)) == date(2016, 11, 10)
    assert owed.digest_day(event(organiser_mails="none"), berlin(2016, 11, 10, 9, 0)) is None


def stored(i: int, **values) -> Registration:
    return Registration.from_stored(
        {
            "event_id": "e",
            "registration_id": str(i),
            "email": f"{i}@example.org",
            "given_name": "A",
            "family_name": "B",
            "consent_at": values["registered_at"],
            **values,
        }
    )


def test_a_digest_reports_the_changes_before_8_that_no_mail_reported():
    items = [
        stored(0, registered_at="2016-11-09T06:59:59.999Z", status="confirmed"),  # 07:59:59 in Berlin
        stored(
            1, registered_at="2016-11-09T07:00:00.000Z", status="cancelled", cancelled_at="2016-11-10T06:59:00.000Z"
        ),
        stored(2, registered_at="2016-11-01T10:00:00.000Z", status="confirmed", promoted_at="2016-11-10T07:00:00.000Z"),
    ]
    states = {
        ("0", "organiser_new"): "sent",  # mailed on its own, or in an earlier digest
        ("1", "organiser_new"): "sending",  # being mailed: the digest's claim decides
        ("2", "organiser_new"): "failed",  # parked, and alerted: not for a digest
        ("2", "registrant_confirmed"): "sent",
    }
    notices = owed.unreported(items, states, owed.digest_cutoff(event(), date(2016, 11, 10)))
    assert [(n.registration.registration_id, n.kind) for n in notices] == [
        ("1", "organiser_new"),
        ("1", "organiser_cancelled"),  # 07:59 in Berlin
    ]  # 2's move up at 08:00 belongs to the next digest
    changes = owed.day_changes(notices)
    assert changes == owed.DayChanges(registered=[items[1]], cancelled=[items[1]], promoted=[])
    assert owed.unreported(items, {}, berlin(2016, 11, 1)) == []
    assert len(owed.unreported(items, {}, berlin(2016, 11, 21))) == 5  # days back: nothing is lost
    assert owed.counts(items) == owed.Counts(confirmed=2, waiting=0, cancelled=1)
