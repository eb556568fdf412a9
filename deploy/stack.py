"""Create or update the CloudFormation stack through a change set, and wait for the outcome.

A change set rather than create_stack/update_stack: one path for both, and "nothing to
change" is an answer of its own rather than an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from deploy import DeployError

# CAPABILITY_IAM: the template makes roles (without fixed names, so not NAMED_IAM);
# CAPABILITY_AUTO_EXPAND: Chalice's template is a SAM template, expanded by a transform.
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
SUCCEEDED = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
# How CloudFormation words "this change set would change nothing" (describe_change_set's
# StatusReason, or the error of a request that compares templates itself).
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# Resources CloudFormation stopped because another one failed: effects, not causes.
CANCELLED = ("Resource creation cancelled", "Resource update cancelled", "Resource deletion cancelled")


@dataclass(frozen=True)
class Deployed:
    """The outcome: "created", "updated" or "unchanged", and the stack's outputs."""

    action: str
    outputs: dict[str, str]


class StackDeployer:
    """One stack in one region. `sleep` and `clock` are injectable so tests do not wait."""

    def __init__(
        self,
        cfn: BaseClient,
        stack: str,
        region: str,
        out: TextIO,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        poll_seconds: float = 5.0,
        timeout_seconds: float = 3600.0,
    ) -> None:
        self.cfn = cfn
        self.stack = stack
        self.region = region
        self.out = out
        self.sleep = sleep
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds

    # --- the whole operation ------------------------------------------------------------------
    def deploy(self, template_url: str, given: Mapping[str, str], declared: Iterable[str]) -> Deployed:
        """Create or update the stack from the template at `template_url`.

        `given` are the parameters chosen now; on an update every other parameter the
        template `declared` keeps the value the stack has (as `aws cloudformation deploy`
        does), so a `SetApiGatewayLoggingRole=no` given once is not undone next time.
        """
        current = self._describe()
        if current is not None and current["StackStatus"] == "ROLLBACK_COMPLETE":
            self._say(
                f"The stack {self.stack} is ROLLBACK_COMPLETE: its first creation failed and nothing of it is left;"
                " deleting the empty stack to create it again."
            )
            self._delete_empty_stack()
            current = None
        if current is not None:
            self._refuse_unusable(current["StackStatus"])
        # REVIEW_IN_PROGRESS: a stack that exists only as a change set never executed.
        creating = current is None or current["StackStatus"] == "REVIEW_IN_PROGRESS"
        previous = set() if creating else {p["ParameterKey"] for p in current.get("Parameters", [])}
        parameters = [{"ParameterKey": key, "ParameterValue": value} for key, value in sorted(given.items())]
        parameters += [
            {"ParameterKey": key, "UsePreviousValue": True} for key in sorted((set(declared) & previous) - set(given))
        ]
        change_set = self._create_change_set(template_url, parameters, creating)
        if change_set is None:
            self._say(f"Nothing to change: the stack {self.stack} already runs this build with these parameters.")
            return Deployed("unchanged", self._outputs())
        if not creating:
            self._print_changes(change_set)
        marker = self._newest_event_id()
        self._say(f"{'Creating' if creating else 'Updating'} the stack {self.stack} in {self.region} …")
        # RetainExceptOnCreate: the table and the link secret are kept when the stack is deleted
        # (DeletionPolicy Retain), but when the operation that created them rolls back they are
        # new and empty; kept, they would block the next attempt ("registrations already exists").
        self.cfn.execute_change_set(ChangeSetName=change_set["ChangeSetId"], RetainExceptOnCreate=True)
        status, events = self._wait_for_stack(marker)
        if status not in SUCCEEDED:
            raise DeployError(self._failure_report(status, events))
        return Deployed("created" if creating else "updated", self._outputs())

    # --- the stack ----------------------------------------------------------------------------
    def _describe(self) -> dict[str, Any] | None:
        try:
            return self.cfn.describe_stacks(StackName=self.stack)["Stacks"][0]
        except ClientError as exc:
            if _error_code(exc) == "ValidationError" and "does not exist" in _error_message(exc):
                return None
            raise

    def _outputs(self) -> dict[str, str]:
        stack = self._describe() or {}
        return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}

    def _refuse_unusable(self, status: str) -> None:
        where = f"--stack-name {self.stack} --region {self.region}"
        if status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
            raise DeployError(
                f"The stack {self.stack} is busy ({status}): another deployment or a deletion is running.\n"
                "Wait until it ends (CloudFormation console → Stacks), then run make deploy again."
            )
        if status == "UPDATE_ROLLBACK_FAILED":
            raise DeployError(
                f"The stack {self.stack} is UPDATE_ROLLBACK_FAILED: a failed update could not be undone.\n"
                f"Fix what its events name, then: aws cloudformation continue-update-rollback {where}\n"
                "and run make deploy again once it is UPDATE_ROLLBACK_COMPLETE."
            )
        if status in ("ROLLBACK_FAILED", "DELETE_FAILED"):
            raise DeployError(
                f"The stack {self.stack} is {status}: it cannot be updated. Delete it in the CloudFormation console"
                " (keeping what cannot be deleted), then run make deploy again."
            )

    def _delete_empty_stack(self) -> None:
        self.cfn.delete_stack(StackName=self.stack)
        deadline = self.clock() + self.timeout_seconds
        while True:
            stack = self._describe()
            if stack is None or stack["StackStatus"] == "DELETE_COMPLETE":
                return
            if stack["StackStatus"] == "DELETE_FAILED":
                raise DeployError(
                    f"Could not delete the rolled-back stack {self.stack}: {stack.get('StackStatusReason', '')}"
                )
            if self.clock() > deadline:
                raise DeployError(f"The rolled-back stack {self.stack} is still being deleted; try again later.")
            self.sleep(self.poll_seconds)

    # --- the change set -----------------------------------------------------------------------
    def _create_change_set(
        self, template_url: str, parameters: list[dict[str, Any]], creating: bool
    ) -> dict[str, Any] | None:
        """The change set once CloudFormation has worked it out; None when it changes nothing."""
        try:
            created = self.cfn.create_change_set(
                StackName=self.stack,
                ChangeSetName=f"deploy-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}",
                ChangeSetType="CREATE" if creating else "UPDATE",
                TemplateURL=template_url,
                Parameters=parameters,
                Capabilities=CAPABILITIES,
                Description="make deploy",
            )
        except ClientError as exc:
            if _is_no_change(_error_message(exc)):
                return None
            raise DeployError(f"CloudFormation refused the change: {_error_message(exc)}") from None
        change_set = self._wait_for_change_set(created["Id"])
        if change_set["Status"] != "FAILED":
            return change_set
        reason = change_set.get("StatusReason", "")
        if _is_no_change(reason):
            # An empty change set stays listed on the stack until deleted: tidy it away.
            self.cfn.delete_change_set(ChangeSetName=created["Id"])
            return None
        raise DeployError(f"CloudFormation could not prepare the change: {reason}")

    def _wait_for_change_set(self, change_set_id: str) -> dict[str, Any]:
        deadline = self.clock() + self.timeout_seconds
        while True:
            change_set = self.cfn.describe_change_set(ChangeSetName=change_set_id)
            if change_set["Status"] in ("CREATE_COMPLETE", "FAILED"):
                break
            if self.clock() > deadline:
                raise DeployError(f"CloudFormation is still preparing the change set {change_set_id}; try again later.")
            self.sleep(self.poll_seconds)
        changes = list(change_set.get("Changes", []))
        token = change_set.get("NextToken")
        while token:  # a change set lists its changes a page at a time
            page = self.cfn.describe_change_set(ChangeSetName=change_set_id, NextToken=token)
            changes += page.get("Changes", [])
            token = page.get("NextToken")
        return {**change_set, "Changes": changes}

    def _print_changes(self, change_set: Mapping[str, Any]) -> None:
        changes = [change["ResourceChange"] for change in change_set["Changes"] if "ResourceChange" in change]
        self._say(f"{len(changes)} resource(s) change:")
        for change in changes:
            replaced = {"True": ", replaced", "Conditional": ", maybe replaced"}.get(change.get("Replacement", ""), "")
            self._say(
                f"  {change['Action']:<7} {change['LogicalResourceId']} ({change.get('ResourceType', '?')}{replaced})"
            )

    # --- waiting and events -------------------------------------------------------------------
    def _newest_event_id(self) -> str | None:
        events = self.cfn.describe_stack_events(StackName=self.stack).get("StackEvents", [])
        return events[0]["EventId"] if events else None

    def _events_since(self, marker: str | None) -> list[dict[str, Any]]:
        """The stack's events after `marker`, oldest first."""
        newer: list[dict[str, Any]] = []
        token = None
        while True:
            page = self.cfn.describe_stack_events(StackName=self.stack, **({"NextToken": token} if token else {}))
            for event in page.get("StackEvents", []):  # newest first
                if event["EventId"] == marker:
                    return newer[::-1]
                newer.append(event)
            token = page.get("NextToken")
            if not token:
                return newer[::-1]

    def _wait_for_stack(self, marker: str | None) -> tuple[str, list[dict[str, Any]]]:
        """Print the operation's events as they come; return the final status and all its events."""
        deadline = self.clock() + self.timeout_seconds
        shown: list[dict[str, Any]] = []
        while True:
            stack = self._describe()
            status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
            # Events after the status: everything up to this status is then among them.
            for event in self._events_since(marker)[len(shown) :]:
                shown.append(event)
                self._say(_event_line(event))
            if not status.endswith("_IN_PROGRESS"):
                return status, shown
            if self.clock() > deadline:
                raise DeployError(
                    f"The stack {self.stack} is still {status} after {self.timeout_seconds / 60:.0f} minutes."
                    " CloudFormation goes on: watch it in the console (Stacks → Events)."
                )
            self.sleep(self.poll_seconds)

    def _failure_report(self, status: str, events: list[dict[str, Any]]) -> str:
        failed = [event for event in events if event["ResourceStatus"].endswith("_FAILED")]
        causes = [
            event
            for event in failed
            if event.get("ResourceType") != "AWS::CloudFormation::Stack"
            and not event.get("ResourceStatusReason", "").startswith(CANCELLED)
        ]
        lines = [f"The deployment failed: the stack {self.stack} is {status}."]
        if causes:
            lines.append("What failed (the first cause first):")
            lines += [
                f"  {event['LogicalResourceId']} ({event.get('ResourceType', '?')}):"
                f" {event.get('ResourceStatusReason', 'no reason given')}"
                for event in causes
            ]
        else:
            reasons = [event["ResourceStatusReason"] for event in failed if event.get("ResourceStatusReason")]
            lines.append("CloudFormation names no failed resource" + (f": {reasons[0]}" if reasons else "."))
        if status == "ROLLBACK_COMPLETE":
            lines.append(
                "Nothing of this attempt is left; the next make deploy removes the empty stack and starts again."
            )
        elif status == "UPDATE_ROLLBACK_COMPLETE":
            lines.append("The stack is back at its previous version and still serves.")
        lines.append(
            "All events: CloudFormation console → Stacks → "
            f"{self.stack} → Events, or aws cloudformation describe-stack-events --stack-name {self.stack}"
            f" --region {self.region}"
        )
        return "\n".join(lines)

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)


def _event_line(event: Mapping[str, Any]) -> str:
    stamp = event["Timestamp"].strftime("%H:%M:%S") if hasattr(event.get("Timestamp"), "strftime") else ""
    reason = event.get("ResourceStatusReason")
    line = f"  {stamp} {event['ResourceStatus']:<22} {event.get('ResourceType', '')} {event['LogicalResourceId']}"
    return f"{line}: {reason}" if reason else line


def _is_no_change(reason: str) -> bool:
    return any(phrase in reason for phrase in NO_CHANGES)


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _error_message(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Message", str(exc))
