"""What must hold before anything is created in AWS, and what SES will and will not deliver.

Every call here only reads, so a failed check leaves the account exactly as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from deploy import DeployError

USAGE = "make deploy SENDER_EMAIL=anmeldung@your-ngo.org ALERT_EMAIL=it@your-ngo.org"

# CloudFormation's own rule for stack names; checked here so a typo stops before packaging.
STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")


@dataclass(frozen=True)
class Caller:
    """Whose credentials these are."""

    account: str
    arn: str


def template_parameters(template_path: Path) -> dict[str, dict[str, Any]]:
    """The `Parameters` section of a CloudFormation template file."""
    return json.loads(template_path.read_text(encoding="utf-8")).get("Parameters", {})


def check_parameters(declared: Mapping[str, Mapping[str, Any]], given: Mapping[str, str]) -> None:
    """Refuse a parameter the template does not declare or would reject.

    CloudFormation would refuse the same values, but only after packaging and uploading;
    the template's own AllowedValues and AllowedPattern make the answer the same here.
    """
    problems = []
    for key, value in given.items():
        spec = declared.get(key)
        if spec is None:
            problems.append(f"{key} is not a parameter of the template (it has: {', '.join(sorted(declared))})")
            continue
        allowed = [str(choice) for choice in spec.get("AllowedValues", [])]
        if allowed and value not in allowed:
            problems.append(f"{key}={value!r} is not allowed (one of: {', '.join(allowed)})")
        pattern = spec.get("AllowedPattern")
        if pattern and not re.fullmatch(pattern, value):
            meaning = spec.get("ConstraintDescription", f"it must match {pattern}")
            problems.append(f"{key}={value!r} is not valid: {meaning}")
        if spec.get("Type") == "Number" and not _is_number(value):
            problems.append(f"{key}={value!r} is not a number")
    if problems:
        raise DeployError("\n".join(problems))


def check_stack_name(stack: str) -> None:
    if not STACK_NAME.fullmatch(stack):
        raise DeployError(
            f"STACK={stack!r} cannot name a CloudFormation stack: letters, digits and '-', starting with a letter"
        )


def check_credentials(sts: BaseClient) -> Caller:
    """Ask STS who we are: the one call every working set of credentials may make."""
    try:
        answer = sts.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(
            f"No working AWS credentials: {exc}\n"
            "Set them up with `aws configure` (an access key) or `aws configure sso` and `aws sso login`;\n"
            "to use a profile other than the default: make deploy AWS_PROFILE=<profile> …\n"
            "`aws sts get-caller-identity` answers with your account once they work."
        ) from None
    return Caller(account=answer["Account"], arn=answer["Arn"])


def check_sender(ses: BaseClient, sender: str, region: str) -> str:
    """Say which verified identity lets SES send as `sender` in `region`, or stop with what to do.

    SES accepts a From address when the address itself or its whole domain is verified,
    in that region only: identities do not carry over between regions.
    """
    domain = sender.rpartition("@")[2]
    try:
        answer = ses.get_identity_verification_attributes(Identities=[sender, domain])
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"Could not ask SES in {region} whether {sender} is verified: {exc}") from None
    found = answer.get("VerificationAttributes", {})
    address_status = found.get(sender, {}).get("VerificationStatus", "NotFound")
    domain_status = found.get(domain, {}).get("VerificationStatus", "NotFound")
    if address_status == "Success":
        return f"the address {sender} is verified"
    if domain_status == "Success":
        return f"its domain {domain} is verified"
    raise DeployError(_sender_help(sender, domain, region, address_status, domain_status))


def _sender_help(sender: str, domain: str, region: str, address_status: str, domain_status: str) -> str:
    command = f"    aws ses verify-email-identity --email-address {sender} --region {region}"
    if address_status == "Pending":
        lines = [
            f"SES has mailed {sender} a link to verify it (in {region}), and the link has not been clicked yet.",
            "Open that mail from Amazon Web Services (look in the spam folder too), click the link,",
            "then run make deploy again. The link is valid for 24 hours; for a new one run:",
            command,
        ]
    else:
        lines = [
            f"The sender {sender} is not verified in SES in {region}, so SES would refuse every mail.",
            "Verify it (SES then mails the address a link):",
            command,
            f"(or in the SES console, region {region}: Identities → Create identity → Email address),",
            "click the link in that mail, then run make deploy again.",
        ]
        if address_status in ("Failed", "TemporaryFailure"):
            lines.append(f"SES says an earlier verification of the address ended as {address_status}: start it again.")
        lines.append("An address verified in another region does not count: SES identities belong to one region.")
    if domain_status == "Pending":
        lines.append(
            f"The domain {domain} is being verified: once SES sees its DNS records, every address in it may send."
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class SesAccount:
    """The SES account's state in one region; None where SES would not say."""

    production_access: bool | None
    sending_enabled: bool | None
    review_status: str | None  # of a request for production access: PENDING, GRANTED, DENIED, FAILED
    daily_quota: float | None
    problem: str | None = None


def ses_account(sesv2: BaseClient) -> SesAccount:
    """Read whether SES is still in the sandbox. Never stops the deployment: it only informs."""
    try:
        answer = sesv2.get_account()
    except (BotoCoreError, ClientError) as exc:
        return SesAccount(None, None, None, None, problem=str(exc))
    review = answer.get("Details", {}).get("ReviewDetails", {})
    return SesAccount(
        production_access=answer.get("ProductionAccessEnabled"),
        sending_enabled=answer.get("SendingEnabled"),
        review_status=review.get("Status"),
        daily_quota=answer.get("SendQuota", {}).get("Max24HourSend"),
    )


def ses_account_report(account: SesAccount, region: str) -> list[str]:
    """What the SES account's state means for registrants' mail, and what to do about it."""
    if account.problem is not None:
        return [
            f"SES in {region}: could not read whether the account is still in the sandbox ({account.problem}).",
            f"  The SES console (region {region}) → Account dashboard says so.",
        ]
    lines = []
    if account.sending_enabled is False:
        lines.append(
            f"SES sending is PAUSED for this account in {region}: no mail goes out. "
            "The SES console → Account dashboard says why; answer AWS there."
        )
    quota = f"{account.daily_quota:,.0f}" if account.daily_quota is not None else "a few hundred"
    if account.production_access:
        lines.append(f"SES in {region} has production access: mail goes to any address (up to {quota} a day).")
        return lines
    lines += [
        f"SES in {region} is still in the SANDBOX: it delivers only to addresses verified in SES",
        f"  (at most {quota} mails a day); registrants' and organisers' mail is refused unless",
        "  their address is verified too.",
    ]
    if account.review_status == "PENDING":
        lines.append("  A request for production access is pending; AWS usually answers within a day.")
    else:
        if account.review_status == "DENIED":
            lines.append("  A request for production access was denied: the AWS Support case says why.")
        lines += [
            f"  Before announcing an event, request production access: SES console (region {region})",
            "  → Account dashboard → Request production access; say that you send transactional mail",
            "  (confirmations, reminders) to people who registered on your site. AWS answers within about a day.",
        ]
    return lines


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
