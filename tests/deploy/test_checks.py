"""The checks before anything is created: credentials, the SES sender, the parameters, SES's sandbox."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber
from moto.core import set_initial_no_auth_action_count

from deploy import DeployError
from deploy.checks import (
    check_credentials,
    check_parameters,
    check_sender,
    check_stack_name,
    ses_account,
    ses_account_report,
    template_parameters,
)
from deploy.command import MERGE_TEMPLATE
from tests.deploy.conftest import REGION, client

SENDER = "anmeldung@your-ngo.org"


# --- credentials ------------------------------------------------------------------------------
def test_working_credentials_name_the_account(aws):
    caller = check_credentials(client("sts"))
    expected = client("sts").get_caller_identity()
    assert (caller.account, caller.arn) == (expected["Account"], expected["Arn"])


@set_initial_no_auth_action_count(0)  # moto checks every request's key against its IAM from the first call on
def test_credentials_aws_rejects_stop_with_what_to_do(aws):
    with pytest.raises(DeployError) as refused:
        check_credentials(client("sts"))
    message = str(refused.value)
    assert "InvalidClientTokenId" in message  # AWS's own reason is passed on
    assert "aws configure" in message
    assert "AWS_PROFILE" in message


def test_no_credentials_at_all_stop_before_any_request(aws, monkeypatch, tmp_path):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup over the network
    with pytest.raises(DeployError, match="No working AWS credentials: Unable to locate credentials"):
        check_credentials(client("sts"))


# --- the sender -------------------------------------------------------------------------------
def test_a_verified_address_passes(aws):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    assert check_sender(client("ses"), SENDER, REGION) == f"the address {SENDER} is verified"


def test_a_verified_domain_passes_for_any_address_in_it(aws):
    client("ses").verify_domain_identity(Domain="your-ngo.org")
    assert check_sender(client("ses"), SENDER, REGION) == "its domain your-ngo.org is verified"


def test_an_unverified_sender_stops_with_the_command_that_verifies_it(aws):
    client("ses").verify_email_identity(EmailAddress="someone-else@your-ngo.org")
    with pytest.raises(DeployError) as refused:
        check_sender(client("ses"), SENDER, REGION)
    message = str(refused.value)
    assert f"{SENDER} is not verified in SES in {REGION}" in message
    assert f"aws ses verify-email-identity --email-address {SENDER} --region {REGION}" in message
    assert "click the link" in message


def test_an_address_verified_in_another_region_does_not_count(aws):
    client("ses", "eu-west-1").verify_email_identity(EmailAddress=SENDER)
    with pytest.raises(DeployError, match="belong to one region"):
        check_sender(client("ses"), SENDER, REGION)
    assert check_sender(client("ses", "eu-west-1"), SENDER, "eu-west-1").startswith("the address")


def test_a_link_not_yet_clicked_says_so_and_how_to_get_another():
    # moto verifies at once; SES's "Pending" (mail sent, link not clicked) comes from a stub.
    ses = client("ses")
    with Stubber(ses) as stub:
        stub.add_response(
            "get_identity_verification_attributes",
            {"VerificationAttributes": {SENDER: {"VerificationStatus": "Pending"}}},
            {"Identities": [SENDER, "your-ngo.org"]},
        )
        with pytest.raises(DeployError) as refused:
            check_sender(ses, SENDER, REGION)
    message = str(refused.value)
    assert "has not been clicked yet" in message
    assert "is not verified" not in message
    assert f"aws ses verify-email-identity --email-address {SENDER} --region {REGION}" in message


def test_a_domain_being_verified_is_mentioned_next_to_the_address_command():
    ses = client("ses")
    with Stubber(ses) as stub:
        stub.add_response(
            "get_identity_verification_attributes",
            {"VerificationAttributes": {"your-ngo.org": {"VerificationStatus": "Pending"}}},
            {"Identities": [SENDER, "your-ngo.org"]},
        )
        with pytest.raises(DeployError) as refused:
            check_sender(ses, SENDER, REGION)
    assert "The domain your-ngo.org is being verified" in str(refused.value)
    assert "aws ses verify-email-identity" in str(refused.value)


def test_ses_refusing_the_question_stops_too():
    ses = client("ses")
    with Stubber(ses) as stub:
        stub.add_client_error("get_identity_verification_attributes", "AccessDenied", "not allowed")
        with pytest.raises(DeployError, match=f"Could not ask SES in {REGION} whether {SENDER} is verified"):
            check_sender(ses, SENDER, REGION)


# --- parameters and names ---------------------------------------------------------------------
def test_the_template_parameters_are_checked_by_the_templates_own_rules():
    declared = template_parameters(MERGE_TEMPLATE)
    check_parameters(declared, {"SenderEmail": SENDER, "LogRetentionDays": "14", "SetApiGatewayLoggingRole": "no"})
    with pytest.raises(DeployError) as refused:
        check_parameters(
            declared,
            {
                "SenderEmail": "not an address",
                "LogRetentionDays": "31",
                "ThrottlingRateLimit": "many",
                "SetApiGatewayLogingRole": "no",
            },
        )
    problems = str(refused.value).splitlines()
    assert len(problems) == 4
    assert any(line.startswith("SenderEmail='not an address' is not valid") for line in problems)
    assert any(line.startswith("LogRetentionDays='31' is not allowed") for line in problems)
    assert any(line.startswith("ThrottlingRateLimit='many' is not a number") for line in problems)
    assert any(line.startswith("SetApiGatewayLogingRole is not a parameter") for line in problems)


@pytest.mark.parametrize("name", ["event-registration", "Events2"])
def test_good_stack_names_pass(name):
    check_stack_name(name)


@pytest.mark.parametrize("name", ["", "2events", "event_registration", "a" * 129])
def test_bad_stack_names_stop(name):
    with pytest.raises(DeployError, match="cannot name a CloudFormation stack"):
        check_stack_name(name)


# --- SES's sandbox (moto 5.2.5 has no SESv2 GetAccount: stubbed) -------------------------------
def _account(answer=None, error=None):
    sesv2 = client("sesv2")
    with Stubber(sesv2) as stub:
        if error:
            stub.add_client_error("get_account", error, "not allowed")
        else:
            stub.add_response("get_account", answer)
        return ses_account(sesv2)


def test_a_sandboxed_account_is_reported_with_how_to_leave_the_sandbox():
    account = _account({"ProductionAccessEnabled": False, "SendingEnabled": True, "SendQuota": {"Max24HourSend": 200}})
    assert (account.production_access, account.sending_enabled, account.daily_quota) == (False, True, 200)
    report = "\n".join(ses_account_report(account, REGION))
    assert f"SES in {REGION} is still in the SANDBOX" in report
    assert "at most 200 mails a day" in report
    assert "Request production access" in report


def test_production_access_is_reported_without_a_sandbox_warning():
    account = _account({"ProductionAccessEnabled": True, "SendingEnabled": True, "SendQuota": {"Max24HourSend": 50000}})
    report = "\n".join(ses_account_report(account, REGION))
    assert "has production access" in report
    assert "50,000 a day" in report
    assert "SANDBOX" not in report


def test_a_pending_request_is_not_told_to_request_again():
    account = _account(
        {"ProductionAccessEnabled": False, "SendingEnabled": True, "Details": {"ReviewDetails": {"Status": "PENDING"}}}
    )
    report = "\n".join(ses_account_report(account, REGION))
    assert "SANDBOX" in report
    assert "request for production access is pending" in report
    assert "Request production access" not in report


def test_paused_sending_is_reported_first():
    account = _account({"ProductionAccessEnabled": True, "SendingEnabled": False})
    report = ses_account_report(account, REGION)
    assert report[0].startswith(f"SES sending is PAUSED for this account in {REGION}")


def test_an_unreadable_account_says_where_to_look_instead():
    account = _account(error="AccessDeniedException")
    assert account.production_access is None
    report = "\n".join(ses_account_report(account, REGION))
    assert "could not read whether the account is still in the sandbox" in report
    assert "AccessDeniedException" in report
