"""The service's settings: process environment -> one validated ``Settings``.

Read once at import of ``app.py`` so a bad deployment fails at start with a
message naming the variable, never with a traceback at the first request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

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


class SettingsError(Exception):
    """A setting is missing or invalid; the message names every such variable."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_.-]+$")
    sender_email: EmailStr
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    endpoint_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # Signs cancel links; a long random string (see README, "Deploying").
    link_secret: str | None = Field(default=None, min_length=32, repr=False)
    # Where the API is reached from outside: the base of every cancel link in a mail.
    public_api_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    # Where failures no retry can mend are published (an SNS topic an admin subscribes to).
    alert_topic_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$")
    # SES publishes bounces and complaints of mails sent with this configuration set.
    ses_configuration_set: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")

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
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            variable = VARIABLES[str(error["loc"][0])]
            reason = "is not set" if error["type"] == "missing" else f"is invalid: {error['msg']}"
            problems.append(f"{variable} {reason}")
        raise SettingsError("; ".join(problems)) from None
