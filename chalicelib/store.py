"""DynamoDB: the only module that knows the table's keys, items and expressions.

One table. Partition key `event_id`, sort key `sk`:

    sk = "event"                 the event: its definition and its seat counts
    sk = "registration#<ULID>"   one registration (ULIDs sort by arrival)
    sk = "email#<address>"       the one-per-address marker, address lower-cased
    sk = "mail#<ULID>#<kind>"    one mail about a registration: claimed, then sent (exactly once)
    sk = "rate#<key>#<hour>"     registrations from one (pseudonymised) address in one hour
    sk = "complaint#<address>"   the address marked our mail as spam: no more mail to it for this event

so an admin finds an event's registrations with one Query in the console:
`event_id = <id>` and `sk` begins with `registration#`.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.events import Event
from chalicelib.registration import Registration, utc_iso

EVENT_SK = "event"
REGISTRATION_PREFIX = "registration#"
EMAIL_PREFIX = "email#"
MAIL_PREFIX = "mail#"
RATE_PREFIX = "rate#"
COMPLAINT_PREFIX = "complaint#"
# A claim older than this whose mail was never marked sent (the sender died
# mid-send) may be taken again: at worst one duplicate, never a lost mail.
MAIL_CLAIM_LEASE_SECONDS = 300
TTL_ATTRIBUTE = "expires_at"
MAX_TRANSACTION_ATTEMPTS = 6

# Failures that say "try again later", not "your request was wrong".
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


class StoreUnavailable(Exception):
    """DynamoDB throttled, failed or timed out; nothing was written."""


class AlreadyRegistered(Exception):
    """The address is already registered for this event."""


class ClaimLost(Exception):
    """The seat or waiting-list place asked for was taken meanwhile (or the event vanished)."""


@dataclass(frozen=True)
class Seat:
    """Claim a seat: only while fewer than `capacity` are confirmed."""


@dataclass(frozen=True)
class WaitlistPlace:
    """Claim waiting-list number `position`: only if it is the next one, no seat is free to
    take, and exactly `ahead` people wait (so the place in line the person is told is true)."""

    position: int
    ahead: int


Claim = Seat | WaitlistPlace


class RateLimited(Exception):
    """This address has made its allowed number of registrations this hour."""


@dataclass(frozen=True)
class HourlyLimit:
    """At most `limit` registrations in the window `window` (an address and an hour)."""

    window: str
    limit: int
    expires_at: int


@dataclass(frozen=True)
class MailRow:
    """What a mail row says of its mail: `sending`, `sent`, `failed` (with a reason code from
    `mail_failures`) or `suppressed` (the recipient complained)."""

    state: str
    reason: str | None = None


# `claim_mail`'s answer when the registration is gone: erased, so nothing more is sent about it.
GONE = MailRow("gone")


class CapacityBelowTaken(Exception):
    """An event file asks for fewer seats than are already taken."""


@dataclass(frozen=True)
class EventRecord:
    event: Event
    confirmed: int  # seats taken
    waitlisted: int  # waiting-list places handed out so far (the last position)
    waiting: int = 0  # people on the waiting list now

    @property
    def seats_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.confirmed, 0)


# DynamoDB's attribute values, for the few types stored here. boto3's TypeSerializer
# would do the same, but importing it imports all of boto3 (and s3transfer) at cold start.
def _attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [_attribute(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__}")


def _value(attribute: dict[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    if kind == "S" or kind == "BOOL":
        return value
    if kind == "N":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "L":
        return [_value(v) for v in value]
    if kind == "M":
        return {k: _value(v) for k, v in value.items()}
    if kind == "NULL":
        return None
    raise TypeError(f"unexpected attribute type {kind}")


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _attribute(v) for k, v in values.items() if v is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in item.items()}


class Store:
    """The table `table_name`, reached through the client `client()` returns."""

    def __init__(self, table_name: str, client: Callable[[], Any] = aws.dynamodb) -> None:
        self.table_name = table_name
        self._client = client

    def _db(self) -> _Classifying:
        """The client, with every transient failure turned into `StoreUnavailable`."""
        return _Classifying(self._client())

    def _all(self, operation: str, **request: Any) -> list[dict[str, Any]]:
        """Every item of a Query or Scan, page after page."""
        items: list[dict[str, Any]] = []
        while True:
            page = getattr(self._db(), operation)(**request)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # --- admin -------------------------------------------------------------------------
    def create_table(self) -> bool:
        """Create the table with its stream and TTL; False when it already exists."""
        client = self._db()
        try:
            client.create_table(
                TableName=self.table_name,
                AttributeDefinitions=[
                    {"AttributeName": "event_id", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                KeySchema=[
                    {"AttributeName": "event_id", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceInUseException":
                return False
            raise
        client.get_waiter("table_exists").wait(TableName=self.table_name)
        client.update_time_to_live(
            TableName=self.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
        return True

    def save_events(self, events: list[Event]) -> None:
        """Store event definitions in one transaction: all or nothing.

        Seat counts are kept across reloads; a capacity below the seats already
        taken is refused.
        """
        actions = []
        for event in events:
            values: dict[str, Any] = {":definition": event.model_dump_json(), ":title": event.title, ":zero": 0}
            update = (
                "SET #definition = :definition, #title = :title, "
                "#confirmed = if_not_exists(#confirmed, :zero), #waitlisted = if_not_exists(#waitlisted, :zero), "
                "#waiting = if_not_exists(#waiting, :zero)"
            )
            action: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": _item({"event_id": event.event_id, "sk": EVENT_SK}),
                "ExpressionAttributeNames": {
                    "#definition": "definition",
                    "#title": "title",
                    "#confirmed": "confirmed_count",
                    "#waitlisted": "waitlisted_count",
                    "#waiting": "waiting_count",
                    "#capacity": "capacity",
                },
            }
            if event.capacity is None:
                update += " REMOVE #capacity"
            else:
                update += ", #capacity = :capacity"
                values[":capacity"] = event.capacity
                action["ConditionExpression"] = "attribute_not_exists(#confirmed) OR #confirmed <= :capacity"
            action["UpdateExpression"] = update
            action["ExpressionAttributeValues"] = _item(values)
            actions.append({"Update": action})
        for start in range(0, len(actions), 100):  # DynamoDB's limit per transaction
            try:
                self._transact(actions[start : start + 100])
            except _Cancelled as exc:
                taken = [
                    events[start + i].event_id for i, code in enumerate(exc.codes) if code == "ConditionalCheckFailed"
                ]
                raise CapacityBelowTaken(", ".join(taken)) from None

    def all_events(self) -> list[EventRecord]:
        """Every stored event with its counts (a Scan: for the admin, never on the request path)."""
        items = self._all(
            "scan",
            TableName=self.table_name,
            FilterExpression="sk = :event",
            ExpressionAttributeValues=_item({":event": EVENT_SK}),
        )
        records = [_event_record(_plain(item)) for item in items]
        return sorted(records, key=lambda record: record.event.event_id)

    def registrations(self, event_id: str, *, consistent: bool = False) -> list[dict[str, Any]]:
        """Every registration item of `event_id`, in arrival order."""
        items = self._all(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=_item({":e": event_id, ":p": REGISTRATION_PREFIX}),
            ConsistentRead=consistent,
        )
        return [_registration_values(item) for item in items]

    # --- the request path ----------------------------------------------------------------
    def find_event(self, event_id: str, *, consistent: bool = False) -> EventRecord | None:
        response = self._db().get_item(
            TableName=self.table_name,
            Key=_item({"event_id": event_id, "sk": EVENT_SK}),
            ConsistentRead=consistent,
        )
        return _event_record(_plain(response["Item"])) if "Item" in response else None

    def insert_registration(
        self, registration: Registration, claim: Claim, *, expires_at: int, limit: HourlyLimit | None = None
    ) -> None:
        """Write the registration, its address marker, its claim on the event's counter and
        its count against the hourly limit, in one transaction: all or nothing."""
        key = {"event_id": registration.event_id}
        marker = {
            **key,
            "sk": EMAIL_PREFIX + registration.email.lower(),
            "registration_id": registration.registration_id,
            TTL_ATTRIBUTE: expires_at,
        }
        item = {
            **key,
            "sk": REGISTRATION_PREFIX + registration.registration_id,
            "registration_id": registration.registration_id,
            "email": registration.email,
            "given_name": registration.given_name,
            "family_name": registration.family_name,
            "status": registration.status,
            "registered_at": registration.registered_at,
            "consent_at": registration.consent_at,
            "consent_version": registration.consent_version,
            "lang": registration.language,
            "waitlist_position": registration.waitlist_position,
            "waitlist_place": registration.waitlist_place,
            **registration.details,
            **registration.answers,
            TTL_ATTRIBUTE: expires_at,
        }
        new = "attribute_not_exists(sk)"
        actions = [
            {"Put": {"TableName": self.table_name, "Item": _item(marker), "ConditionExpression": new}},
            {"Put": {"TableName": self.table_name, "Item": _item(item), "ConditionExpression": new}},
            {"Update": {"TableName": self.table_name, "Key": _item({**key, "sk": EVENT_SK}), **_claim(claim)}},
        ]
        if limit is not None:
            actions.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _item({**key, "sk": RATE_PREFIX + limit.window}),
                        "UpdateExpression": "ADD #count :one SET #ttl = :expires",
                        "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
                        "ExpressionAttributeNames": {"#count": "registrations", "#ttl": TTL_ATTRIBUTE},
                        "ExpressionAttributeValues": _item(
                            {":one": 1, ":limit": limit.limit, ":expires": limit.expires_at}
                        ),
                    }
                }
            )
        try:
            self._transact(actions)
        except _Cancelled as exc:
            if exc.codes[0] == "ConditionalCheckFailed":
                raise AlreadyRegistered() from None
            if len(exc.codes) > 3 and exc.codes[3] == "ConditionalCheckFailed":
                raise RateLimited() from None
            if exc.codes[2] == "ConditionalCheckFailed":
                raise ClaimLost() from None
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None

    def get_registration(self, event_id: str, registration_id: str) -> dict[str, Any] | None:
        response = self._db().get_item(
            TableName=self.table_name,
            Key=_registration_key(event_id, registration_id),
            ConsistentRead=True,
        )
        return _registration_values(response["Item"]) if "Item" in response else None

    def waiting_list(self, event_id: str) -> list[dict[str, Any]]:
        """The waitlisted registrations of `event_id`, first in line first."""
        # Consistent: a waiting person missed by a stale read would lose the seat to someone later.
        # Still one Query over the event's registrations (the filter only saves the transfer).
        items = self._all(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            FilterExpression="#status = :waitlisted",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=_item({":e": event_id, ":p": REGISTRATION_PREFIX, ":waitlisted": "waitlisted"}),
            ConsistentRead=True,
        )
        return sorted((_registration_values(item) for item in items), key=lambda item: item["waitlist_position"])

    def holder_of_address(self, event_id: str, email: str) -> dict[str, Any] | None:
        """The registration holding `email`'s one-per-address marker in `event_id`, read
        consistently (an answer about it must not be older than a write just made)."""
        response = self._db().get_item(
            TableName=self.table_name,
            Key=_item({"event_id": event_id, "sk": EMAIL_PREFIX + email.lower()}),
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        return self.get_registration(event_id, _plain(response["Item"])["registration_id"])

    def first_waitlisted(self, event_id: str) -> dict[str, Any] | None:
        """The waitlisted registration with the lowest number, if any."""
        return next(iter(self.waiting_list(event_id)), None)

    def cancel_registration(self, registration: dict[str, Any], promote: dict[str, Any] | None, at: str) -> None:
        """In one transaction: the registration becomes `cancelled`, its address may register
        again, and its seat goes to `promote` (the first waitlisted) or back to the event.

        Raises `ClaimLost` when either registration changed meanwhile (look again)."""
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _registration_key(registration["event_id"], registration["registration_id"]),
                    "UpdateExpression": "SET #status = :cancelled, cancelled_at = :at",
                    "ConditionExpression": "#status = :was",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": _item(
                        {":cancelled": "cancelled", ":at": at, ":was": registration["status"]}
                    ),
                }
            },
            self._marker_release(registration),
            *self._seat_handover(registration, promote, at),
        ]
        self._transact_release(actions)

    # --- personal data (GDPR requests) -----------------------------------------------------
    def registrations_of(self, email: str) -> list[dict[str, Any]]:
        """Every registration of `email`, in any event and any state (a Scan: admin only)."""
        wanted = email.strip().lower()
        items = self._all(
            "scan",
            TableName=self.table_name,
            FilterExpression="begins_with(sk, :registration)",
            ExpressionAttributeValues=_item({":registration": REGISTRATION_PREFIX}),
            ConsistentRead=True,  # `forget` right after a registration must find it
        )
        found = [_registration_values(item) for item in items]
        return [item for item in found if str(item.get("email", "")).lower() == wanted]

    def mail_records(self, registration: dict[str, Any]) -> list[dict[str, Any]]:
        items = self._all(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=_item(
                {":e": registration["event_id"], ":p": f"{MAIL_PREFIX}{registration['registration_id']}#"}
            ),
            ConsistentRead=True,
        )
        return [_plain(item) for item in items]

    def marker_of(self, registration: dict[str, Any]) -> dict[str, Any] | None:
        response = self._db().get_item(
            TableName=self.table_name,
            Key=_item({"event_id": registration["event_id"], "sk": EMAIL_PREFIX + registration["email"].lower()}),
            ConsistentRead=True,
        )
        marker = _plain(response["Item"]) if "Item" in response else None
        return marker if marker and marker.get("registration_id") == registration["registration_id"] else None

    def erase_registration(self, registration: dict[str, Any], promote: dict[str, Any] | None, at: str) -> None:
        """In one transaction: the registration and its marker are deleted, and its seat goes to
        `promote` or back to the event. Deleting (not cancelling) sends nobody a mail about it.

        Raises `ClaimLost` when either registration changed meanwhile (look again)."""
        actions: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self.table_name,
                    "Key": _registration_key(registration["event_id"], registration["registration_id"]),
                    "ConditionExpression": "#status = :was",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": _item({":was": registration["status"]}),
                }
            }
        ]
        if registration["status"] != "cancelled":  # a cancelled one's marker is gone already
            actions.append(self._marker_release(registration))
        actions += self._seat_handover(registration, promote, at)
        self._transact_release(actions)

    def delete_mail_records(self, registration: dict[str, Any]) -> int:
        records = self.mail_records(registration)
        for record in records:
            self._db().delete_item(
                TableName=self.table_name, Key=_item({"event_id": record["event_id"], "sk": record["sk"]})
            )
        return len(records)

    def _marker_release(self, registration: dict[str, Any]) -> dict[str, Any]:
        """Delete the one-per-address marker, if it is still this registration's."""
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": _item(
                    {"event_id": registration["event_id"], "sk": EMAIL_PREFIX + registration["email"].lower()}
                ),
                "ConditionExpression": "registration_id = :id",
                "ExpressionAttributeValues": _item({":id": registration["registration_id"]}),
            }
        }

    def _transact_release(self, actions: list[dict[str, Any]]) -> None:
        try:
            self._transact(actions)
        except _Cancelled as exc:
            if "ConditionalCheckFailed" in exc.codes:
                raise ClaimLost() from None
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None

    def _seat_handover(
        self, registration: dict[str, Any], promote: dict[str, Any] | None, at: str
    ) -> list[dict[str, Any]]:
        """What leaving does to the event: a confirmed seat goes to `promote` (the first
        waitlisted) or back to the event; a waiting-list place just empties.

        The conditions keep "nobody waits while a seat is free" whatever commits meanwhile:
        the seat goes back only while nobody waits (someone who joined the list after the
        caller looked fails it, and the caller looks again), and it is handed over only to
        someone still waiting (nobody can join the list ahead of them: numbers only grow)."""
        event_id = registration["event_id"]
        if registration["status"] == "waitlisted":
            return [self._count("waiting_count", -1, event_id, condition="#counter > :zero")]
        if registration["status"] != "confirmed":
            return []
        if promote is None:
            waiting = {"#waiting": "waiting_count"}
            nobody_waits = "attribute_not_exists(#waiting) OR #waiting = :zero"
            return [self._count("confirmed_count", -1, event_id, condition=nobody_waits, names=waiting)]
        return [self._promotion(promote, at), self._count("waiting_count", -1, event_id, condition="#counter > :zero")]

    def _promotion(self, registration: dict[str, Any], at: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _registration_key(registration["event_id"], registration["registration_id"]),
                "UpdateExpression": "SET #status = :confirmed, promoted_at = :at",
                "ConditionExpression": "#status = :waitlisted",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": _item({":confirmed": "confirmed", ":at": at, ":waitlisted": "waitlisted"}),
            }
        }

    def _count(
        self, counter: str, change: int, event_id: str, *, condition: str, names: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _item({"event_id": event_id, "sk": EVENT_SK}),
                "UpdateExpression": "ADD #counter :change",
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#counter": counter, **(names or {})},
                "ExpressionAttributeValues": _item({":change": change, ":zero": 0}),
            }
        }

    def promote(self, first_in_line: list[dict[str, Any]], record: EventRecord, at: str) -> None:
        """Give free seats to `first_in_line` (the first waitlisted, in order; at most 99) in one
        transaction, after capacity was raised.

        Raises `ClaimLost` if any of them is no longer waiting, the capacity changed from
        `record`'s or fewer seats are free than people to move up (look again)."""
        count = len(first_in_line)
        names = {"#confirmed": "confirmed_count", "#waiting": "waiting_count", "#capacity": "capacity"}
        values: dict[str, Any] = {":up": count, ":down": -count}
        if record.event.capacity is None:
            seats_free = "attribute_not_exists(#capacity)"
        else:
            # No arithmetic in conditions: "capacity as read and confirmed + count <= capacity".
            seats_free = "#capacity = :capacity AND #confirmed <= :room"
            values |= {":capacity": record.event.capacity, ":room": record.event.capacity - count}
        seats = {
            "Update": {
                "TableName": self.table_name,
                "Key": _item({"event_id": record.event.event_id, "sk": EVENT_SK}),
                "UpdateExpression": "ADD #confirmed :up, #waiting :down",
                "ConditionExpression": f"{seats_free} AND #waiting >= :up",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": _item(values),
            }
        }
        self._transact_release([*(self._promotion(waiting, at) for waiting in first_in_line), seats])

    # --- the mail function ---------------------------------------------------------------------
    def changed_registration(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The new state of a registration from a stream record; None for any other item or a removal."""
        image = record.get("dynamodb", {}).get("NewImage")
        if not image or not image.get("sk", {}).get("S", "").startswith(REGISTRATION_PREFIX):
            return None
        return _registration_values(image)

    def claim_mail(
        self, registration: dict[str, Any], kind: str, now: datetime, *, retry_failed: bool = False
    ) -> MailRow | None:
        """Take the right to send mail `kind` about `registration`: None when taken, else the
        row that stands in the way (sent, being sent, failed for good, or suppressed), or
        `GONE` when the registration itself is gone (erased: nothing more about it is sent).
        `retry_failed` takes a failed one too (a replay an admin asked for).

        One transaction with a check that the registration still exists, so a claim cannot
        follow an erasure that the stream record (an older image) knows nothing of."""
        moment = int(now.timestamp())
        condition = "attribute_not_exists(sk) OR (mail_state = :sending AND claimed_at < :stale)"
        if retry_failed:
            condition += " OR mail_state = :failed"
        claim = {
            "Put": {
                "TableName": self.table_name,
                "Item": _item(
                    {
                        "event_id": registration["event_id"],
                        "sk": _mail_sk(registration, kind),
                        "mail_state": "sending",
                        "claimed_at": moment,
                        TTL_ATTRIBUTE: registration.get(TTL_ATTRIBUTE),
                    }
                ),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": _item(
                    {
                        ":sending": "sending",
                        ":stale": moment - MAIL_CLAIM_LEASE_SECONDS,
                        **({":failed": "failed"} if retry_failed else {}),
                    }
                ),
                # The row in the way comes back with the refusal: no second read to learn why.
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        still_there = {
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": _registration_key(registration["event_id"], registration["registration_id"]),
                "ConditionExpression": "attribute_exists(sk)",
            }
        }
        try:
            self._transact([claim, still_there])
        except _Cancelled as exc:
            if exc.codes[1] == "ConditionalCheckFailed":
                return GONE
            if exc.codes[0] == "ConditionalCheckFailed":
                old = _plain(exc.items[0] or {})
                return MailRow(str(old.get("mail_state", "sending")), old.get("failure_reason"))
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None
        return None

    def mark_mail_sent(self, registration: dict[str, Any], kind: str, message_id: str, now: datetime) -> bool:
        """Record mail `kind` as sent; False when its claim is gone (erased meanwhile: nothing is
        written back about the person)."""
        return self._update_existing_mail(
            registration,
            kind,
            UpdateExpression="SET mail_state = :sent, sent_at = :at, ses_message_id = :id",
            ExpressionAttributeValues=_item({":sent": "sent", ":at": utc_iso(now), ":id": message_id}),
        )

    def mark_mail_failed(self, registration: dict[str, Any], kind: str, reason: str, now: datetime) -> bool:
        """Park a claimed mail that can never go: no retry takes it unless an admin asks."""
        return self._update_existing_mail(
            registration,
            kind,
            UpdateExpression="SET mail_state = :failed, failure_reason = :reason, failed_at = :at",
            ExpressionAttributeValues=_item({":failed": "failed", ":reason": reason, ":at": utc_iso(now)}),
        )

    def mark_mail_suppressed(self, registration: dict[str, Any], kind: str, now: datetime) -> bool:
        """A claimed mail not sent because its recipient complained about our mails."""
        return self._update_existing_mail(
            registration,
            kind,
            UpdateExpression="SET mail_state = :suppressed, failed_at = :at",
            ExpressionAttributeValues=_item({":suppressed": "suppressed", ":at": utc_iso(now)}),
        )

    def release_mail(self, registration: dict[str, Any], kind: str) -> None:
        """Give a claim back after a failed send, so the retry may take it."""
        try:
            self._db().delete_item(
                TableName=self.table_name,
                Key=_item({"event_id": registration["event_id"], "sk": _mail_sk(registration, kind)}),
                ConditionExpression="mail_state = :sending",
                ExpressionAttributeValues=_item({":sending": "sending"}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # else: erased meanwhile, nothing to give back

    def _update_existing_mail(self, registration: dict[str, Any], kind: str, **update: Any) -> bool:
        # An UpdateItem on a missing key creates the item: the condition keeps erased rows erased.
        try:
            self._db().update_item(
                TableName=self.table_name,
                Key=_item({"event_id": registration["event_id"], "sk": _mail_sk(registration, kind)}),
                ConditionExpression="attribute_exists(sk)",
                **update,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # --- what SES reports back (bounces and complaints) ---------------------------------------
    def mark_mail_problem(self, registration: dict[str, Any], problem: str, detail: str, at: str) -> bool:
        """Note on `registration` that mail to it bounced or drew a complaint; the stream takes
        the change to the mail function (which tells the organisers of a bounce).

        A complaint also keeps every later mail of this event from the address, even after it
        registers again. False when the registration is gone meanwhile or (for a bounce) was
        marked already: the organisers are told once."""
        update = {
            "TableName": self.table_name,
            "Key": _registration_key(registration["event_id"], registration["registration_id"]),
            "UpdateExpression": "SET mail_problem = :problem, mail_problem_detail = :detail, mail_problem_at = :at",
            "ConditionExpression": "attribute_exists(sk)"
            + (" AND attribute_not_exists(mail_problem)" if problem == "bounced" else ""),
            "ExpressionAttributeValues": _item({":problem": problem, ":detail": detail, ":at": at}),
        }
        actions: list[dict[str, Any]] = [{"Update": update}]
        if problem == "complaint":
            marker = {
                "event_id": registration["event_id"],
                "sk": COMPLAINT_PREFIX + registration["email"].lower(),
                "complained_at": at,
                TTL_ATTRIBUTE: registration.get(TTL_ATTRIBUTE),  # kept no longer than the registration
            }
            actions.append({"Put": {"TableName": self.table_name, "Item": _item(marker)}})
        try:
            self._transact(actions)
        except _Cancelled as exc:
            if exc.codes[0] == "ConditionalCheckFailed":
                return False
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None
        return True

    def complained(self, event_id: str, email: str) -> bool:
        """Whether `email` marked a mail about `event_id` as spam."""
        response = self._db().get_item(
            TableName=self.table_name,
            Key=_item({"event_id": event_id, "sk": COMPLAINT_PREFIX + email.lower()}),
            ConsistentRead=True,
        )
        return "Item" in response

    def forget_complaint(self, event_id: str, email: str) -> bool:
        """Erase the complaint row of `email` in `event_id` (it holds the address); True if there was one."""
        response = self._db().delete_item(
            TableName=self.table_name,
            Key=_item({"event_id": event_id, "sk": COMPLAINT_PREFIX + email.lower()}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        # Concurrent transactions on one event's counter conflict; DynamoDB
        # expects the caller to retry with jittered backoff.
        for attempt in range(MAX_TRANSACTION_ATTEMPTS):
            try:
                # The token makes botocore's own retries (after a timeout, a 500) idempotent: a
                # request that committed but whose answer was lost is answered as done, not
                # applied again. botocore would add one itself; the guarantee is stated here.
                # Each attempt of this loop is a new request, after a definite "not done".
                self._db().transact_write_items(TransactItems=actions, ClientRequestToken=str(uuid.uuid4()))
                return
            except ClientError as exc:  # transient failures arrive as StoreUnavailable
                reasons = _cancellation_reasons(exc)
                if reasons is None:
                    raise
                if not any(reason.get("Code") == "TransactionConflict" for reason in reasons):
                    raise _Cancelled(reasons) from None
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not secrecy
        raise StoreUnavailable("transaction conflicts persisted")


def _event_record(values: dict[str, Any]) -> EventRecord:
    return EventRecord(
        event=Event.model_validate_json(values["definition"]),
        confirmed=values.get("confirmed_count", 0),
        waitlisted=values.get("waitlisted_count", 0),
        waiting=values.get("waiting_count", 0),
    )


def _registration_key(event_id: str, registration_id: str) -> dict[str, Any]:
    return _item({"event_id": event_id, "sk": REGISTRATION_PREFIX + registration_id})


def _mail_sk(registration: dict[str, Any], kind: str) -> str:
    return f"{MAIL_PREFIX}{registration['registration_id']}#{kind}"


def _registration_values(item: dict[str, Any]) -> dict[str, Any]:
    values = _plain(item)
    values.pop("sk", None)
    return values


def _claim(claim: Claim) -> dict[str, Any]:
    """The counter update and condition for `claim` on the event item."""
    names = {
        "#confirmed": "confirmed_count",
        "#waitlisted": "waitlisted_count",
        "#waiting": "waiting_count",
        "#capacity": "capacity",
    }
    if isinstance(claim, Seat):
        # A free seat goes to a newcomer only while nobody waits for it (with or without a
        # limit: people still wait for a moment after the limit is lifted).
        return {
            "UpdateExpression": "ADD #confirmed :one",
            "ConditionExpression": (
                "attribute_exists(sk) AND (attribute_not_exists(#waiting) OR #waiting = :zero) AND "
                "(attribute_not_exists(#capacity) OR #confirmed < #capacity)"
            ),
            "ExpressionAttributeNames": {k: names[k] for k in ("#confirmed", "#waiting", "#capacity")},
            "ExpressionAttributeValues": _item({":one": 1, ":zero": 0}),
        }
    # Places are handed out one after another: each claim names the place it
    # expects to be next, so positions are unique and gap-free in commit order.
    # Only while no seat is free: a seat given back meanwhile goes to this registrant instead.
    return {
        "UpdateExpression": "SET #waitlisted = :position ADD #waiting :one",
        "ConditionExpression": (
            "#waitlisted = :previous AND #confirmed >= #capacity AND "
            "(#waiting = :ahead OR (attribute_not_exists(#waiting) AND :ahead = :zero))"
        ),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": _item(
            {":position": claim.position, ":previous": claim.position - 1, ":one": 1, ":zero": 0, ":ahead": claim.ahead}
        ),
    }


class _Classifying:
    """Wraps a boto3 client: a throttled, failing or unreachable DynamoDB raises
    `StoreUnavailable`; every other error passes as it is."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("get_waiter"):
            return method

        def call(**request: Any) -> Any:
            try:
                return method(**request)
            except (ClientError, BotoCoreError) as exc:
                _raise_classified(exc)

        return call


class _Cancelled(Exception):
    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        self.codes = [reason.get("Code", "None") for reason in reasons]
        super().__init__(self.codes)
        # The items whose conditions failed, where an action asked for ALL_OLD.
        self.items = [reason.get("Item") for reason in reasons]


def _cancellation_reasons(exc: ClientError) -> list[dict[str, Any]] | None:
    if exc.response["Error"]["Code"] != "TransactionCanceledException":
        return None
    return list(exc.response.get("CancellationReasons") or [])


def _raise_classified(exc: Exception) -> NoReturn:
    """Raise `StoreUnavailable` for a transient failure, else `exc` itself."""
    if isinstance(exc, BotoCoreError):
        raise StoreUnavailable(str(exc)) from exc
    if isinstance(exc, ClientError) and exc.response["Error"]["Code"] in _TRANSIENT_CODES:
        raise StoreUnavailable(exc.response["Error"]["Code"]) from exc
    raise exc
