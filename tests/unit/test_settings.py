"""Settings are checked at start; a bad one is named."""

import os
import subprocess
import sys

import pytest

from chalicelib.config.config_errors import SettingsError
from chalicelib.config.settings import load_settings
from tests.factories import PROJECT_DIR

GOOD = {
    "TABLE_NAME": "registrations",
    "SENDER_EMAIL": "anmeldung@example.org",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "LINK_SECRET": "x" * 32,
    "PUBLIC_API_URL": "https://abc.execute-api.eu-central-1.amazonaws.com/api",
}


def test_good_settings():
    settings = load_settings(GOOD)
    assert (settings.table_name, settings.region, settings.endpoint_url) == ("registrations", "eu-central-1", None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"TABLE_NAME": ""}, "TABLE_NAME is not set"),
        ({"SENDER_EMAIL": "nobody"}, "SENDER_EMAIL is invalid"),
        ({"AWS_DEFAULT_REGION": "Frankfurt"}, "AWS_DEFAULT_REGION is invalid"),
        ({"AWS_ENDPOINT_URL": "localhost:4566"}, "AWS_ENDPOINT_URL is invalid"),
        ({"LINK_SECRET": "short"}, "LINK_SECRET is invalid"),
        ({"PUBLIC_API_URL": "api.example.org"}, "PUBLIC_API_URL is invalid"),
    ],
)
def test_a_bad_setting_is_named(changes, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({**GOOD, **changes})


def test_every_problem_is_named_at_once():
    with pytest.raises(SettingsError) as info:
        load_settings({})
    assert str(info.value) == "TABLE_NAME is not set; SENDER_EMAIL is not set; AWS_DEFAULT_REGION is not set"


def test_the_functions_require_the_link_settings():
    settings = load_settings({k: v for k, v in GOOD.items() if k not in ("LINK_SECRET", "PUBLIC_API_URL")})
    with pytest.raises(SettingsError, match=r"^LINK_SECRET is not set; PUBLIC_API_URL is not set$"):
        settings.require("link_secret", "public_api_url")


def test_the_region_lambda_sets_is_enough():
    env = {k: v for k, v in GOOD.items() if k != "AWS_DEFAULT_REGION"}
    settings = load_settings({**env, "AWS_REGION": "eu-west-1"})
    assert settings.region == "eu-west-1"


def start_app(env: dict[str, str], handler: str | None = None) -> subprocess.CompletedProcess[str]:
    """`import app` in a fresh interpreter with `env`, as Lambda starts the function `handler`."""
    env = {**env, "_HANDLER": handler} if handler else env
    return subprocess.run(
        [sys.executable, "-c", "import app"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )


def test_the_app_refuses_to_start_with_a_message_naming_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TABLE_NAME",)}
    result = start_app(env)
    assert result.returncode != 0
    assert result.stderr.strip() == "event-registration: bad configuration: TABLE_NAME is not set"


def test_the_mail_function_refuses_to_start_without_the_api_url():
    env = {k: v for k, v in os.environ.items() if k != "PUBLIC_API_URL"}
    assert start_app(env).returncode == 0
    as_mail = start_app(env, "app.send_mails")
    assert as_mail.returncode != 0
    assert as_mail.stderr.strip() == "event-registration: bad configuration: PUBLIC_API_URL is not set"


# --- the link secret in AWS: its ARN in the configuration, its value read from Secrets Manager ---
@pytest.fixture
def secrets():
    """Moto's Secrets Manager, and no secret remembered from an earlier test."""
    import boto3
    from moto import mock_aws

    from chalicelib.config import aws
    from chalicelib.config.settings import read_secret

    read_secret.cache_clear()
    with mock_aws():
        aws.reset()
        yield boto3.client("secretsmanager")
    aws.reset()
    read_secret.cache_clear()


def without_secret(**changes):
    return {**{k: v for k, v in GOOD.items() if k != "LINK_SECRET"}, **changes}


def test_the_link_secret_is_read_from_its_arn(secrets):
    arn = secrets.create_secret(Name="link", SecretString="s" * 48)["ARN"]
    settings = load_settings(without_secret(LINK_SECRET_ARN=arn))
    assert settings.link_secret == "s" * 48
    settings.require("link_secret")


def test_the_link_secret_is_read_once_per_process(secrets):
    arn = secrets.create_secret(Name="link", SecretString="s" * 48)["ARN"]
    assert load_settings(without_secret(LINK_SECRET_ARN=arn)).link_secret == "s" * 48
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    assert load_settings(without_secret(LINK_SECRET_ARN=arn)).link_secret == "s" * 48


def test_a_set_link_secret_wins_and_secrets_manager_is_not_asked(secrets):
    arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:nowhere-AbCdEf"
    assert load_settings({**GOOD, "LINK_SECRET_ARN": arn}).link_secret == GOOD["LINK_SECRET"]


def test_the_secret_is_read_when_first_needed_not_at_start(secrets):
    arn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:nowhere-AbCdEf"
    settings = load_settings(without_secret(LINK_SECRET_ARN=arn))
    settings.require_for("app.app")  # the API function starts: a registration may not need it
    with pytest.raises(SettingsError, match=r"^LINK_SECRET_ARN cannot be read \(ResourceNotFoundException"):
        settings.require_for("app.send_mails")  # the mail function signs every mail: it reads at start
    with pytest.raises(SettingsError, match=r"^LINK_SECRET_ARN cannot be read \(ResourceNotFoundException"):
        _ = settings.link_secret


def test_the_api_function_needs_the_secret_configured():
    with pytest.raises(SettingsError, match=r"^LINK_SECRET is not set$"):
        load_settings(without_secret()).require_for("app.app")


def test_a_failed_read_is_not_remembered(secrets):
    with pytest.raises(SettingsError):
        _ = load_settings(without_secret(LINK_SECRET_ARN="link")).link_secret
    secrets.create_secret(Name="link", SecretString="s" * 48)
    assert load_settings(without_secret(LINK_SECRET_ARN="link")).link_secret == "s" * 48


def test_a_short_or_binary_secret_is_refused_naming_the_arn(secrets):
    short = secrets.create_secret(Name="short", SecretString="too short")["ARN"]
    with pytest.raises(SettingsError, match=r"^LINK_SECRET_ARN is invalid: shorter than 32 characters$"):
        _ = load_settings(without_secret(LINK_SECRET_ARN=short)).link_secret
    binary = secrets.create_secret(Name="binary", SecretBinary=b"\x00" * 48)["ARN"]
    with pytest.raises(SettingsError, match=r"^LINK_SECRET_ARN names a secret without a text value$"):
        _ = load_settings(without_secret(LINK_SECRET_ARN=binary)).link_secret


def test_secrets_manager_out_of_reach_is_a_settings_error(monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    from chalicelib.config import aws
    from chalicelib.config.settings import read_secret

    class Unreachable:
        def get_secret_value(self, **request):
            raise EndpointConnectionError(endpoint_url="https://secretsmanager.eu-central-1.amazonaws.com/")

    read_secret.cache_clear()
    monkeypatch.setattr(aws, "secretsmanager", Unreachable)
    with pytest.raises(SettingsError, match=r"^LINK_SECRET_ARN cannot be read \(Could not connect"):
        _ = load_settings(without_secret(LINK_SECRET_ARN="arn:aws:secretsmanager:eu-central-1:1:secret:x")).link_secret
    read_secret.cache_clear()


def test_the_api_function_starts_without_reading_the_secret():
    """In AWS the secret is read on first need: the API function's cold start does not wait for it
    (the mail function, which signs every mail, still reads it at start and stops if it cannot)."""
    env = {k: v for k, v in os.environ.items() if k != "LINK_SECRET"}
    env |= {
        "LINK_SECRET_ARN": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:link-AbCdEf",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing answers there: a read would fail
    }
    as_api = start_app(env)
    assert as_api.returncode == 0, as_api.stderr
    as_mail = start_app(env, "app.send_mails")
    assert as_mail.returncode != 0
    assert "LINK_SECRET_ARN cannot be read" in as_mail.stderr
