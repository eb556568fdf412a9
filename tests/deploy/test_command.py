"""`make deploy` from end to end against moto: checks, packaging, bucket, upload, stack, closing words.

moto's CloudFormation runs the change set (it skips the SAM function types it does not
know, with a warning), so the template it stored shows what was uploaded and named.
SESv2's GetAccount is missing from moto 5.2.5 and is stubbed.
"""

from __future__ import annotations

import hashlib
import io
import json
import shlex
import subprocess

import boto3
import pytest
from botocore.stub import Stubber
from moto.cloudformation.models import ChangeSet
from moto.core import DEFAULT_ACCOUNT_ID

from deploy import DeployError
from deploy.artefacts import bucket_name
from deploy.command import ROOT, Options, alert_subscription, main, options_from, parser, run, summary
from deploy.stack import Deployed
from tests.deploy.conftest import REGION, client

SENDER = "anmeldung@your-ngo.org"
ALERTS = "it@your-ngo.org"
STACK = "event-registration"
ENDPOINT = f"https://abc123.execute-api.{REGION}.amazonaws.com/api/"
SANDBOX = {"ProductionAccessEnabled": False, "SendingEnabled": True, "SendQuota": {"Max24HourSend": 200}}

# The shape of Chalice's merged template where it matters here: functions naming the local
# build, the alert topic with its e-mail subscription, the outputs the closing words use.
TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "SenderEmail": {"Type": "String"},
        "AlertEmail": {"Type": "String"},
        "LogRetentionDays": {"Type": "Number", "Default": 30},
    },
    "Resources": {
        "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./deployment.zip"}},
        "Mail": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./deployment.zip"}},
        # The subscription inside the topic: moto's CloudFormation has no AWS::SNS::Subscription.
        "AlertTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"Subscription": [{"Protocol": "email", "Endpoint": {"Ref": "AlertEmail"}}]},
        },
    },
    "Outputs": {
        "EndpointURL": {"Value": {"Fn::Sub": "https://abc123.execute-api.${AWS::Region}.amazonaws.com/api/"}},
        "TableName": {"Value": "registrations-test"},
        "AlertTopicArn": {"Value": {"Ref": "AlertTopic"}},
    },
}

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS.+Serverless.+Function")


@pytest.fixture(autouse=True)
def outputs_after_change_sets(monkeypatch):
    """moto 5.2.5 runs a change set's resources but leaves the stack's template and outputs
    as they were when the change set was made (empty, for a new stack); AWS shows the
    executed template's. Without this the stack would have no EndpointURL to report."""
    apply = ChangeSet.apply

    def apply_and_show_outputs(change_set):
        apply(change_set)
        change_set.stack.template = change_set.template
        change_set.stack._parse_template()
        change_set.stack.output_map = change_set.stack._create_output_map()

    monkeypatch.setattr(ChangeSet, "apply", apply_and_show_outputs)


class Package:
    """Stands in for `make package`: writes dist/ and counts the calls."""

    def __init__(self, dist, build=b"PK build one"):
        self.dist = dist
        self.build = build
        self.calls = 0

    def __call__(self):
        self.calls += 1
        self.dist.mkdir(exist_ok=True)
        (self.dist / "sam.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
        (self.dist / "deployment.zip").write_bytes(self.build)


def clients():
    """boto3 clients on moto, but SESv2 answering GetAccount from a stub."""

    def make(name):
        made = boto3.client(name, region_name=REGION)
        if name == "sesv2":
            stub = Stubber(made)
            stub.add_response("get_account", SANDBOX)
            stub.activate()
        return made

    return make


def options(tmp_path, **changes):
    return Options(
        **{"region": REGION, "stack": STACK, "sender_email": SENDER, "alert_email": ALERTS, "dist": tmp_path, **changes}
    )


def no_wait(_seconds):
    pass


def test_one_command_creates_the_stack_from_the_uploaded_build(aws, tmp_path):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    package = Package(tmp_path / "dist")
    out = io.StringIO()

    deployed = run(options(tmp_path / "dist"), clients(), package, out, sleep=no_wait)

    assert (deployed.action, package.calls) == ("created", 1)
    bucket = bucket_name(DEFAULT_ACCOUNT_ID, REGION)
    key = f"{STACK}/{hashlib.sha256(package.build).hexdigest()}.zip"
    assert client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == package.build
    cfn = client("cloudformation")
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    stored = cfn.get_template(StackName=STACK)["TemplateBody"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    for function in ("APIHandler", "Mail"):
        assert stored["Resources"][function]["Properties"]["CodeUri"] == f"s3://{bucket}/{key}"
    parameters = {
        p["ParameterKey"]: p["ParameterValue"] for p in cfn.describe_stacks(StackName=STACK)["Stacks"][0]["Parameters"]
    }
    assert (parameters["SenderEmail"], parameters["AlertEmail"]) == (SENDER, ALERTS)

    printed = out.getvalue()
    assert f"Endpoint: {ENDPOINT}" in printed
    cli = f"AWS_DEFAULT_REGION={REGION} TABLE_NAME=registrations-test .venv/bin/python -m chalicelib.cli --stage prod"
    assert f"{cli} load-events events/*.json" in printed
    assert f"{cli} page EVENT_ID --api-url {ENDPOINT.rstrip('/')}\n" in printed
    assert f"SES in {REGION} is still in the SANDBOX" in printed
    # moto confirms e-mail subscriptions at once; AWS waits for the click (see test_closing_words_*).
    assert f"Alerts go to {ALERTS} (subscription confirmed)" in printed


def test_deploying_the_same_build_again_reuses_bucket_and_upload(aws, tmp_path):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    package = Package(tmp_path / "dist")
    run(options(tmp_path / "dist"), clients(), package, io.StringIO(), sleep=no_wait)
    out = io.StringIO()

    deployed = run(options(tmp_path / "dist"), clients(), package, out, sleep=no_wait)

    assert deployed.action == "updated"  # moto updates where AWS would find nothing to change (test_stack.py)
    assert f"Artefact bucket {bucket_name(DEFAULT_ACCOUNT_ID, REGION)} (reused" in out.getvalue()
    assert "deployment.zip (0.0 MiB) already uploaded" in out.getvalue()


def test_an_update_keeps_a_parameter_given_before(aws, tmp_path):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    package = Package(tmp_path / "dist")
    run(
        options(tmp_path / "dist", parameters={"LogRetentionDays": "14"}),
        clients(),
        package,
        io.StringIO(),
        sleep=no_wait,
    )

    run(options(tmp_path / "dist", alert_email="ops@your-ngo.org"), clients(), package, io.StringIO(), sleep=no_wait)

    stack = client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert (parameters["LogRetentionDays"], parameters["AlertEmail"]) == ("14", "ops@your-ngo.org")


def test_a_new_build_is_uploaded_under_a_new_key_and_named_in_the_stack(aws, tmp_path):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    run(options(tmp_path / "dist"), clients(), Package(tmp_path / "dist"), io.StringIO(), sleep=no_wait)
    changed = Package(tmp_path / "dist", build=b"PK build two")

    run(options(tmp_path / "dist"), clients(), changed, io.StringIO(), sleep=no_wait)

    stored = client("cloudformation").get_template(StackName=STACK)["TemplateBody"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    new_key = f"{STACK}/{hashlib.sha256(b'PK build two').hexdigest()}.zip"
    assert stored["Resources"]["APIHandler"]["Properties"]["CodeUri"].endswith(new_key)


def _nothing_created(package):
    assert package.calls == 0
    assert client("s3").list_buckets()["Buckets"] == []
    assert client("cloudformation").describe_stacks()["Stacks"] == []


def test_an_unverified_sender_stops_before_anything_is_packaged_or_created(aws, tmp_path):
    package = Package(tmp_path / "dist")
    with pytest.raises(DeployError) as stopped:
        run(options(tmp_path / "dist"), clients(), package, io.StringIO(), sleep=no_wait)
    message = str(stopped.value)
    assert f"aws ses verify-email-identity --email-address {SENDER} --region {REGION}" in message
    assert message.endswith("Nothing has been created in AWS.")
    _nothing_created(package)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"sender_email": ""}, "SENDER_EMAIL is missing: make deploy SENDER_EMAIL="),
        ({"alert_email": "it at your-ngo.org"}, "AlertEmail='it at your-ngo.org' is not valid: an e-mail address"),
        ({"parameters": {"LogRetentionDays": "31"}}, "LogRetentionDays='31' is not allowed"),
        ({"parameters": {"SenderEmail": SENDER}}, "Set SENDER_EMAIL itself, not through PARAMS"),
        ({"stack": "event_registration"}, "cannot name a CloudFormation stack"),
    ],
)
def test_bad_settings_stop_before_anything_is_packaged_or_created(aws, tmp_path, changes, problem):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    package = Package(tmp_path / "dist")
    with pytest.raises(DeployError, match=problem):
        run(options(tmp_path / "dist", **changes), clients(), package, io.StringIO(), sleep=no_wait)
    _nothing_created(package)


def test_closing_words_when_the_alert_subscription_waits_for_its_click(tmp_path):
    sns = client("sns")
    with Stubber(sns) as stub:
        stub.add_response(
            "list_subscriptions_by_topic",
            {"Subscriptions": [{"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": ALERTS}]},
            {"TopicArn": "arn:aws:sns:eu-central-1:123456789012:alerts"},
        )
        state = alert_subscription(sns, {"AlertTopicArn": "arn:aws:sns:eu-central-1:123456789012:alerts"}, ALERTS)
    assert state == "pending"
    words = "\n".join(summary(options(tmp_path), Deployed("created", {"EndpointURL": ENDPOINT}), state, []))
    assert f"the subscription of {ALERTS} has not been confirmed yet" in words
    assert "Confirm subscription" in words


# --- the command line and make ----------------------------------------------------------------
def test_make_deploy_passes_its_variables_and_defaults_to_the_command():
    result = subprocess.run(
        [
            "make",
            "-n",
            "deploy",
            f"SENDER_EMAIL={SENDER}",
            f"ALERT_EMAIL={ALERTS}",
            "PARAMS=SetApiGatewayLoggingRole=no",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},  # no AWS_REGION or STACK from this environment: the defaults
    )
    line = next(line for line in result.stdout.replace("\\\n", " ").splitlines() if "-m deploy" in line)
    words = shlex.split(line)
    args = parser().parse_args(words[words.index("deploy") + 1 :])
    chosen = options_from(args)
    assert (chosen.region, chosen.stack, chosen.sender_email, chosen.alert_email) == (
        "eu-central-1",
        "event-registration",
        SENDER,
        ALERTS,
    )
    assert chosen.parameters == {"SetApiGatewayLoggingRole": "no"}


class _Session:
    """boto3.Session on moto, but SESv2 stubbed as above."""

    def __init__(self, region_name):
        self.session = boto3.Session(region_name=region_name)

    def get_available_regions(self, service):
        return self.session.get_available_regions(service)

    def client(self, name, **kwargs):
        made = self.session.client(name, **kwargs)
        if name == "sesv2":
            stub = Stubber(made)
            stub.add_response("get_account", SANDBOX)
            stub.activate()
        return made


ARGS = ["--region", REGION, "--sender-email", SENDER, "--alert-email", ALERTS]


def test_main_deploys_and_exits_zero(aws, tmp_path, capsys):
    client("ses").verify_email_identity(EmailAddress=SENDER)
    package = Package(tmp_path / "dist")
    assert main(ARGS, package=package, session_factory=_Session, dist=tmp_path / "dist") == 0
    assert f"Endpoint: {ENDPOINT}" in capsys.readouterr().out


def test_main_refuses_an_endpoint_elsewhere(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    package = Package(tmp_path / "dist")
    assert main(ARGS, package=package, session_factory=_Session) == 1
    assert "AWS_ENDPOINT_URL=http://127.0.0.1:4566 sends AWS calls elsewhere" in capsys.readouterr().err
    assert package.calls == 0


def test_main_refuses_a_region_without_ses(capsys, tmp_path):
    package = Package(tmp_path / "dist")
    assert main(["--region", "eu-centrl-1", "--sender-email", SENDER, "--alert-email", ALERTS], package=package) == 1
    assert "AWS_REGION=eu-centrl-1: SES is not offered there" in capsys.readouterr().err
    assert package.calls == 0


def test_main_names_a_profile_that_does_not_exist(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "ngo-admin")
    package = Package(tmp_path / "dist")
    assert main(ARGS, package=package) == 1
    err = capsys.readouterr().err
    assert "The config profile (ngo-admin) could not be found" in err
    assert "aws configure list-profiles" in err
    assert package.calls == 0
