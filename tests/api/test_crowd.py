"""A crowd on the waiting list: what a lost claim learns from its refusal, and how it tries again
(docs/design.md, "A crowd on the waiting list")."""

from __future__ import annotations

import dataclasses
import json

import pytest

import app as app_module
from chalicelib.events import Event
from chalicelib.forms import parse_body
from chalicelib.records import Registration, Status
from chalicelib.registration import new_registration, validate_submission
from chalicelib.store import ClaimLost, WaitlistPlace
from tests.factories import SEED_EVENT_ID, event, submission


def a_person(event: Event) -> Registration:
    fields = parse_body(json.dumps(submission()).encode(), "application/json")
    return new_registration(event, validate_submission(event, fields), app_module.now(), "de")


def test_a_lost_claim_brings_back_the_event_as_stored_without_validating_it_again(store):
    store.events.save([event(capacity=1, waitlist=True)])
    record = store.events.find(SEED_EVENT_ID, consistent=True)
    waitlisted = dataclasses.replace(
        a_person(record.event), status=Status.WAITLISTED, waitlist_position=5, waitlist_place=1
    )

    with pytest.raises(ClaimLost) as lost:
        store.seats.insert(waitlisted, WaitlistPlace(5, ahead=0), expires_at=0)

    assert lost.value.current == record
    assert lost.value.current.event is record.event  # the same text: the event parsed once
