"""A stateful property test: registrations, cancellations (link and admin), `forget`, capacity
changes and closing, in any order, against the real app; after every step the answers and
the table must agree with a reference model, and the invariants of docs/design.md hold.

Placing in groups too: every registrant joins the queue (pending) and the first of those
pending places them all; a registrant's request may end before it is placed, and the due
function's sweep places those left.

DynamoDB's faults too: a registration, a cancellation (link or admin) or `forget` may have
one of its transactions refused before it reached the table, refused because it met another
(`TransactionConflict`: the rush as a sequence of steps sees it), or committed with its answer
lost. Whatever the fault, the answer is the one the model gives without it, except a `503`
where nothing was stored (docs/design.md, "Ambiguous outcomes").

Bounded in `make test` (fixed seed); `make stress` runs many more with fresh seeds
(STATEFUL_EXAMPLES, STATEFUL_RANDOM=1).
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ReadTimeoutError
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
from chalicelib import cli as cli_module
from chalicelib.api.forms import parse_body
from chalicelib.cli import main as cli
from chalicelib.model.links import CancelLink, cancel_url
from chalicelib.model.registration import Status, utc_iso
from chalicelib.model.validation import new_registration, validate_submission
from chalicelib.seats import numbering
from chalicelib.store import Store
from chalicelib.store.keys import PENDING_PREFIX, REGISTRATION_PREFIX
from tests.api.conftest import Clock, MailFunction
from tests.factories import client_error, seed_event_document, submission

FORMS = ("Kommune", "Landkreis")  # the same person's two ways of filling in the form
PEOPLE = 7
ONE_MORE = "one seat more than are taken"
EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "15"))
_runs = itertools.count()
# (what, which transaction of the step): refused before it reached the table, refused as
# meeting another transaction, or committed with its answer lost.
FAULTS = st.one_of(st.none(), st.tuples(st.sampled_from(["refused", "conflict", "lost"]), st.integers(1, 3)))


class TransactFault:
    """The real client, except that its `nth` TransactWriteItems meets `what`."""

    def __init__(self, real, what: str, nth: int) -> None:
        self.real, self.what, self.nth, self.transactions = real, what, nth, 0

    def __getattr__(self, name):
        return getattr(self.real, name)

    def transact_write_items(self, **request):
        self.transactions += 1
        if self.transactions != self.nth:
            return self.real.transact_write_items(**request)
        if self.what == "refused":
            raise client_error("InternalServerError", "TransactWriteItems")
        if self.what == "conflict":
            reasons = [{"Code": "TransactionConflict"} for _ in request["TransactItems"]]
            raise client_error("TransactionCanceledException", "TransactWriteItems", reasons)
        self.real.transact_write_items(**request)  # it commits; its answer is lost
        raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")


@contextmanager
def faulty_table(fault: tuple[str, int] | None):
    """During one step, the app's and the command line's table meet `fault`."""
    if fault is None:
        yield
        return
    table = app_module.store.table
    real_client, real_store = table.client, cli_module.Store
    faulty = TransactFault(real_client(), *fault)
    table.client = lambda: faulty
    cli_module.Store = lambda name: Store(name, client=lambda: faulty)
    try:
        yield
    finally:
        table.client, cli_module.Store = real_client, real_store


@dataclass
class Reg:
    registration_id: str
    email: str
    form: str
    status: str  # "pending": arrived (joined the list unnumbered), not placed yet
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

    def number(self, reg: Reg) -> None:
        """`reg` is placed now: a free seat, else the next number and its exact place, or
        refused when the event has no waiting list (it then holds nothing: `drop_refused`)."""
        if self.seats_free():
            reg.status = "confirmed"
        elif not self.waitlist:
            reg.status = "refused"
        else:
            place = len(self.with_status("waitlisted")) + 1
            self.numbers_given += 1
            reg.status, reg.position, reg.place = "waitlisted", self.numbers_given, place

    def place_pending(self) -> list[Reg]:
        """Everyone pending is placed (or refused), in order of arrival (the list is in that
        order), as the event is now."""
        pending = self.with_status("pending")
        for reg in pending:
            self.number(reg)
        self.drop_refused()
        return pending

    def drop_refused(self) -> None:
        self.regs = [r for r in self.regs if r.status != "refused"]

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
    clock: Clock  # moved on 1 ms before each arrival: ids (ULIDs) then sort in order of arrival
    dynamodb: object = field(default_factory=lambda: boto3.client("dynamodb"))
    forgotten: dict[str, int] = field(default_factory=dict)  # address -> mails sent when forgotten
    seen: Counter[str] = field(default_factory=Counter)  # which situations the runs reached

    def sent(self) -> list:
        return ses_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].sent_messages

    def deliver_mails(self) -> None:
        """Run the mail function on what the stream holds; nothing about anyone forgotten goes out."""
        self.mail.deliver()
        assert self.mail.pending == []
        for email, mark in self.forgotten.items():
            assert not [m for m in self.sent()[mark:] if email in m.raw_data], f"mail about {email} after forget"


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

    def joinable(self) -> list[str]:
        """The people who may join now: not registered (nor pending), never forgotten."""
        return [e for e in self.people if e not in self.shared.forgotten and self.active(e) is None]

    def arrive(self) -> None:
        """Someone arrives: a later time stamp, so a later registration id (the order in which
        pending registrations are numbered)."""
        self.shared.clock.now += timedelta(milliseconds=1)

    def items(self) -> list[dict]:
        """Every row of this run's event, read consistently."""
        return [
            {k: deserialize(v) for k, v in item.items()}
            for item in self.shared.dynamodb.query(
                TableName=os.environ["TABLE_NAME"],
                KeyConditionExpression="event_id = :e",
                ExpressionAttributeValues={":e": {"S": self.event_id}},
                ConsistentRead=True,
            )["Items"]
        ]

    def pending_ids(self) -> list[str]:
        return [i["registration_id"] for i in self.items() if i["sk"].startswith(PENDING_PREFIX)]

    # --- the steps ---------------------------------------------------------------------------
    @initialize(capacity=st.integers(1, 3), people=st.integers(0, PEOPLE))
    def fill(self, capacity: int, people: int) -> None:
        """Start from an event that is often full with people waiting: where seats change hands."""
        self.model.capacity = capacity
        assert self.load() == 0
        for person in range(people):
            self.register(person, FORMS[0])

    @rule(person=st.integers(0, PEOPLE - 1), form=st.sampled_from(FORMS), fault=FAULTS)
    def register(self, person: int, form: str, fault: tuple[str, int] | None = None) -> None:
        email = self.people[person]
        if email in self.shared.forgotten:
            return
        self.arrive()
        model, earlier = self.model, self.active(email)
        behind = len(model.with_status("pending"))
        body = json.dumps(submission(email=email, organisation_type=form)).encode()
        with faulty_table(fault):
            response = self.client.http.post(
                f"/events/{self.event_id}/registrations", headers={"Content-Type": "application/json"}, body=body
            )
        answer = json.loads(response.body)
        outcome = f"{response.status_code} {answer.get('status') or answer.get('error')}"
        self.shared.seen[f"register: {outcome}"] += 1
        if fault:
            self.shared.seen[f"register: {outcome} after a transaction {fault[0]}"] += 1
        if response.status_code == 503:
            # The one answer a fault may change: a write refused before it reached the table
            # stored nothing, and says so (the invariant compares the table with the model).
            assert fault is not None, answer
            assert fault[0] == "refused", answer
            return
        if model.closed:
            assert (response.status_code, answer.get("error")) == (403, "registration_closed")
            return
        # Full with no list, as the event row counts: refused before joining, nobody placed.
        full = not model.waitlist and not model.seats_free()
        if earlier is not None and earlier.form == form:  # the same submission again: like the first
            if earlier.status == "pending":
                model.place_pending()  # it waits for its number, or numbers everyone pending
                self.shared.seen[f"register: the same again while pending ({outcome})"] += 1
                if earlier.status == "refused":  # placed as the event is now: full, with no list
                    assert (response.status_code, answer.get("error")) == (409, "event_full")
                    return
            assert (response.status_code, answer["registration_id"]) == (201, earlier.registration_id)
            assert answer["status"] == earlier.status
            if earlier.status == "waitlisted":
                assert (answer["waitlist_position"], answer["waitlist_place"]) == (earlier.position, earlier.place)
        elif earlier is not None:
            assert (response.status_code, answer.get("error")) == (409, "already_registered")
        elif not full:
            # A newcomer joins behind those pending: they are placed first (the free seats,
            # then the next numbers, or a refusal without a list), then it is, in one group.
            model.place_pending()
            reg = Reg(answer.get("registration_id", ""), email, form, "pending")
            model.regs.append(reg)
            model.number(reg)
            model.drop_refused()
            if reg.status == "refused":
                assert (response.status_code, answer.get("error")) == (409, "event_full")
                self.shared.seen["register: refused behind pending" if behind else "register: refused"] += 1
                return
            assert (response.status_code, answer["status"]) == (201, reg.status)
            if reg.status == "waitlisted":
                assert (answer["waitlist_position"], answer["waitlist_place"]) == (reg.position, reg.place)
            if behind:
                self.shared.seen["register: placed behind pending"] += 1
        else:
            assert (response.status_code, answer.get("error")) == (409, "event_full")
            if behind:
                self.shared.seen["register: full behind pending"] += 1
        if response.status_code == 201:
            self.the_answer_is_true(answer, newcomer=earlier is None)

    def the_answer_is_true(self, answer: dict, *, newcomer: bool) -> None:
        """A 201 tells a seat or a number, never "pending", and what it tells is what is stored;
        a newcomer's place is exactly the people waiting now (its number is the last). (A
        repeat is told the place it was first told: people ahead may have left since.)"""
        items = self.items()
        [row] = [i for i in items if i["sk"] == REGISTRATION_PREFIX + answer["registration_id"]]
        assert answer["status"] in ("confirmed", "waitlisted")
        assert row["status"] == answer["status"]
        assert answer["registration_id"] not in self.pending_ids()  # nobody left pending by this request
        if answer["status"] == "waitlisted":
            assert (row["waitlist_position"], row["waitlist_place"]) == (
                answer["waitlist_position"],
                answer["waitlist_place"],
            )
            if newcomer:
                assert answer["waitlist_position"] == self.model.numbers_given
                waiting = [i for i in items if i["sk"].startswith(REGISTRATION_PREFIX) and i["status"] == "waitlisted"]
                assert answer["waitlist_place"] == len(waiting)

    @precondition(lambda self: self.model.with_status("pending"))
    @rule(data=st.data(), again=st.booleans(), form=st.sampled_from(FORMS))
    def register_while_pending(self, data: st.DataObject, again: bool, form: str) -> None:
        """Someone registers while others are pending (`register` alone rarely draws that): one
        of them sending the same submission again (`again`: it gets its number), or another
        one, or a newcomer (they are numbered first, it with them or refused after them)."""
        pending = self.model.with_status("pending")
        joinable = self.joinable()
        if again or not joinable:
            reg = data.draw(st.sampled_from(pending))
            self.register(self.people.index(reg.email), reg.form if again else form)
        else:
            self.register(self.people.index(data.draw(st.sampled_from(joinable))), form)

    @precondition(
        lambda self: (self.model.waitlist or self.model.seats_free()) and not self.model.closed and self.joinable()
    )
    @rule(data=st.data(), form=st.sampled_from(FORMS))
    def join_and_leave(self, data: st.DataObject, form: str) -> None:
        """A registrant joins the queue (W8) and its request ends before anyone places it (a
        timeout): it has arrived, but holds no seat or place yet."""
        email = data.draw(st.sampled_from(self.joinable()))
        self.arrive()
        record = app_module.store.event_rows.find(self.event_id, consistent=True)
        body = json.dumps(submission(email=email, organisation_type=form)).encode()
        valid = validate_submission(record.event, parse_body(body, "application/json"))
        joined = new_registration(record.event, valid, self.shared.clock.now, "de")
        app_module.store.seat_transactions.join(replace(joined, status=Status.PENDING), expires_at=2_000_000_000)
        self.model.regs.append(Reg(joined.registration_id, email, form, "pending"))
        self.shared.seen["join: left pending"] += 1

    @precondition(lambda self: self.model.with_status("pending"))
    @rule()
    def due_sweep(self) -> None:
        """The due function's sweep numbers everyone left pending, in order of arrival."""
        placed = self.model.place_pending()
        numbered = numbering.settle(app_module.store, self.event_id, utc_iso(self.shared.clock.now))
        assert numbered == len(placed)
        assert self.pending_ids() == []
        self.shared.seen["due: settled"] += 1

    @precondition(lambda self: self.model.regs)
    @rule(data=st.data(), by_admin=st.booleans(), fault=FAULTS)
    def cancel(self, data: st.DataObject, by_admin: bool, fault: tuple[str, int] | None) -> None:
        """A cancellation answers as without the fault: one whose answer was lost is read back."""
        reg = data.draw(st.sampled_from(self.model.regs))
        if by_admin:
            path = f"/admin/events/{self.event_id}/registrations/{reg.registration_id}/cancel"
        else:
            claim = CancelLink(self.event_id, reg.registration_id, 2**31)
            path = cancel_url("", app_module.settings.link_secret, claim)
        with faulty_table(fault):
            status = self.client.http.post(path).status_code
        if fault:
            self.shared.seen[f"cancel: {status} after a transaction {fault[0]}"] += 1
        if by_admin and reg.status == "pending":
            # An admin cancelling someone still pending places everyone pending first.
            self.model.place_pending()
        if reg.status == "cancelled":
            # A used link says it is done (a second click); an admin is told it was already.
            assert status == (409 if by_admin else 200)
            self.shared.seen["cancel again: a cancelled registration"] += 1
        elif reg.status == "pending" and not by_admin:
            # A link to someone not placed yet: it is only ever sent once they are.
            assert status == 403
            self.shared.seen[f"cancel refused: a {reg.status} registration"] += 1
        else:
            assert status == 200
            self.shared.seen[f"cancel {'by admin' if by_admin else 'by link'}: {self.situation(reg)}"] += 1
            self.model.leave(reg)

    @precondition(lambda self: self.model.regs)
    @rule(data=st.data(), mail_out_first=st.booleans(), fault=FAULTS)
    def forget(self, data: st.DataObject, mail_out_first: bool, fault: tuple[str, int] | None) -> None:
        """`forget`, after the mail function has sent what was due, or while mail is pending;
        an erasure whose answer was lost is read back, one refused is tried again."""
        email = data.draw(st.sampled_from([r.email for r in self.model.regs]))
        if mail_out_first:
            self.shared.deliver_mails()
        with faulty_table(fault):
            assert cli(["forget", email]) == 0
        if fault:
            self.shared.seen[f"forget: after a transaction {fault[0]}"] += 1
        for reg in [r for r in self.model.regs if r.email == email]:
            self.shared.seen[f"forget: {self.situation(reg)}"] += 1
            self.model.leave(reg)
            self.model.regs.remove(reg)
        self.shared.forgotten[email] = len(self.shared.sent())

    @rule(
        capacity=st.one_of(st.none(), st.integers(1, 5), st.just(ONE_MORE)),
        waitlist=st.booleans(),
        closed=st.integers(0, 3).map(lambda n: n == 3),  # closed a quarter of the time
    )
    def load_events(self, capacity: int | str | None, waitlist: bool, closed: bool) -> None:
        """An admin loads the event file again: another capacity, waiting list, or closed."""
        model = self.model
        if capacity == ONE_MORE:
            # One seat more than are taken: fewer than those pending often need, the edge
            # where the first of them gets it and the others (or a newcomer) do not.
            capacity = len(model.with_status("confirmed")) + 1
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
        items = self.items()
        [record] = [i for i in items if i["sk"] == "event"]
        rows = [i for i in items if i["sk"].startswith(REGISTRATION_PREFIX)]  # in order of their ids
        pending = [i for i in items if i["sk"].startswith(PENDING_PREFIX)]
        model = self.model
        assert {
            r["registration_id"]: (r["status"], r.get("waitlist_position"), r.get("waitlist_place"))
            for r in rows + pending
        } == {r.registration_id: (r.status, r.position, r.place) for r in model.regs}
        # a pending registration lives only under the pending rows, and arrival order is id order
        assert not [r for r in rows if r["status"] == "pending"]
        assert [r["registration_id"] for r in pending] == [r.registration_id for r in model.with_status("pending")]
        # nobody got a seat or a number while someone who arrived earlier is still pending
        assert not pending or max((r["registration_id"] for r in rows), default="") < pending[0]["registration_id"]
        confirmed = sum(r["status"] == "confirmed" for r in rows)
        waiting = [r for r in rows if r["status"] == "waitlisted"]
        capacity = record.get("capacity")
        # the counters equal the rows
        assert (
            record["confirmed_count"],
            record["waiting_count"],
            record["waitlisted_count"],
        ) == (confirmed, len(waiting), model.numbers_given)
        # confirmed <= capacity; nobody waits while a seat is free
        assert capacity is None or confirmed <= capacity
        assert not waiting or (capacity is not None and confirmed >= capacity)
        # numbers unique, given in order of arrival; whoever moved up came before anyone waiting
        numbers = [r.position for r in model.regs if r.position is not None]
        assert numbers == sorted(set(numbers))
        stored_numbers = [r["waitlist_position"] for r in rows if r.get("waitlist_position")]
        assert stored_numbers == sorted(set(stored_numbers))  # and in the order of the ids
        # the place told is never behind the truth: people only leave from ahead of someone
        line = sorted(waiting, key=lambda r: r["waitlist_position"])
        assert all(rank <= r["waitlist_place"] for rank, r in enumerate(line, start=1))
        moved_up = [r["waitlist_position"] for r in rows if r["status"] == "confirmed" and r.get("waitlist_position")]
        assert not waiting or max(moved_up, default=0) < min(r["waitlist_position"] for r in waiting)
        # one marker per active registration, none for anyone else
        markers = sorted(i["registration_id"] for i in items if i["sk"].startswith("email#"))
        assert markers == sorted(r["registration_id"] for r in rows + pending if r["status"] != "cancelled")
        # nothing left of anyone forgotten
        everything = json.dumps(items, default=str)
        assert not [email for email in self.shared.forgotten if email in everything]


def deserialize(value: dict) -> object:
    plain = TypeDeserializer().deserialize(value)
    return int(plain) if isinstance(plain, Decimal) else plain


def test_seats_under_any_order_of_operations(client, store, mail_function, clock, tmp_path, monkeypatch):
    # A newcomer behind a registration whose request ended numbers it at once, not after the
    # grace a live first-in-line gets (1 s a step would make the machine crawl); restored after.
    monkeypatch.setattr(numbering, "LEADER_GRACE_SECONDS", 0.0)
    shared = Shared(client, mail_function, tmp_path, clock)
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
    # And placing in groups: left pending, placed by a newcomer, by the sweep, by the same
    # submission again; a pending registration forgotten.
    crowd = {"left pending", "placed behind pending", "settled", "a pending registration"}
    assert crowd <= reached, shared.seen
    assert [s for s in reached if s.startswith("the same again while pending")], shared.seen
    assert shared.forgotten
    # And the faults: each kind met by registrations, cancellations and erasures.
    for kind in ("refused", "conflict", "lost"):
        for step in ("register", "cancel", "forget"):
            assert [s for s in shared.seen if s.startswith(f"{step}:") and s.endswith(f"transaction {kind}")], (
                step,
                kind,
                shared.seen,
            )
