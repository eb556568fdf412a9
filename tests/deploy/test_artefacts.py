"""The artefact bucket, the uploads by content and the template rewritten to name them (moto's S3)."""

from __future__ import annotations

import hashlib
import re

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from deploy import DeployError
from deploy.artefacts import (
    bucket_name,
    content_key,
    ensure_bucket,
    object_url,
    rewrite_local_files,
    upload_bytes,
)
from tests.deploy.conftest import REGION, client

ACCOUNT = DEFAULT_ACCOUNT_ID


def test_bucket_names_are_valid_for_every_s3_region():
    # S3's rules: 3–63 characters, lower-case letters, digits and hyphens, a letter or digit at each end.
    regions = boto3.session.Session().get_available_regions("s3")
    assert "eu-central-1" in regions
    for region in regions:
        name = bucket_name("123456789012", region)
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name), name
        assert region in name


def test_a_new_bucket_is_made_in_the_region_private_and_encrypted(aws):
    s3 = client("s3")
    name = bucket_name(ACCOUNT, REGION)
    assert ensure_bucket(s3, name, REGION, ACCOUNT) is True
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == REGION
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_us_east_1_gets_a_bucket_too(aws):
    # S3 refuses us-east-1 as an explicit location constraint.
    s3 = client("s3", "us-east-1")
    name = bucket_name(ACCOUNT, "us-east-1")
    assert ensure_bucket(s3, name, "us-east-1", ACCOUNT) is True
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] in (None, "us-east-1")


def test_an_existing_bucket_is_reused_and_tightened_again(aws):
    s3 = client("s3")
    name = bucket_name(ACCOUNT, REGION)
    ensure_bucket(s3, name, REGION, ACCOUNT)
    s3.put_object(Bucket=name, Key="kept", Body=b"from an earlier deployment")
    s3.delete_public_access_block(Bucket=name)  # loosened by hand
    assert ensure_bucket(s3, name, REGION, ACCOUNT) is False
    assert s3.get_object(Bucket=name, Key="kept")["Body"].read() == b"from an earlier deployment"
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_a_file_is_uploaded_once_per_content(aws):
    s3 = client("s3")
    name = bucket_name(ACCOUNT, REGION)
    ensure_bucket(s3, name, REGION, ACCOUNT)
    build = b"PK\x03\x04 the first build"
    key = content_key("event-registration", build, ".zip")
    assert key == f"event-registration/{hashlib.sha256(build).hexdigest()}.zip"
    assert upload_bytes(s3, name, key, build, ACCOUNT) is True
    assert upload_bytes(s3, name, key, build, ACCOUNT) is False  # the same build again: nothing to send
    changed = build + b" changed"
    assert content_key("event-registration", changed, ".zip") != key
    assert s3.get_object(Bucket=name, Key=key)["Body"].read() == build


def test_local_files_are_uploaded_once_and_the_template_names_them(tmp_path):
    (tmp_path / "deployment.zip").write_bytes(b"code")
    (tmp_path / "layer.zip").write_bytes(b"layer")
    template = {
        "Resources": {
            "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./deployment.zip"}},
            "Mail": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./deployment.zip"}},
            "Layer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "layer.zip"}},
            "Elsewhere": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://theirs/code.zip"}},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "./deployment.zip"}},
        }
    }
    uploads = []

    def upload(path):
        uploads.append(path.name)
        return f"s3://bucket/{path.read_bytes().decode()}"

    packaged = rewrite_local_files(template, tmp_path, upload)
    resources = packaged["Resources"]
    assert sorted(uploads) == ["deployment.zip", "layer.zip"]
    assert resources["APIHandler"]["Properties"]["CodeUri"] == "s3://bucket/code"
    assert resources["Mail"]["Properties"]["CodeUri"] == "s3://bucket/code"
    assert resources["Layer"]["Properties"]["ContentUri"] == "s3://bucket/layer"
    assert resources["Elsewhere"]["Properties"]["CodeUri"] == "s3://theirs/code.zip"
    assert resources["Table"]["Properties"]["TableName"] == "./deployment.zip"  # not a file property
    assert template["Resources"]["APIHandler"]["Properties"]["CodeUri"] == "./deployment.zip"  # a copy was changed


def test_a_missing_build_says_to_package(tmp_path):
    template = {"Resources": {"APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "x.zip"}}}}
    with pytest.raises(DeployError, match=r"APIHandler\.CodeUri names x\.zip, which is not a file .*make package"):
        rewrite_local_files(template, tmp_path, lambda path: pytest.fail(f"uploaded {path}"))


@pytest.mark.parametrize(
    ("region", "host"),
    [("eu-central-1", "s3.eu-central-1.amazonaws.com"), ("cn-north-1", "s3.cn-north-1.amazonaws.com.cn")],
)
def test_the_template_url_is_on_the_regions_s3_host(region, host):
    assert object_url(client("s3", region), "b", "stack/t.json") == f"https://b.{host}/stack/t.json"
