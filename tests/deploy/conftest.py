"""Deployment tests: AWS mocked in-process by moto, or botocore's Stubber where moto lacks a call."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

REGION = "eu-central-1"


@pytest.fixture
def aws():
    """moto for every service in this process; boto3 clients made inside talk to it."""
    with mock_aws():
        yield


def client(name: str, region: str = REGION):
    return boto3.client(name, region_name=region)
