"""A stateful property test: registrations, cancellations (link and admin), `forget`, capacity
changes and closing, in any order, against the real app; after every step the answers and
the table must agree with a reference model, and the invariants of docs/design.md hold.

Bounded in `make test` (fixed seed); `make stress` runs many more with fresh seeds
(STATEFUL_EXAMPLES, STATEFUL_RANDOM=1).
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import boto3
from boto3.dynamodb.types import TypeDeserializer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

import app as app_module
from chalicelib.cli import main as cli
from chalicelib.links import CancelClaim, cancel_url
from tests.api.conftest import MailFunction
from tests.factories import seed_event_document, submission

FORMS = ("Kommune", "Landkreis")  # the same person's two ways of filling in the form
PEOPLE = 7
EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "15"))
_runs = itertools.count()


@dataclass
class Reg:
    registration_id: str
    email: str
    form: str
    status: str
    position: int | None = None  # the number on the waiting list, if it ever waited
    place: int | None = None


@dataclass
class Model:
    """What the event must look like: the registrations in order of arrival, and the event."""

    capacity: int | None = 2
    waitlist: bool = True
    closed: bool = False
    regs: list[Reg] = field(default_factory=list)
    numbers_given: int = 0

    def with_status(self, status: str) -> list[Reg]:
        return [r for r in self.regs if r.status == status]

    def seats_free(self) -> bool:
        return self.capacity is None or len(self.with_status("confirmed")) < self.capacity

    def move_up(self, seats: int | None) -> None:
        """The first `seats` in line (all, for None) get a seat."""
        line = sorted(self.with_status("waitlisted"), key=lambda r: r.position or 0)
        for reg in line if seats is None else line[:seats]:
            reg.status = "confirmed"

    def leave(self, reg: Reg) -> None:
        """`reg` gives up its seat or place; its seat goes to the first in line."""
        was, reg.status = reg.status, "cancelled"
        if was == "confirmed":
            self.move_up(1)


@dataclass
class Shared:
    """What every run of the machine shares: one mocked table and the mail function on its
    stream. Each run has its own event and its own people."""

    client: object
    mail: MailFunction
    files: Path
    dynamodb: object = field(default_factory=lambda: boto3.client("dynamodb"))
    forgotten: dict[str, int] = field(default_factory=dict)  # address -> mails sent when forgotten
    checked: int = 0  # mails looked through for anyone forgotten
    seen: Counter[str] = field(default_factory=Counter)  # which situations the runs reached

    def sent(self) -> list:
        return ses_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].sent_messages

    def deliver_mails(self) -> None:
        """Run the mail function on what the stream holds; nothing about anyone forgotten goes out."""
        self.mail.deliver()
        assert self.mail.pending == []
        sent = self.sent()
        for index in range(self.checked, len(sent)):
            about = [email for email, mark in self.forgotten.items() if mark <= index and email in sent[index].raw_data]
            assert not about, f"mail about {about} after forget"
        self.checked = len(sent)


class SeatsMachine(RuleBasedStateMachine):
    def __init__(self, shared: Shared) -> None:
        super().__init__()
        self.shared = shared
        self.client = shared.client
        run = next(_runs)
        self.event_id = f"seats-run-{run}"
        self.people = [f"person{i}.run{run}@example.org" for i in range(PEOPLE)]
        self.model = Model()

    def load(self) -> int:
        """`load-events` with the model's settings, as an admin runs it."""
        document = {
            **seed_event_document(),
            "event_id": self.event_id,
            "capacity": self.model.capacity,
            "waitlist": self.model.waitlist,
            "closed": self.model.closed,
        }
        path = self.shared.files / f"{self.event_id}.json"
        path.write_text(json.dumps({k: v for k, v in document.items() if v is not None}), encoding="utf-8")
        status = cli(["load-events", str(path)])
        app_module.intake.events.clear()  # as after the cache's 10 s
        return status

    def situation(self, reg: Reg) -> str:
        waiting = bool(self.model.with_status("waitlisted"))
        if reg.status == "confirmed":
            return "a seat handed over" if waiting else "a seat given back"
        return f"a {reg.status} registration"

    def active(self, email: str) -> Reg | None:
        return next((r for r in self.model.regs if r.email == email and r.status != "cancelled"), None)

    # --- the steps ---------------------------------------------------------------------------
    @initialize(capacity=st.integers(1, 3), people=st.integers(0, PEOPLE))
    def fill(self, capacity: int, people: int) -> None:
        """Start from an event that is often full with people waiting: where seats change hands."""
        self.model.capacity = capacity
        assert self.load() == 0
        for person in range(people):
            self.register(person, FORMS[0])

    @rule(person=st.integers(0, PEOPLE - 1), form=st.sampled_from(FORMS))
    def register(self, person: int, form: str) -> None:
        email = self.people[person]
        if email in self.shared.forgotten:
            return
        body = json.dumps(submission(email=email, organisation_type=form)).encode()
        response = self.client.http.post(
            f"/events/{self.event_id}/registrations", headers={"Content-Type": "application/json"}, body=body
        )
        answer = json.loads(response.body)
        model, earlier = self.model, self.active(email)
        self.shared.seen[f"register: {response.status_code} {answer.get('status') or answer.get('error')}"] += 1
        if model.closed:
            assert (response.status_code, answer["error"]) == (403, "registration_closed")
        elif earlier is not None and earlier.form == form:  # the same submission again: like the first
            assert (response.status_code, answer["registration_id"]) == (201, earlier.registration_id)
            assert answer["status"] == earlier.status
            if earlier.status == "waitlisted":
                assert (answer["waitlist_position"], answer["waitlist_place"]) == (earlier.position, earlier.place)
        elif earlier is not None:
            assert (response.status_code, answer["error"]) == (409, "already_registered")
        elif model.seats_free():
            assert (response.status_code, answer["status"]) == (201, "confirmed")
            model.regs.append(Reg(answer["registration_id"], email, form, "confirmed"))
        elif model.waitlist:
            position, place = model.numbers_given + 1, len(model.with_status("waitlisted")) + 1
            assert (response.status_code, answer["status"]) == (201, "waitlisted")
            assert (answer["waitlist_position"], answer["waitlist_place"]) == (position, place)
            model.numbers_given = position
            model.regs.append(Reg(answer["registration_id"], email, form, "waitlisted", position, place))
        else:
            assert (response.status_code, answer["error"]) == (409, "event_full")

    @precondition(lambda self: self.model.regs)
    @rule(data=st.data(), by_admin=st.booleans())
    def cancel(self, data: st.DataObject, by_admin: bool) -> None:
        reg = data.draw(st.sampled_from(self.model.regs))
        if by_admin:
            path = f"/admin/events/{self.event_id}/registrations/{reg.registration_id}/cancel"
        else:
            claim = CancelClaim(self.event_id, reg.registration_id, 2**31)
            path = cancel_url("", app_module.settings.link_secret, claim)
        status = self.client.http.post(path).status_code
        if reg.status == "cancelled":
            assert status == (409 if by_admin else 403)  # a used link, an admin too late
        else:
            assert status == 200
            self.shared.seen[f"cancel {'by admin' if by_admin else 'by link'}: {self.situation(reg)}"] += 1
            self.model.leave(reg)

    @precondition(lambda self: self.model.regs)
    @rule(data=st.data(), mail_out_first=st.booleans())
    def forget(self, data: st.DataObject, mail_out_first: bool) -> None:
        """`forget`, after the mail function has sent what was due, or while mail is pending."""
        email = data.draw(st.sampled_from([r.email for r in self.model.regs]))
        if mail_out_first:
            self.shared.deliver_mails()
        assert cli(["forget", email]) == 0
        for reg in [r for r in self.model.regs if r.email == email]:
            self.shared.seen[f"forget: {self.situation(reg)}"] += 1
            self.model.leave(reg)
            self.model.regs.remove(reg)
        self.shared.forgotten[email] = len(self.shared.sent())

    @rule(
        capacity=st.one_of(st.none(), st.integers(1, 5)),
        waitlist=st.booleans(),
        closed=st.integers(0, 3).map(lambda n: n == 3),  # closed a quarter of the time
    )
    def load_events(self, capacity: int | None, waitlist: bool, closed: bool) -> None:
        """An admin loads the event file again: another capacity, waiting list, or closed."""
        model = self.model
        before = (model.capacity, model.waitlist, model.closed)
        model.capacity, model.waitlist, model.closed = capacity, waitlist, closed
        refused = capacity is not None and capacity < len(model.with_status("confirmed"))
        assert self.load() == (1 if refused else 0)
        waiting = len(model.with_status("waitlisted"))
        situation = "capacity refused" if refused else f"{'someone' if waiting else 'nobody'} waiting"
        self.shared.seen[f"load-events: {situation}"] += 1
        if refused:
            model.capacity, model.waitlist, model.closed = before
        elif capacity is None:
            model.move_up(None)
        else:
            model.move_up(capacity - len(model.with_status("confirmed")))

    # --- after every step ----------------------------------------------------------------------
    @invariant()
    def the_table_is_the_model_and_the_invariants_hold(self) -> None:
        items = [
            {k: deserialize(v) for k, v in item.items()}
            for item in self.shared.dynamodb.query(
                TableName=os.environ["TABLE_NAME"],
                KeyConditionExpression="event_id = :e",
                ExpressionAttributeValues={":e": {"S": self.event_id}},
                ConsistentRead=True,
            )["Items"]
        ]
        [record] = [i for i in items if i["sk"] == "event"]
        rows = [i for i in items if i["sk"].startswith("registration#")]
        model = self.model
        assert {r["registration_id"]: (r["status"], r.get("waitlist_position")) for r in rows} == {
            r.registration_id: (r.status, r.position) for r in model.regs
        }
        confirmed = sum(r["status"] == "confirmed" for r in rows)
        waiting = [r for r in rows if r["status"] == "waitlisted"]
        capacity = record.get("capacity")
        # the counters equal the rows
        assert (record["confirmed_count"], record["waiting_count"], record["waitlisted_count"]) == (
            confirmed,
            len(waiting),
            model.numbers_given,
        )
        # confirmed <= capacity; nobody waits while a seat is free
        assert capacity is None or confirmed <= capacity
        assert not waiting or (capacity is not None and confirmed >= capacity)
        # numbers unique, given in order of arrival; whoever moved up came before anyone waiting
        numbers = [r.position for r in model.regs if r.position is not None]
        assert numbers == sorted(set(numbers))
        moved_up = [r["waitlist_position"] for r in rows if r["status"] == "confirmed" and r.get("waitlist_position")]
        assert not waiting or max(moved_up, default=0) < min(r["waitlist_position"] for r in waiting)
        # one marker per active registration, none for anyone else
        markers = sorted(i["registration_id"] for i in items if i["sk"].startswith("email#"))
        assert markers == sorted(r["registration_id"] for r in rows if r["status"] != "cancelled")
        # nothing left of anyone forgotten
        everything = json.dumps(items, default=str)
        assert not [email for email in self.shared.forgotten if email in everything]


def deserialize(value: dict) -> object:
    plain = TypeDeserializer().deserialize(value)
    return int(plain) if isinstance(plain, Decimal) else plain


def test_seats_under_any_order_of_operations(client, store, mail_function, clock, tmp_path):
    shared = Shared(client, mail_function, tmp_path)
    run_state_machine_as_test(
        lambda: SeatsMachine(shared),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            deadline=None,
            derandomize=not os.environ.get("STATEFUL_RANDOM"),
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    shared.deliver_mails()  # whatever is still pending: nothing about anyone forgotten
    assert len(shared.sent()) > EXAMPLES  # the mail function did run
    # The runs reached the places where seats change hands (a degenerate run would prove nothing).
    reached = {situation.split(": ", 1)[1] for situation in shared.seen}
    assert {"a seat handed over", "a seat given back", "someone waiting", "201 waitlisted"} <= reached, shared.seen
    assert shared.forgotten
