"""`aws cloudformation package` in boto3: a private bucket, uploads by content, the template rewritten.

CloudFormation cannot read `./deployment.zip` on this machine, so every local file the
template names goes to S3 and the template names the S3 object instead.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from deploy import DeployError

# The properties of a SAM template that may name a local file, as Chalice writes them:
# the functions' code and, with Chalice's automatic layer, the layer's content.
LOCAL_FILE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}

_MISSING = ("404", "NoSuchKey", "NotFound", "NoSuchBucket")


def bucket_name(account: str, region: str) -> str:
    """The artefact bucket: bucket names are global, so the account makes it ours and the
    region lets one account deploy to several regions (a bucket serves its own region)."""
    return f"event-registration-deploy-{account}-{region}"


def ensure_bucket(s3: BaseClient, name: str, region: str, account: str) -> bool:
    """Create the bucket unless it exists, and make sure it is private and encrypted.

    Returns whether it was created now. The public-access block and the default
    encryption are set on every run, so a bucket loosened by hand is tightened again.
    """
    created = False
    try:
        # ExpectedBucketOwner: a bucket of this name in another account must not get our code.
        s3.head_bucket(Bucket=name, ExpectedBucketOwner=account)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code not in _MISSING:
            raise DeployError(
                f"The S3 bucket {name} exists, but it is not this account's"
                f" or your credentials may not use it ({code})."
            ) from None
        created = _create_bucket(s3, name, region)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
        ExpectedBucketOwner=account,
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
        ExpectedBucketOwner=account,
    )
    return created


def _create_bucket(s3: BaseClient, name: str, region: str) -> bool:
    # us-east-1 is S3's default location and refuses to be named as a constraint.
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    try:
        s3.create_bucket(Bucket=name, **location)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "BucketAlreadyOwnedByYou":  # made by a deployment running at the same time
            return False
        raise DeployError(f"Could not create the S3 bucket {name}: {exc}") from None
    return True


def content_key(prefix: str, data: bytes, suffix: str) -> str:
    """A key named by the content's SHA-256: the same build is stored once, and a changed
    build gets a new key, which is what makes CloudFormation update the functions."""
    return f"{prefix}/{hashlib.sha256(data).hexdigest()}{suffix}"


def upload_bytes(s3: BaseClient, bucket: str, key: str, data: bytes, account: str) -> bool:
    """Put `data` under `key` unless it is there already. Returns whether it was uploaded now."""
    try:
        s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") not in _MISSING:
            raise
    else:
        return False  # the key names its content, so an object under it is this content
    s3.put_object(Bucket=bucket, Key=key, Body=data, ExpectedBucketOwner=account)
    return True


def rewrite_local_files(template: dict[str, Any], base: Path, upload: Callable[[Path], str]) -> dict[str, Any]:
    """A copy of `template` whose local file references (relative to `base`) name what
    `upload` returned for each file (an `s3://bucket/key` URI); each file is uploaded once."""
    packaged = copy.deepcopy(template)
    uploaded: dict[Path, str] = {}
    for logical_id, resource in packaged.get("Resources", {}).items():
        prop = LOCAL_FILE_PROPERTIES.get(resource.get("Type", ""))
        properties = resource.get("Properties", {})
        value = properties.get(prop) if prop else None
        if not isinstance(value, str) or value.startswith("s3://"):
            continue
        path = (base / value).resolve()
        if not path.is_file():
            raise DeployError(f"{logical_id}.{prop} names {value}, which is not a file in {base}: run make package")
        if path not in uploaded:
            uploaded[path] = upload(path)
        properties[prop] = uploaded[path]
    return packaged


def object_url(s3: BaseClient, bucket: str, key: str) -> str:
    """The HTTPS URL CloudFormation reads a template from (TemplateURL), on the client's
    own regional S3 host, so other partitions' hosts come out right too."""
    host = urlsplit(s3.meta.endpoint_url).netloc
    return f"https://{bucket}.{host}/{key}"
