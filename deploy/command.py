"""`python -m deploy` (what `make deploy` runs): check, package, upload, deploy, then say what next.

The checks come first and only read, so a missing credential or an unverified sender stops
the command before anything exists in AWS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from deploy import DeployError
from deploy.artefacts import bucket_name, content_key, ensure_bucket, object_url, rewrite_local_files, upload_bytes
from deploy.checks import (
    USAGE,
    check_credentials,
    check_parameters,
    check_sender,
    check_stack_name,
    ses_account,
    ses_account_report,
    template_parameters,
)
from deploy.stack import Deployed, StackDeployer

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "template.json"
DIST = ROOT / "dist"
# The parameters that have their own make variables; PARAMS may not set them a second time.
OWN_VARIABLES = {"SenderEmail": "SENDER_EMAIL", "AlertEmail": "ALERT_EMAIL"}
# Standard retries ride out CloudFormation's throttling of the describe calls while waiting.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 10}, user_agent_appid="event-registration-deploy")

ClientFactory = Callable[[str], BaseClient]


@dataclass(frozen=True)
class Options:
    region: str
    stack: str
    sender_email: str
    alert_email: str
    parameters: dict[str, str] = field(default_factory=dict)  # more template parameters (PARAMS)
    dist: Path = DIST


def run(
    options: Options,
    client: ClientFactory,
    package: Callable[[], None],
    out: TextIO,
    *,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 5.0,
) -> Deployed:
    """The whole deployment; `client(name)` makes the boto3 client for a service in the region."""
    try:
        given = _parameters(options)
        caller = check_credentials(client("sts"))
        _say(out, f"AWS account {caller.account} ({caller.arn}), region {options.region}.")
        verified = check_sender(client("ses"), options.sender_email, options.region)
        _say(out, f"Sender {options.sender_email}: {verified}.")
    except DeployError as exc:
        raise DeployError(f"{exc}\nNothing has been created in AWS.") from None
    # Read now, reported at the end, where it is the last thing to do before announcing.
    account = ses_account(client("sesv2"))

    _say(out, "Packaging (make package) …")
    package()
    template_path = options.dist / "sam.json"
    template = json.loads(template_path.read_text(encoding="utf-8"))

    s3 = client("s3")
    bucket = bucket_name(caller.account, options.region)
    created = ensure_bucket(s3, bucket, options.region, caller.account)
    _say(out, f"Artefact bucket {bucket} ({'created' if created else 'reused'}; private, encrypted).")

    def upload(path: Path) -> str:
        data = path.read_bytes()
        key = content_key(options.stack, data, path.suffix)
        fresh = upload_bytes(s3, bucket, key, data, caller.account)
        _say(out, f"{path.name} ({len(data) / 2**20:.1f} MiB) {'uploaded' if fresh else 'already uploaded'}: {key}")
        return f"s3://{bucket}/{key}"

    packaged = rewrite_local_files(template, template_path.parent, upload)
    body = json.dumps(packaged, indent=1).encode("utf-8")
    # Through S3 rather than TemplateBody: a template sent in the request may have 51,200
    # bytes, and this one has about 50,000 (dist/sam.json, indented, over 60,000); from S3, 1 MB.
    template_key = content_key(options.stack, body, ".template.json")
    upload_bytes(s3, bucket, template_key, body, caller.account)

    cfn = client("cloudformation")
    deployer = StackDeployer(cfn, options.stack, options.region, out, sleep=sleep, poll_seconds=poll_seconds)
    deployed = deployer.deploy(object_url(s3, bucket, template_key), given, packaged.get("Parameters", {}))
    subscription = alert_subscription(client("sns"), deployed.outputs, options.alert_email)
    for line in summary(options, deployed, subscription, ses_account_report(account, options.region)):
        _say(out, line)
    return deployed


def _parameters(options: Options) -> dict[str, str]:
    """The template parameters to pass, checked against the template before anything runs."""
    check_stack_name(options.stack)
    for value, variable in ((options.sender_email, "SENDER_EMAIL"), (options.alert_email, "ALERT_EMAIL")):
        if not value:
            raise DeployError(f"{variable} is missing: {USAGE}")
    doubled = sorted(set(options.parameters) & set(OWN_VARIABLES))
    if doubled:
        raise DeployError(f"Set {', '.join(OWN_VARIABLES[key] for key in doubled)} itself, not through PARAMS.")
    given = {"SenderEmail": options.sender_email, "AlertEmail": options.alert_email, **options.parameters}
    check_parameters(template_parameters(MERGE_TEMPLATE), given)
    return given


def alert_subscription(sns: BaseClient, outputs: Mapping[str, str], address: str) -> str | None:
    """Whether the alert address's subscription is "confirmed" or "pending"; None when SNS would not say."""
    topic = outputs.get("AlertTopicArn")
    if not topic:
        return None
    try:
        pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic)
        subscriptions = [item for page in pages for item in page.get("Subscriptions", [])]
    except (BotoCoreError, ClientError):
        return None
    for subscription in subscriptions:
        if subscription.get("Protocol") == "email" and subscription.get("Endpoint", "").lower() == address.lower():
            # Until the link is clicked SNS lists the literal "PendingConfirmation" instead of an ARN.
            return "confirmed" if subscription.get("SubscriptionArn", "").startswith("arn:") else "pending"
    return None


def summary(options: Options, deployed: Deployed, subscription: str | None, ses_lines: list[str]) -> list[str]:
    """The closing words: where the API is, the commands to run next, and what is still to do."""
    outputs = deployed.outputs
    done = {"created": "created", "updated": "updated", "unchanged": "already up to date"}[deployed.action]
    endpoint = outputs.get("EndpointURL", "<EndpointURL output missing>")
    # The CLI for the deployed table: its name from the stack (the TableName parameter),
    # the region from here; the environment beats the prod stage's settings.
    cli = (
        f"AWS_DEFAULT_REGION={options.region} TABLE_NAME={outputs.get('TableName', 'registrations')}"
        " .venv/bin/python -m chalicelib.cli --stage prod"
    )
    lines = [
        "",
        f"Stack {options.stack} in {options.region}: {done}.",
        f"Endpoint: {endpoint}",
        "",
        "Next:",
        "  Load your events into the table (again after every change to an event file):",
        f"    {cli} load-events events/*.json",
        "  Make each event's form page, then publish it on your site:",
        f"    {cli} page EVENT_ID --api-url {endpoint.rstrip('/')}",
        "    (put the page's origin into the event's allowed_origins and load the events again)",
    ]
    if subscription == "confirmed":
        lines.append(f"  Alerts go to {options.alert_email} (subscription confirmed).")
    else:
        state = "has not been confirmed yet" if subscription == "pending" else "may not be confirmed yet"
        lines += [
            f"  Confirm the alerts: the subscription of {options.alert_email} {state}. AWS has mailed it",
            '  "AWS Notification - Subscription Confirmation"; click "Confirm subscription" in it,',
            "  or no alarm reaches anybody (docs/operations.md).",
        ]
    return [*lines, "", *ses_lines]


def make_package() -> None:
    """`make package` for the prod stage: the stage the merge template is written for."""
    make = shutil.which("make")
    if make is None:
        raise DeployError("`make` is not installed; it builds dist/ (make package).")
    # STAGE=prod on make's command line: a STAGE in the environment must not pick another stage.
    result = subprocess.run([make, "package", "STAGE=prod"], cwd=ROOT, check=False)  # noqa: S603 (fixed arguments)
    if result.returncode != 0:
        raise DeployError("make package failed (its output is above); nothing was uploaded or deployed.")


def refuse_other_endpoints(environ: Mapping[str, str]) -> None:
    """Stop when boto3 would talk to somewhere other than AWS (the local stack's moto, say)."""
    redirected = sorted(key for key in environ if key.startswith("AWS_ENDPOINT_URL"))
    if redirected:
        settings = ", ".join(f"{key}={environ[key]}" for key in redirected)
        raise DeployError(f"{settings} sends AWS calls elsewhere (the local stack?); unset it to deploy to AWS.")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    parser.add_argument("--region", required=True, help="AWS region (make: AWS_REGION, default eu-central-1)")
    parser.add_argument("--stack", default="event-registration", help="stack name (make: STACK)")
    parser.add_argument("--sender-email", default="", help="the SES-verified From address (make: SENDER_EMAIL)")
    parser.add_argument("--alert-email", default="", help="who gets the alarms (make: ALERT_EMAIL)")
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another template parameter, e.g. SetApiGatewayLoggingRole=no (make: PARAMS='KEY=VALUE …')",
    )
    return parser


def options_from(args: argparse.Namespace, dist: Path = DIST) -> Options:
    parameters = {}
    for item in args.parameter:
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise DeployError(f"PARAMS: {item!r} is not KEY=VALUE")
        parameters[key] = value
    return Options(args.region, args.stack, args.sender_email, args.alert_email, parameters, dist)


def main(
    argv: list[str] | None = None,
    *,
    package: Callable[[], None] = make_package,
    session_factory: Callable[..., boto3.Session] = boto3.Session,
    dist: Path = DIST,
) -> int:
    args = parser().parse_args(argv)
    try:
        refuse_other_endpoints(os.environ)
        options = options_from(args, dist)
        try:
            session = session_factory(region_name=options.region)
        except ProfileNotFound as exc:
            raise DeployError(
                f"{exc}: `aws configure list-profiles` lists the profiles there are.\nNothing has been created in AWS."
            ) from None
        if options.region not in session.get_available_regions("ses"):
            raise DeployError(f"AWS_REGION={options.region}: SES is not offered there (or the name has a typo).")

        def client(name: str) -> BaseClient:
            return session.client(name, region_name=options.region, config=CLIENT_CONFIG)

        run(options, client, package, sys.stdout)
    except DeployError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:
        print(f"\nStopped by an AWS error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped. A stack operation already started goes on in CloudFormation.", file=sys.stderr)
        return 130
    return 0


def _say(out: TextIO, line: str) -> None:
    print(line, file=out, flush=True)
