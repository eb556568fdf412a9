"""Every answer is true under slow storage: a write that committed although its answer was
lost is answered 201, and the same submission sent again answers like the first.

The faults commit the transaction and then fail, as a read timeout after the commit does."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from botocore.exceptions import ReadTimeoutError

import app as app_module
from chalicelib.store.keys import EMAIL_PREFIX
from chalicelib.store.registration_rows import RegistrationRows
from tests.api.conftest import all_items, mails_to, organiser_mails, registration_items, reload_events, sent_mails
from tests.api.test_cancellation import cancel_path
from tests.factories import SEED_EVENT_ID, client_error, event

TIMEOUT = ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")


class CommitThen:
    """The real client, except that the first transaction commits and then `after(real, request)`
    decides what the caller sees."""

    def __init__(self, real, after):
        self.real, self.after, self.calls = real, after, 0

    def __getattr__(self, name):
        if name != "transact_write_items":
            return getattr(self.real, name)

        def transact(**request):
            self.calls += 1
            answer = self.real.transact_write_items(**request)
            return self.after(self.real, request) if self.calls == 1 else answer

        return transact


@pytest.fixture
def commit_then(store, monkeypatch):
    def install(after):
        faulty = CommitThen(app_module.store.table.client(), after)
        monkeypatch.setattr(app_module.store.table, "client", lambda: faulty)
        return faulty

    return install


def the_sdk_retries(real, request):
    """botocore's retry of the same request after the answer timed out: same token."""
    return real.transact_write_items(**request)


def a_retry_without_the_token(real, request):
    """The retry as moto without token support ran it: applied again, meeting its own marker."""
    return real.transact_write_items(**{**request, "ClientRequestToken": str(uuid.uuid4())})


def timeout_twice(real, request):
    raise TIMEOUT


@pytest.mark.parametrize("after", [the_sdk_retries, a_retry_without_the_token, timeout_twice])
def test_a_registration_stored_before_its_answer_was_lost_is_answered_201(api, store, commit_then, after):
    reload_events(store, event(capacity=1, waitlist=True))
    faulty = commit_then(after)
    answer = api.post(email="ana@example.org")
    assert (answer.status, answer.body["status"]) == (201, "confirmed")
    [stored] = registration_items(store)
    assert stored["registration_id"] == answer.body["registration_id"]
    assert faulty.calls == 2  # the join, answered from the read-back (not written again), then the placing
    record = store.event_rows.find(SEED_EVENT_ID, consistent=True)
    assert (record.confirmed, record.waiting) == (1, 0)


def test_a_waitlisted_registration_stored_before_a_timeout_is_told_its_place(api, store, commit_then):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(email="first@example.org")
    commit_then(timeout_twice)
    answer = api.post(email="ana@example.org")
    assert (answer.status, answer.body["status"], answer.body["waitlist_position"], answer.body["waitlist_place"]) == (
        201,
        "waitlisted",
        1,
        1,
    )


def test_the_sdks_retry_of_a_committed_write_is_answered_as_done(api, store, commit_then, monkeypatch):
    tokens = []

    def the_sdk_retries_seen(real, request):
        tokens.append(request.get("ClientRequestToken"))
        return the_sdk_retries(real, request)

    commit_then(the_sdk_retries_seen)
    read_back = []
    monkeypatch.setattr(RegistrationRows, "holder_of_address", lambda *args: read_back.append(args))
    assert api.post().status == 201
    assert tokens[0]  # the request names itself, so DynamoDB (and the embedded AWS) do not apply it twice
    assert read_back == []  # the retry was answered "done", with no marker to meet
    assert len(registration_items(store)) == 1


def test_when_nothing_can_be_read_back_it_is_503_and_the_same_submission_later_gets_the_first_answer(
    api, store, commit_then, monkeypatch
):
    faulty = commit_then(timeout_twice)
    real_get = faulty.real.get_item
    down = [True]

    def get_item_down_after_the_write(**request):
        if faulty.calls and down[0]:
            raise client_error("InternalServerError", "GetItem")
        return real_get(**request)

    monkeypatch.setattr(faulty, "get_item", get_item_down_after_the_write, raising=False)
    answer = api.post(email="ana@example.org")
    assert (answer.status, answer.body["error"]) == (503, "unavailable")  # the one answer that cannot be checked
    # Stored, not yet placed: the same submission again, the next registrant or the due function places it.
    [stored] = store.pending_rows.look(SEED_EVENT_ID).pending

    down[0] = False  # DynamoDB answers again; the page (or the person) sends the same form
    again = api.post(email="ana@example.org")
    assert (again.status, again.body["registration_id"], again.body["status"]) == (
        201,
        stored.registration_id,
        "confirmed",
    )
    assert len(registration_items(store)) == 1


def test_the_same_submission_again_within_minutes_answers_like_the_first(api, store, clock):
    reload_events(store, event(capacity=1, waitlist=True))
    api.post(email="first@example.org")
    first = api.post(email="ana@example.org").body
    rows = len(all_items(store))
    again = api.post(email="ANA@example.org")  # a double click, a resend after a lost answer
    assert again.status == 201
    assert again.body == first  # same id, status, number and place
    assert len(all_items(store)) == rows  # nothing written
    clock.now += timedelta(minutes=9)
    assert api.post(email="ana@example.org").body["registration_id"] == first["registration_id"]
    assert len([m for m in sent_mails() if m["To"] == "ana@example.org"]) == 1


def test_another_submission_of_the_address_or_one_much_later_is_already_registered(api, store, clock):
    first = api.post(email="ana@example.org").body
    changed = api.post(email="ana@example.org", organisation="Kreis Wesel")
    assert (changed.status, changed.body["error"]) == (409, "already_registered")
    clock.now += timedelta(minutes=11)
    late = api.post(email="ana@example.org")
    assert (late.status, late.body["error"]) == (409, "already_registered")
    assert [i["registration_id"] for i in registration_items(store)] == [first["registration_id"]]


def test_a_repeat_after_moving_up_is_answered_with_the_seat(api, store):
    reload_events(store, event(capacity=1, waitlist=True))
    first = api.post(email="first@example.org", given_name="Erste").body
    waiting = api.post(email="ana@example.org").body
    assert waiting["status"] == "waitlisted"
    by_id = {r.registration_id: r for r in store.registration_rows.of_event(SEED_EVENT_ID)}
    store.seat_transactions.cancel(
        by_id[first["registration_id"]], by_id[waiting["registration_id"]], "2016-11-10T11:05:00Z"
    )
    again = api.post(email="ana@example.org")
    assert (again.status, again.body["registration_id"], again.body["status"]) == (
        201,
        waiting["registration_id"],
        "confirmed",
    )
    assert "waitlist_position" not in again.body or again.body["waitlist_position"] is None


def test_at_a_full_event_someone_registered_is_told_so_not_full(api, store):
    reload_events(store, event(capacity=1))
    first = api.post(email="ana@example.org").body  # the first click takes the last seat
    second = api.post(email="ana@example.org")  # the second click finds the event full
    assert (second.status, second.body["registration_id"], second.body["status"]) == (
        201,
        first["registration_id"],
        "confirmed",
    )
    changed = api.post(email="ana@example.org", organisation="Kreis Wesel")
    assert (changed.status, changed.body["error"]) == (409, "already_registered")
    other = api.post(email="ben@example.org")
    assert (other.status, other.body["error"]) == (409, "event_full")
    assert len(registration_items(store)) == 1


def test_a_double_click_whose_loser_started_first_is_still_the_same_submission(api, store, clock):
    clock.now += timedelta(seconds=1)
    stored = api.post(email="ana@example.org").body  # the click that committed first
    clock.now -= timedelta(seconds=1)  # the other click arrived a moment earlier, and lost the race
    loser = api.post(email="ana@example.org")
    assert (loser.status, loser.body["registration_id"]) == (201, stored["registration_id"])


class SlowMarkerReads:
    """The real client, except that reading an address's marker times out while `slow`."""

    def __init__(self, real):
        self.real, self.slow = real, True

    def __getattr__(self, name):
        return getattr(self.real, name)

    def get_item(self, **request):
        if self.slow and request["Key"]["sk"]["S"].startswith(EMAIL_PREFIX):
            raise TIMEOUT
        return self.real.get_item(**request)


def test_the_same_submission_again_whose_read_back_times_out_is_unavailable_not_already_registered(
    api, store, monkeypatch
):
    first = api.post(email="ana@example.org").body
    slow = SlowMarkerReads(app_module.store.table.client())
    monkeypatch.setattr(app_module.store.table, "client", lambda: slow)

    again = api.post(email="ana@example.org")  # the marker's holder cannot be read back

    # Whether it is this same submission is unknown: "already registered" could be untrue.
    assert (again.status, again.body["error"]) == (503, "unavailable")
    slow.slow = False
    third = api.post(email="ana@example.org")  # the page sends it again by itself
    assert (third.status, third.body["registration_id"]) == (201, first["registration_id"])
    assert len(registration_items(store)) == 1


@pytest.mark.parametrize("by", ["link", "admin"])
def test_a_cancellation_stored_before_its_answer_was_lost_is_answered_as_done(api, client, store, commit_then, by):
    reload_events(store, event(capacity=1, waitlist=True))
    ana = api.post(email="ana@example.org").body
    ben = api.post(email="ben@example.org").body
    path = cancel_path("ana@example.org")
    cancel = {
        "link": lambda: client.http.post(path),
        "admin": lambda: client.http.post(
            f"/admin/events/{SEED_EVENT_ID}/registrations/{ana['registration_id']}/cancel"
        ),
    }[by]
    faulty = commit_then(timeout_twice)  # the cancel commits; its answer never comes

    answer = cancel()

    assert faulty.calls == 1  # read back, not written again
    assert answer.status_code == 200
    assert ("abgesagt" in answer.body.decode()) if by == "link" else json.loads(answer.body)["status"] == "cancelled"
    statuses = {i["registration_id"]: i["status"] for i in registration_items(store)}
    assert statuses == {ana["registration_id"]: "cancelled", ben["registration_id"]: "confirmed"}


def test_a_mail_claim_stored_before_its_answer_was_lost_is_still_sent_once(api, store, commit_then, mail_function):
    commit_then(the_sdk_retries)  # the registration's first transaction is answered "done"
    api.register(email="ana@example.org")
    faulty = commit_then(timeout_twice)  # the mail function's first claim commits; its answer is lost

    mail_function.deliver()
    mail_function.deliver()  # a retry of the stream record, if the first failed

    assert faulty.calls >= 1
    assert len(mails_to("ana@example.org")) == 1  # read back as its own claim: sent, not dropped
    assert len(organiser_mails()) == 1
