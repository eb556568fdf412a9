"""The event model and the registration window (the clock is passed in)."""

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from chalicelib.model.events import Event, Window, expiry_epoch, registration_window
from chalicelib.model.validation import validate_submission
from tests.factories import berlin, event, seed_event, submission


@pytest.mark.parametrize(
    ("now", "window"),
    [
        (berlin(2016, 11, 10, 12, 0), Window.OPEN),
        (berlin(2016, 11, 17, 23, 59, 59), Window.OPEN),
        (berlin(2016, 11, 18, 0, 0, 0), Window.CLOSED),
        # 23:30 UTC on the 17th is already the 18th in Berlin: closed.
        (datetime(2016, 11, 17, 23, 30, tzinfo=UTC), Window.CLOSED),
        # 22:59 UTC on the 17th is 23:59 in Berlin: still open (no UTC rollover a day early).
        (datetime(2016, 11, 17, 22, 59, tzinfo=UTC), Window.OPEN),
    ],
)
def test_the_announcement_accepts_through_the_end_of_17_november_in_berlin(now, window):
    assert registration_window(seed_event(), now) is window


def test_a_datetime_deadline_accepts_up_to_and_including_that_instant():
    e = event(registration_deadline="2016-11-17T12:00:00")
    assert registration_window(e, berlin(2016, 11, 17, 12, 0, 0)) is Window.OPEN
    assert registration_window(e, berlin(2016, 11, 17, 12, 0, 1)) is Window.CLOSED


def test_before_the_opening_time_registration_is_not_open():
    e = event(registration_opens_at="2016-11-01T09:00:00")
    assert registration_window(e, berlin(2016, 11, 1, 8, 59, 59)) is Window.NOT_OPEN
    assert registration_window(e, berlin(2016, 11, 1, 9, 0, 0)) is Window.OPEN


def test_closed_by_hand_wins_over_an_open_window():
    assert registration_window(event(closed=True), berlin(2016, 11, 10, 12)) is Window.CLOSED


def test_a_deadline_on_the_day_clocks_go_back_still_ends_at_local_midnight():
    # 30 Oct 2016 had 25 hours in Berlin; the day still ends at 23:59:59 CET (UTC+1).
    e = event(registration_deadline="2016-10-30")
    assert registration_window(e, datetime(2016, 10, 30, 22, 59, 59, tzinfo=UTC)) is Window.OPEN
    assert registration_window(e, datetime(2016, 10, 30, 23, 0, 0, tzinfo=UTC)) is Window.CLOSED


def test_the_deadline_instant_carries_the_events_offset():
    assert seed_event().accepts_until.isoformat(timespec="seconds") == "2016-11-17T23:59:59+01:00"


def test_expiry_is_retention_days_after_the_event_ends():
    e = event(retention_days=10)
    assert expiry_epoch(e) == int(berlin(2016, 12, 11, 17, 0).timestamp())


def test_an_event_without_end_expires_counting_from_the_end_of_its_day():
    e = event(ends_at=None, retention_days=0)
    assert datetime.fromtimestamp(expiry_epoch(e), tz=UTC) == datetime(2016, 12, 1, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"event_id": "Bad Id"}, "event_id"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"starts_at": "2016-12-01T10:00:00+01:00"}, "starts_at"),
        ({"registration_deadline": "17.11.2016"}, "registration_deadline"),
        ({"capacity": 0}, "capacity"),
        ({"organisers": []}, "organisers"),
        ({"organisers": [{"name": "A", "email": "not-an-address"}]}, "organisers"),
        ({"language": "fr"}, "language"),
        ({"unknown_key": 1}, "unknown_key"),
    ],
)
def test_a_bad_field_is_named(changes, field):
    with pytest.raises(ValidationError) as info:
        event(**changes)
    assert field in {str(error["loc"][0]) for error in info.value.errors()}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"ends_at": "2016-12-01T09:00:00"}, "ends_at must be after starts_at"),
        ({"allowed_origins": ["example.org"]}, "is not an origin"),
        ({"questions": [{"id": "email", "label": "E", "type": "text"}]}, "standard field"),
        ({"questions": [{"id": "q", "label": "Q", "type": "choice"}]}, "needs `choices`"),
        ({"registration_opens_at": "2016-11-18T00:00:00"}, "must be before registration_deadline"),
    ],
)
def test_inconsistent_events_are_refused_with_the_reason(changes, reason):
    with pytest.raises(ValidationError, match=reason):
        event(**changes)


def test_the_definition_survives_a_json_round_trip_unchanged():
    e = event(registration_deadline="2016-11-17T12:00:00")
    assert type(e).model_validate_json(e.model_dump_json()) == e
    d = seed_event()
    assert type(d).model_validate_json(d.model_dump_json()) == d


@pytest.mark.parametrize(
    ("ends_at", "retention_days", "expires_local"),
    [
        # The day the clocks go back: the event ends at 17:00 CET, 30 days later is 17:00 CET.
        ("2016-10-30T17:00:00", 30, (2016, 11, 29, 17, 0)),
        # Retention across the change: ends 17:00 CEST, expires 17:00 CET (local calendar days).
        ("2016-10-01T17:00:00", 30, (2016, 10, 31, 17, 0)),
        # Across the spring change.
        ("2016-03-01T17:00:00", 30, (2016, 3, 31, 17, 0)),
        # Ending inside the hour the clocks skip (02:30 on 27 March does not exist in Berlin).
        ("2016-03-27T02:30:00", 0, (2016, 3, 27, 3, 30)),
    ],
)
def test_expiry_counts_local_days_across_dst_changes(ends_at, retention_days, expires_local):
    e = event(starts_at="2016-01-01T09:00:00", ends_at=ends_at, retention_days=retention_days)
    assert datetime.fromtimestamp(expiry_epoch(e), tz=berlin(2016, 1, 1).tzinfo).timetuple()[:5] == expires_local


@pytest.mark.parametrize(
    "name", ["status", "consent_version", "promoted_at", "cancelled_at", "waitlist_position", "expires_at", "email"]
)
def test_a_question_cannot_shadow_what_a_registration_stores(name):
    with pytest.raises(ValidationError, match="standard field"):
        event(questions=[{"id": name, "label": "x", "type": "text"}])


def _asking(choices, label="Art der Organisation"):
    return event(questions=[{"id": "art", "label": label, "type": "multi", "choices": choices}])


def test_surrounding_spaces_are_stripped_from_choices_and_labels_as_from_a_posted_answer():
    e = _asking(["Kommune", "Andere ", "\u00a0Verein\t"], label={"de": " Art ", "en": "Kind\n"})
    [question] = e.questions
    assert question.choices == ["Kommune", "Andere", "Verein"]
    assert question.label == {"de": "Art", "en": "Kind"}
    # The choice as the file wrote it, as a page built from the file offers it, is accepted.
    fields = {name: [value] for name, value in submission(organisation_type=None, department=None).items()}
    valid = validate_submission(e, {**fields, "art": ["Andere ", "\u00a0Verein\t"]})
    assert valid.answers == {"art": ["Andere", "Verein"]}


def test_a_definition_stored_with_spaces_reads_back_stripped():
    # Loaded before choices were stripped: read back from the table, it is choosable now.
    stored = seed_event().model_dump(mode="json")
    stored["questions"][0]["choices"][-1] = "Andere "
    assert Event.model_validate_json(json.dumps(stored)).questions[0].choices[-1] == "Andere"


def test_choices_equal_but_for_spaces_are_refused_naming_the_value():
    with pytest.raises(ValidationError, match="`choices` repeat 'Andere'"):
        _asking(["Andere", "Andere "])


@pytest.mark.parametrize("blank", ["", " ", "\u00a0\t"])
def test_a_blank_choice_or_label_is_refused_naming_it(blank):
    with pytest.raises(ValidationError) as info:
        _asking(["Kommune", blank])
    assert [error["loc"] for error in info.value.errors()] == [("questions", 0, "choices", 1)]
    with pytest.raises(ValidationError) as info:
        _asking(["Kommune"], label=blank)
    assert {error["loc"][:3] for error in info.value.errors()} == {("questions", 0, "label")}


# --- how a choice reads in a language ----------------------------------------------------------
def _labelled(choice_labels, kind="choice"):
    question = {"id": "art", "label": "Art", "type": kind, "choice_labels": choice_labels}
    if kind != "text":
        question["choices"] = ["Kommune", "Andere"]
    return event(questions=[question])


def test_choice_labels_translate_a_choice_and_leave_the_stored_answer_alone():
    [question] = _labelled({"en": {" Kommune ": "Municipality\t"}}).questions
    assert question.choice_labels == {"en": {"Kommune": "Municipality"}}  # stripped like the choices
    assert question.choice_in("Kommune", "en") == "Municipality"
    assert question.choice_in("Andere", "en") == "Andere"  # no entry: as written
    assert question.choice_in("Kommune", "de") == "Kommune"
    assert question.answer_in("Kommune", "en") == "Municipality"
    [multi] = _labelled({"en": {"Kommune": "Municipality"}}, "multi").questions
    assert multi.answer_in(["Andere", "Kommune"], "en") == ["Andere", "Municipality"]
    valid = validate_submission(_labelled({"en": {"Kommune": "Municipality"}}), {**_posted(), "art": ["Kommune"]})
    assert valid.answers["art"] == "Kommune"


def _posted():
    return {k: [v] for k, v in submission(organisation_type=None, department=None).items()}


@pytest.mark.parametrize(
    ("choice_labels", "kind", "message"),
    [
        ({"en": {"Kommun": "Municipality"}}, "choice", "`choice_labels.en` names 'Kommun', no choice"),
        ({"fr": {"Kommune": "Commune"}}, "choice", "questions.0.choice_labels.fr"),
        ({"en": {"Kommune": " "}}, "choice", "at least 1 character"),
        ({"en": {"Kommune": "Municipality"}}, "text", "only choice and multi take `choices` and `choice_labels`"),
    ],
)
def test_choice_labels_that_could_never_show_are_refused(choice_labels, kind, message):
    with pytest.raises(ValidationError, match=message):
        _labelled(choice_labels, kind)
