"""The CloudFormation calls, in order, for each path a deployment can take (botocore's Stubber).

moto runs a change set at once and never fails, rolls back or finds nothing to change, so
these paths are asserted as the exact sequence of calls and the answers AWS documents.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import ANY, Stubber

from deploy import DeployError
from deploy.stack import CAPABILITIES, StackDeployer
from tests.deploy.conftest import REGION, client

NAME = "event-registration"
STACK_ID = f"arn:aws:cloudformation:{REGION}:123456789012:stack/{NAME}/0f1e"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:123456789012:changeSet/deploy-1/9a8b"
URL = f"https://bucket.s3.{REGION}.amazonaws.com/{NAME}/0123abcd.template.json"
GIVEN = {"SenderEmail": "anmeldung@your-ngo.org", "AlertEmail": "it@your-ngo.org"}
DECLARED = ["SenderEmail", "AlertEmail", "SetApiGatewayLoggingRole", "LogRetentionDays", "ThrottlingRateLimit"]
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OUTPUTS = {"EndpointURL": f"https://abc123.execute-api.{REGION}.amazonaws.com/api/", "TableName": "registrations"}


def stack(status, parameters=(), outputs=None):
    return {
        "StackName": NAME,
        "StackId": STACK_ID,
        "CreationTime": T0,
        "StackStatus": status,
        "Parameters": [{"ParameterKey": key, "ParameterValue": "x"} for key in parameters],
        "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in (outputs or {}).items()],
    }


def event(number, logical_id, status, resource_type="AWS::CloudFormation::Stack", reason=None):
    answer = {
        "StackId": STACK_ID,
        "StackName": NAME,
        "EventId": f"event-{number}",
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
        "ResourceStatus": status,
        "Timestamp": T0 + timedelta(seconds=number),
    }
    return {**answer, "ResourceStatusReason": reason} if reason else answer


def events(*oldest_first):
    return {"StackEvents": list(reversed(oldest_first))}  # CloudFormation lists the newest first


def missing(stub):
    stub.add_client_error(
        "describe_stacks",
        "ValidationError",
        f"Stack with id {NAME} does not exist",
        expected_params={"StackName": NAME},
    )


def described(stub, status, **kwargs):
    stub.add_response("describe_stacks", {"Stacks": [stack(status, **kwargs)]}, {"StackName": NAME})


def change_set_made(stub, change_type, parameters):
    stub.add_response(
        "create_change_set",
        {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
        {
            "StackName": NAME,
            "ChangeSetName": ANY,
            "ChangeSetType": change_type,
            "TemplateURL": URL,
            "Parameters": parameters,
            "Capabilities": CAPABILITIES,
            "Description": "make deploy",
        },
    )


def change_set_is(stub, status, reason=None, changes=()):
    answer = {"ChangeSetId": CHANGE_SET_ID, "StackId": STACK_ID, "Status": status, "Changes": list(changes)}
    if reason:
        answer["StatusReason"] = reason
    stub.add_response("describe_change_set", answer, {"ChangeSetName": CHANGE_SET_ID})


def stack_events(stub, *oldest_first):
    stub.add_response("describe_stack_events", events(*oldest_first), {"StackName": NAME})


def executed(stub):
    stub.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID, "RetainExceptOnCreate": True})


def given_parameters(**more):
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in sorted({**GIVEN, **more}.items())]


class Sleeps:
    def __init__(self):
        self.count = 0

    def __call__(self, seconds):
        assert seconds == 5.0
        self.count += 1


@pytest.fixture
def cfn():
    cloudformation = client("cloudformation")
    with Stubber(cloudformation) as stub:
        yield cloudformation, stub
        stub.assert_no_pending_responses()  # every call the path should make was made


def deployer(cloudformation, out, sleeps=None, **kwargs):
    return StackDeployer(cloudformation, NAME, REGION, out, sleep=sleeps or Sleeps(), **kwargs)


# --- creating ---------------------------------------------------------------------------------
def test_a_new_stack_is_created_through_a_change_set_and_watched_to_the_end(cfn):
    cloudformation, stub = cfn
    missing(stub)
    change_set_made(stub, "CREATE", given_parameters())
    change_set_is(stub, "CREATE_PENDING")
    change_set_is(stub, "CREATE_COMPLETE")
    review = event(1, NAME, "REVIEW_IN_PROGRESS")
    stack_events(stub, review)
    executed(stub)
    described(stub, "CREATE_IN_PROGRESS")
    started = event(2, NAME, "CREATE_IN_PROGRESS", reason="User Initiated")
    table = event(3, "RegistrationsTable", "CREATE_IN_PROGRESS", "AWS::DynamoDB::Table")
    stack_events(stub, review, started, table)
    described(stub, "CREATE_COMPLETE")
    table_done = event(4, "RegistrationsTable", "CREATE_COMPLETE", "AWS::DynamoDB::Table")
    stack_events(stub, review, started, table, table_done, event(5, NAME, "CREATE_COMPLETE"))
    described(stub, "CREATE_COMPLETE", outputs=OUTPUTS)
    out, sleeps = io.StringIO(), Sleeps()

    deployed = deployer(cloudformation, out, sleeps).deploy(URL, GIVEN, DECLARED)

    assert (deployed.action, deployed.outputs) == ("created", OUTPUTS)
    assert sleeps.count == 2  # once while the change set was pending, once while the stack was
    printed = out.getvalue()
    # Each event once, though the table's first one was in both polls' answers.
    assert [line.split()[1] for line in printed.splitlines() if "RegistrationsTable" in line] == [
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
    ]
    assert "REVIEW_IN_PROGRESS" not in printed  # what happened before this deployment is not shown
    assert f"Creating the stack {NAME} in {REGION}" in printed


def test_a_stack_left_in_review_is_created_not_updated(cfn):
    cloudformation, stub = cfn
    described(stub, "REVIEW_IN_PROGRESS", parameters=["SetApiGatewayLoggingRole"])
    change_set_made(stub, "CREATE", given_parameters())  # no UsePreviousValue: nothing was ever deployed
    change_set_is(stub, "FAILED", reason="Template format error: unsupported structure.")
    with pytest.raises(DeployError, match="could not prepare the change: Template format error"):
        deployer(cloudformation, io.StringIO()).deploy(URL, GIVEN, DECLARED)


def test_a_rolled_back_first_creation_is_deleted_then_created_again(cfn):
    cloudformation, stub = cfn
    described(stub, "ROLLBACK_COMPLETE")
    stub.add_response("delete_stack", {}, {"StackName": NAME})
    described(stub, "DELETE_IN_PROGRESS")
    missing(stub)
    change_set_made(stub, "CREATE", given_parameters())
    change_set_is(stub, "CREATE_COMPLETE")
    stack_events(stub, event(1, NAME, "REVIEW_IN_PROGRESS"))
    executed(stub)
    described(stub, "CREATE_COMPLETE")
    stack_events(stub, event(1, NAME, "REVIEW_IN_PROGRESS"), event(2, NAME, "CREATE_COMPLETE"))
    described(stub, "CREATE_COMPLETE", outputs=OUTPUTS)
    out = io.StringIO()
    assert deployer(cloudformation, out).deploy(URL, GIVEN, DECLARED).action == "created"
    assert "deleting the empty stack to create it again" in out.getvalue()


def test_a_failed_creation_names_the_cause_not_the_cancelled(cfn):
    cloudformation, stub = cfn
    missing(stub)
    change_set_made(stub, "CREATE", given_parameters())
    change_set_is(stub, "CREATE_COMPLETE")
    stack_events(stub, event(1, NAME, "REVIEW_IN_PROGRESS"))
    executed(stub)
    described(stub, "ROLLBACK_COMPLETE")
    stack_events(
        stub,
        event(1, NAME, "REVIEW_IN_PROGRESS"),
        event(2, NAME, "CREATE_IN_PROGRESS", reason="User Initiated"),
        event(3, "RegistrationsTable", "CREATE_FAILED", "AWS::DynamoDB::Table", "registrations already exists"),
        event(4, "AlertTopic", "CREATE_FAILED", "AWS::SNS::Topic", "Resource creation cancelled"),
        event(
            5, NAME, "ROLLBACK_IN_PROGRESS", reason="The following resource(s) failed to create: [RegistrationsTable]"
        ),
        event(6, NAME, "ROLLBACK_COMPLETE"),
    )
    with pytest.raises(DeployError) as failed:
        deployer(cloudformation, io.StringIO()).deploy(URL, GIVEN, DECLARED)
    message = str(failed.value)
    assert f"the stack {NAME} is ROLLBACK_COMPLETE" in message
    assert "  RegistrationsTable (AWS::DynamoDB::Table): registrations already exists" in message
    assert "AlertTopic" not in message  # cancelled because of the table: an effect, not a cause
    assert "the next make deploy removes the empty stack" in message
    assert f"aws cloudformation describe-stack-events --stack-name {NAME} --region {REGION}" in message


# --- updating ---------------------------------------------------------------------------------
def test_an_update_keeps_the_parameters_not_given_and_lists_the_changes(cfn):
    cloudformation, stub = cfn
    described(stub, "UPDATE_COMPLETE", parameters=["SenderEmail", "AlertEmail", "SetApiGatewayLoggingRole", "Gone"])
    # Given now: sender, alert address, the log retention. Kept: the logging role choice.
    # Not kept: a parameter the new template dropped ("Gone"), or one the stack never had.
    expected = [
        *given_parameters(LogRetentionDays="14"),
        {"ParameterKey": "SetApiGatewayLoggingRole", "UsePreviousValue": True},
    ]
    change_set_made(stub, "UPDATE", expected)
    change = {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": "APIHandler",
            "ResourceType": "AWS::Lambda::Function",
            "Replacement": "False",
        },
    }
    change_set_is(stub, "CREATE_COMPLETE", changes=[change])
    before = event(1, NAME, "UPDATE_COMPLETE")
    stack_events(stub, before)
    executed(stub)
    described(stub, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")  # still running: wait on
    stack_events(stub, before, event(2, NAME, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
    described(stub, "UPDATE_COMPLETE")
    stack_events(stub, before, event(2, NAME, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), event(3, NAME, "UPDATE_COMPLETE"))
    described(stub, "UPDATE_COMPLETE", outputs=OUTPUTS)
    out = io.StringIO()

    deployed = deployer(cloudformation, out).deploy(URL, {**GIVEN, "LogRetentionDays": "14"}, DECLARED)

    assert deployed.action == "updated"
    assert "  Modify  APIHandler (AWS::Lambda::Function)" in out.getvalue()


def test_nothing_to_change_is_success_and_the_empty_change_set_is_removed(cfn):
    cloudformation, stub = cfn
    described(stub, "UPDATE_COMPLETE", parameters=["SenderEmail", "AlertEmail"])
    change_set_made(stub, "UPDATE", given_parameters())
    change_set_is(
        stub,
        "FAILED",
        reason="The submitted information didn't contain changes. Submit different information to create a change set.",
    )
    stub.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    described(stub, "UPDATE_COMPLETE", outputs=OUTPUTS)
    out = io.StringIO()
    # No execute_change_set is stubbed: calling it would fail the test.
    deployed = deployer(cloudformation, out).deploy(URL, GIVEN, DECLARED)
    assert (deployed.action, deployed.outputs) == ("unchanged", OUTPUTS)
    assert "Nothing to change" in out.getvalue()


def test_nothing_to_change_refused_at_once_is_success_too(cfn):
    cloudformation, stub = cfn
    described(stub, "UPDATE_COMPLETE", parameters=["SenderEmail", "AlertEmail"])
    stub.add_client_error("create_change_set", "ValidationError", "No updates are to be performed.")
    described(stub, "UPDATE_COMPLETE", outputs=OUTPUTS)
    assert deployer(cloudformation, io.StringIO()).deploy(URL, GIVEN, DECLARED).action == "unchanged"


def test_a_failed_update_is_reported_as_rolled_back(cfn):
    cloudformation, stub = cfn
    described(stub, "UPDATE_COMPLETE", parameters=["SenderEmail", "AlertEmail"])
    change_set_made(stub, "UPDATE", given_parameters())
    change_set_is(stub, "CREATE_COMPLETE")
    before = event(1, NAME, "UPDATE_COMPLETE")
    stack_events(stub, before)
    executed(stub)
    described(stub, "UPDATE_ROLLBACK_COMPLETE")
    denied = "Resource handler returned message: User is not authorized to perform: lambda:UpdateFunctionCode"
    stack_events(
        stub,
        before,
        event(2, "APIHandler", "UPDATE_FAILED", "AWS::Lambda::Function", denied),
        event(3, "Mail", "UPDATE_FAILED", "AWS::Lambda::Function", "Resource update cancelled"),
        event(4, NAME, "UPDATE_ROLLBACK_COMPLETE"),
    )
    with pytest.raises(DeployError) as failed:
        deployer(cloudformation, io.StringIO()).deploy(URL, GIVEN, DECLARED)
    message = str(failed.value)
    assert f"  APIHandler (AWS::Lambda::Function): {denied}" in message
    assert "Mail (" not in message
    assert "back at its previous version and still serves" in message


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        ("UPDATE_IN_PROGRESS", "is busy"),
        ("DELETE_IN_PROGRESS", "is busy"),
        ("UPDATE_ROLLBACK_FAILED", "aws cloudformation continue-update-rollback"),
        ("DELETE_FAILED", "Delete it in the CloudFormation console"),
    ],
)
def test_a_stack_that_cannot_take_a_change_is_left_alone(cfn, status, advice):
    cloudformation, stub = cfn
    described(stub, status)  # and nothing else: any further call would fail the test
    with pytest.raises(DeployError, match=advice):
        deployer(cloudformation, io.StringIO()).deploy(URL, GIVEN, DECLARED)


def test_waiting_ends_with_a_message_when_the_stack_takes_too_long(cfn):
    cloudformation, stub = cfn
    described(stub, "UPDATE_COMPLETE", parameters=["SenderEmail", "AlertEmail"])
    change_set_made(stub, "UPDATE", given_parameters())
    change_set_is(stub, "CREATE_COMPLETE")
    stack_events(stub, event(1, NAME, "UPDATE_COMPLETE"))
    executed(stub)
    for _ in range(2):
        described(stub, "UPDATE_IN_PROGRESS")
        stack_events(stub, event(1, NAME, "UPDATE_COMPLETE"))
    ticks = iter(range(0, 10_000, 100))  # each look at the clock: 100 "seconds" later
    slow = deployer(cloudformation, io.StringIO(), clock=lambda: next(ticks), timeout_seconds=120)
    with pytest.raises(DeployError, match="still UPDATE_IN_PROGRESS after 2 minutes"):
        slow.deploy(URL, GIVEN, DECLARED)
