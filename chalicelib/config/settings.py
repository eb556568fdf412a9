"""The service's settings: process environment -> one checked ``Settings``.

Read once at import of ``app.py`` so a bad deployment fails at start with a
message naming the variable, never with a traceback at the first request.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.config import aws
from chalicelib.config.config_errors import SettingsError
from chalicelib.model.addresses import mail_address

# Settings field -> the environment variable an admin sets.
VARIABLES = {
    "table_name": "TABLE_NAME",
    "sender_email": "SENDER_EMAIL",
    "region": "AWS_DEFAULT_REGION",
    "endpoint_url": "AWS_ENDPOINT_URL",
    "link_secret": "LINK_SECRET",
    "public_api_url": "PUBLIC_API_URL",
    "alert_topic_arn": "ALERT_TOPIC_ARN",
    "ses_configuration_set": "SES_CONFIGURATION_SET",
}
# In AWS the functions get the link secret's ARN, never its value (infra/template.json):
# without LINK_SECRET, the value is read from Secrets Manager once per process.
LINK_SECRET_ARN = "LINK_SECRET_ARN"  # noqa: S105 - the name of a variable, not a secret


# The functions, as Lambda names their handlers in `_HANDLER` (app.py defines them).
MAIL_HANDLER = "app.send_mails"
DUE_HANDLER = "app.send_due"
FEEDBACK_HANDLER = "app.handle_ses_feedback"


# Each setting's rule: a pattern (or a length) it must match. Plain checks, not a pydantic
# model: building one (with EmailStr, which reads package metadata) costs every cold start
# (docs/development.md, "What makes it quick"); the sender's address is checked by the
# registrations' own rule.
_PATTERNS = {
    "table_name": r"[A-Za-z0-9_.-]{3,255}",
    "region": r"[a-z]{2}(-[a-z]+)+-\d",
    "endpoint_url": r"https?://\S+",
    "public_api_url": r"https?://[^\s?#]+",
    "alert_topic_arn": r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}",
    "ses_configuration_set": r"[A-Za-z0-9_-]{1,64}",
}
_REQUIRED = ("table_name", "sender_email", "region")
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Settings:
    table_name: str
    sender_email: str
    region: str
    endpoint_url: str | None = None
    # Where the API is reached from outside: the base of every cancel and list link in a mail.
    public_api_url: str | None = None
    # Where failures no retry can mend are published (an SNS topic an admin subscribes to).
    alert_topic_arn: str | None = None
    # SES publishes bounces and complaints of mails sent with this configuration set.
    ses_configuration_set: str | None = None
    # The link secret itself (LINK_SECRET), or where to read it (LINK_SECRET_ARN).
    link_secret_value: str | None = field(default=None, repr=False)
    link_secret_arn: str | None = None

    @functools.cached_property
    def link_secret(self) -> str | None:
        """Signs cancel and list links and pseudonymises client addresses; a long random string (see
        docs/admin.md, "Deploying to AWS"). Read from Secrets Manager on first use, not at
        start: a registration without the hourly limit never needs it, and the API function's
        cold start is spared a client and a round trip (`make bench`)."""
        if self.link_secret_value is not None:
            return self.link_secret_value
        if self.link_secret_arn is None:
            return None
        secret = read_secret(self.link_secret_arn)
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(f"{LINK_SECRET_ARN} is invalid: {_too_short()}")
        return secret

    def require_for(self, handler: str | None) -> None:
        """What the function Lambda runs as `handler` (its `_HANDLER`) needs at start."""
        if handler == FEEDBACK_HANDLER:  # signs nothing: it is not given the link secret
            self.require("alert_topic_arn")
            return
        if handler in (MAIL_HANDLER, DUE_HANDLER):  # they mail cancel links and report failures
            self.require("link_secret", "public_api_url", "alert_topic_arn")
            return
        # The API function: the secret must be configured; it is read when first needed.
        if self.link_secret_value is None and self.link_secret_arn is None:
            raise SettingsError(f"{VARIABLES['link_secret']} is not set")

    def require(self, *fields: str) -> None:
        """Settings only some commands need (the admin CLI runs without the link secret)."""
        missing = [VARIABLES[field] for field in fields if getattr(self, field) is None]
        if missing:
            raise SettingsError("; ".join(f"{variable} is not set" for variable in missing))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Check the variables in ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    values = {name: env[variable] for name, variable in VARIABLES.items() if env.get(variable)}
    # Lambda reserves AWS_DEFAULT_REGION (a stage may not set it) and sets both itself.
    if "region" not in values and env.get("AWS_REGION"):
        values["region"] = env["AWS_REGION"]
    problems = [f"{VARIABLES[name]} is not set" for name in _REQUIRED if name not in values]
    for name, value in values.items():
        try:
            values[name] = _checked(name, value)
        except ValueError as exc:
            problems.append(f"{VARIABLES[name]} is invalid: {exc}")
    if problems:
        raise SettingsError("; ".join(problems))
    secret = values.pop("link_secret", None)
    return Settings(
        **values,
        link_secret_value=secret,
        link_secret_arn=None if secret else env.get(LINK_SECRET_ARN) or None,
    )


def _checked(name: str, value: str) -> str:
    """`value` as the setting holds it; raises ValueError saying what is wrong."""
    if name == "link_secret":
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError(_too_short())
        return value
    if name == "sender_email":
        return mail_address(value)  # InvalidAddress is a ValueError
    pattern = _PATTERNS[name]
    if not re.fullmatch(pattern, value):
        raise ValueError(f"does not match {pattern}")
    return value


def _too_short() -> str:
    return f"shorter than {MIN_SECRET_LENGTH} characters"


@functools.cache
def read_secret(arn: str) -> str:
    """The text of the Secrets Manager secret `arn`, fetched on first need and kept for the
    life of the process (one Lambda instance); a failure is not kept, the next start retries."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = aws.secretsmanager().get_secret_value(SecretId=arn)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        reason = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
        raise SettingsError(f"{LINK_SECRET_ARN} cannot be read ({reason})") from None
    except BotoCoreError as exc:
        raise SettingsError(f"{LINK_SECRET_ARN} cannot be read ({exc})") from None
    secret = answer.get("SecretString")
    if not secret:
        raise SettingsError(f"{LINK_SECRET_ARN} names a secret without a text value")
    return str(secret)
