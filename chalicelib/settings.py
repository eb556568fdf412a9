"""The service's settings: process environment -> one validated ``Settings``.

Read once at import of ``app.py`` so a bad deployment fails at start with a
message naming the variable, never with a traceback at the first request.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from chalicelib import aws

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


class SettingsError(Exception):
    """A setting is missing or invalid; the message names every such variable."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_.-]+$")
    sender_email: EmailStr
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    endpoint_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # Signs cancel links; a long random string (see docs/admin.md, "Deploying to AWS").
    link_secret: str | None = Field(default=None, min_length=32, repr=False)
    # Where the API is reached from outside: the base of every cancel link in a mail.
    public_api_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    # Where failures no retry can mend are published (an SNS topic an admin subscribes to).
    alert_topic_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
    )
    # SES publishes bounces and complaints of mails sent with this configuration set.
    ses_configuration_set: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")

    def require_for(self, handler: str | None) -> None:
        """What the function Lambda runs as `handler` (its `_HANDLER`) needs at start."""
        if handler == FEEDBACK_HANDLER:  # signs nothing: it is not given the link secret
            self.require("alert_topic_arn")
            return
        self.require("link_secret")
        if handler in (MAIL_HANDLER, DUE_HANDLER):  # they mail cancel links and report failures
            self.require("public_api_url", "alert_topic_arn")

    def require(self, *fields: str) -> None:
        """Settings only some commands need (the admin CLI runs without the link secret)."""
        missing = [VARIABLES[field] for field in fields if getattr(self, field) is None]
        if missing:
            raise SettingsError("; ".join(f"{variable} is not set" for variable in missing))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Validate the variables in ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    values = {field: env[var] for field, var in VARIABLES.items() if env.get(var)}
    # Lambda reserves AWS_DEFAULT_REGION (a stage may not set it) and sets both itself.
    if "region" not in values and env.get("AWS_REGION"):
        values["region"] = env["AWS_REGION"]
    secret_arn = None if "link_secret" in values else env.get(LINK_SECRET_ARN)
    if secret_arn:
        values["link_secret"] = read_secret(secret_arn)
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0])
            variable = LINK_SECRET_ARN if field == "link_secret" and secret_arn else VARIABLES[field]
            reason = "is not set" if error["type"] == "missing" else f"is invalid: {error['msg']}"
            problems.append(f"{variable} {reason}")
        raise SettingsError("; ".join(problems)) from None


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
