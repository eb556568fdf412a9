"""Mail rows: each mail about a registration (or about the event as a whole) claimed before it is
sent and marked after (exactly once), parked when it can never go; and what SES reported about a
person's mail.

Every method takes the mail's owner as a dict with `event_id` and `registration_id` (a stored
registration, or `event_owner(...)` for the event's own mails: its closing mail, its digests)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import ClientError

from chalicelib.model.registration import Registration, utc_iso
from chalicelib.store.codec import condition_failed, item, plain
from chalicelib.store.keys import (
    EVENT_MAILS,
    MAIL_PREFIX,
    TTL_ATTRIBUTE,
    complaint_key,
    complaint_sk,
    mail_of,
    mail_owner_key,
    mail_sk,
    registration_key,
)
from chalicelib.store.store_errors import Cancelled, StoreUnavailable
from chalicelib.store.table import Table

# A claim older than this whose mail was never marked sent (the sender died
# mid-send) may be taken again: at worst one duplicate, never a lost mail.
MAIL_CLAIM_LEASE_SECONDS = 300


@dataclass(frozen=True)
class MailRow:
    """What a mail row says of its mail: `sending`, `sent`, `failed` (with a reason code from
    `mail.failures`) or `suppressed` (the recipient complained)."""

    state: str
    reason: str | None = None


# `MailRows.claim`'s answer when the registration is gone: erased, so nothing more is sent about it.
GONE = MailRow("gone")


class MailOwner(Protocol):
    """Whom a mail row is about: a `Registration`, or an event as a whole (`EventMails`)."""

    @property
    def event_id(self) -> str: ...
    @property
    def registration_id(self) -> str: ...
    @property
    def expires_at(self) -> int | None: ...


@dataclass(frozen=True)
class EventMails:
    """The owner of the mails about an event as a whole (its closing mail, its digests); their
    rows expire with its registrations' (`expires_at`, epoch seconds)."""

    event_id: str
    expires_at: int
    registration_id: str = EVENT_MAILS


def event_owner(event_id: str, expires_at: int) -> EventMails:
    return EventMails(event_id, expires_at)


class MailRows:
    def __init__(self, table: Table) -> None:
        self.table = table

    def claim(self, owner: MailOwner, kind: str, now: datetime, *, retry_failed: bool = False) -> MailRow | None:
        """Take the right to send mail `kind` about `owner`: None when taken, else the
        row that stands in the way (sent, being sent, failed for good, or suppressed), or
        `GONE` when the registration itself is gone (erased: nothing more about it is sent).
        `retry_failed` takes a failed one too (a replay an admin asked for).

        One transaction with a check that the registration (for the event's own mails: the
        event) still exists, so a claim cannot follow an erasure that the stream record (an
        older image) knows nothing of."""
        moment = int(now.timestamp())
        condition = "attribute_not_exists(sk) OR (mail_state = :sending AND claimed_at < :stale)"
        values = {":sending": "sending", ":stale": moment - MAIL_CLAIM_LEASE_SECONDS}
        if retry_failed:
            condition += " OR mail_state = :failed"
            values[":failed"] = "failed"
        # Names this claim, so that one whose answer was lost can be recognised as ours.
        claim_id = uuid.uuid4().hex
        row = {
            "event_id": owner.event_id,
            "sk": mail_sk(owner.registration_id, kind),
            "mail_state": "sending",
            "claimed_at": moment,
            "claim_id": claim_id,
            TTL_ATTRIBUTE: owner.expires_at,
        }
        actions = {
            "claim": {
                "Put": {
                    "Item": item(row),
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": item(values),
                    # The row in the way comes back with the refusal: no second read to learn why.
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            "registration": {
                "ConditionCheck": {
                    "Key": mail_owner_key(owner.event_id, owner.registration_id),
                    "ConditionExpression": "attribute_exists(sk)",
                }
            },
        }
        try:
            self.table.transact(actions)
        except Cancelled as exc:
            if "registration" in exc.failed:
                return GONE
            if "claim" in exc.failed:
                old = exc.old.get("claim", {})
                return MailRow(str(old.get("mail_state", "sending")), old.get("failure_reason"))
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None
        except StoreUnavailable:
            # It may have committed with its answer lost: the retry would then find its own
            # claim "being sent" and send nothing. Read back (docs/design.md, "Ambiguous outcomes").
            if self._claim_of(owner, kind) != claim_id:
                raise
        return None

    def _claim_of(self, owner: MailOwner, kind: str) -> str | None:
        """The id of the claim that holds mail `kind` about `owner` now, read consistently."""
        response = self.table.db().get_item(
            TableName=self.table.name,
            Key=item({"event_id": owner.event_id, "sk": mail_sk(owner.registration_id, kind)}),
            ConsistentRead=True,
        )
        return plain(response.get("Item", {})).get("claim_id")

    def mark_sent(self, owner: MailOwner, kind: str, message_id: str, now: datetime) -> bool:
        """Record mail `kind` as sent; False when its claim is gone (erased meanwhile: nothing is
        written back about the person)."""
        return self._update(
            owner,
            kind,
            "SET mail_state = :sent, sent_at = :at, ses_message_id = :id",
            {":sent": "sent", ":at": utc_iso(now), ":id": message_id},
        )

    def mark_failed(self, owner: MailOwner, kind: str, reason: str, now: datetime) -> bool:
        """Park a claimed mail that can never go: no retry takes it unless an admin asks."""
        return self._update(
            owner,
            kind,
            "SET mail_state = :failed, failure_reason = :reason, failed_at = :at",
            {":failed": "failed", ":reason": reason, ":at": utc_iso(now)},
        )

    def mark_suppressed(self, owner: MailOwner, kind: str, now: datetime) -> bool:
        """A claimed mail not sent because its recipient complained about our mails."""
        return self._update(
            owner,
            kind,
            "SET mail_state = :suppressed, failed_at = :at",
            {":suppressed": "suppressed", ":at": utc_iso(now)},
        )

    def mark_reported(self, owner: MailOwner, kind: str, digest: str, now: datetime) -> bool:
        """Record the organisers' notice `kind` about `owner` as told in the event's mail `digest`
        (the digest of a day) rather than sent on its own; False when its claim is gone."""
        return self._update(
            owner,
            kind,
            "SET mail_state = :sent, sent_at = :at, reported_in = :digest",
            {":sent": "sent", ":at": utc_iso(now), ":digest": digest},
        )

    def release(self, owner: MailOwner, kind: str) -> None:
        """Give a claim back after a failed send, so the retry may take it."""
        try:
            self.table.db().delete_item(
                TableName=self.table.name,
                Key=item({"event_id": owner.event_id, "sk": mail_sk(owner.registration_id, kind)}),
                ConditionExpression="mail_state = :sending",
                ExpressionAttributeValues=item({":sending": "sending"}),
            )
        except ClientError as exc:
            if not condition_failed(exc):
                raise  # else: erased meanwhile, nothing to give back

    def records_of(self, owner: MailOwner) -> list[dict[str, Any]]:
        """Every mail row about `owner`."""
        items = self.table.every(
            "query",
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ExpressionAttributeValues=item({":e": owner.event_id, ":p": f"{MAIL_PREFIX}{owner.registration_id}#"}),
            ConsistentRead=True,
        )
        return [plain(i) for i in items]

    def states_of_event(self, event_id: str) -> dict[tuple[str, str], str]:
        """The state of every mail row of `event_id` (its registrations' and its own), by
        (registration id or `EVENT_MAILS`, kind): one Query."""
        items = self.table.every(
            "query",
            KeyConditionExpression="event_id = :e AND begins_with(sk, :p)",
            ProjectionExpression="sk, mail_state",
            ExpressionAttributeValues=item({":e": event_id, ":p": MAIL_PREFIX}),
            ConsistentRead=True,
        )
        return {mail_of(row["sk"]): str(row.get("mail_state", "")) for row in map(plain, items)}

    def delete_records(self, owner: MailOwner) -> int:
        records = self.records_of(owner)
        for record in records:
            self.table.db().delete_item(
                TableName=self.table.name, Key=item({"event_id": record["event_id"], "sk": record["sk"]})
            )
        return len(records)

    # --- what SES reports back ---------------------------------------------------------------
    def mark_problem(self, registration: Registration, problem: str, detail: str, at: str) -> bool:
        """Note on `registration` that mail to it bounced or drew a complaint; the stream takes
        the change to the mail function (which tells the organisers of a bounce).

        A complaint also keeps every later mail of this event from the address, even after it
        registers again. False when the registration is gone meanwhile or (for a bounce) was
        marked already: the organisers are told once."""
        actions: dict[str, dict[str, Any]] = {
            "registration": {
                "Update": {
                    "Key": registration_key(registration.event_id, registration.registration_id),
                    "UpdateExpression": "SET mail_problem = :problem, mail_problem_detail = :detail, "
                    "mail_problem_at = :at",
                    "ConditionExpression": "attribute_exists(sk)"
                    + (" AND attribute_not_exists(mail_problem)" if problem == "bounced" else ""),
                    "ExpressionAttributeValues": item({":problem": problem, ":detail": detail, ":at": at}),
                }
            }
        }
        if problem == "complaint":
            marker = {
                "event_id": registration.event_id,
                "sk": complaint_sk(registration.email),
                "complained_at": at,
                TTL_ATTRIBUTE: registration.expires_at,  # kept no longer than the registration
            }
            actions["complaint"] = {"Put": {"Item": item(marker)}}
        try:
            self.table.transact(actions)
        except Cancelled as exc:
            if "registration" in exc.failed:
                return False
            raise StoreUnavailable(f"transaction cancelled: {exc.codes}") from None
        return True

    def complained(self, event_id: str, email: str) -> bool:
        """Whether `email` marked a mail about `event_id` as spam."""
        response = self.table.db().get_item(
            TableName=self.table.name, Key=complaint_key(event_id, email), ConsistentRead=True
        )
        return "Item" in response

    def forget_complaint(self, event_id: str, email: str) -> bool:
        """Erase the complaint row of `email` in `event_id` (it holds the address); True if there was one."""
        response = self.table.db().delete_item(
            TableName=self.table.name, Key=complaint_key(event_id, email), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    def _update(self, owner: MailOwner, kind: str, expression: str, values: dict[str, Any]) -> bool:
        # An UpdateItem on a missing key creates the item: the condition keeps erased rows erased.
        try:
            self.table.db().update_item(
                TableName=self.table.name,
                Key=item({"event_id": owner.event_id, "sk": mail_sk(owner.registration_id, kind)}),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeValues=item(values),
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True
