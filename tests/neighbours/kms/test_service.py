"""Tests of awsmon/neighbours/kms.py: key states, aliases, policies and usable_key."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.kms import (
    AccessDeniedException,
    DisabledException,
    KMSInvalidStateException,
    NotFoundException,
)
from awsmon.testing.shapes import assert_shape


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


def test_key_lifecycle_through_boto3(awsmon_boto3: Cloud) -> None:
    """Keys are created enabled, disabled and enabled, found by alias, and listed."""
    kms = boto3.client("kms")
    created = kms.create_key(Description="logs key")
    assert_shape("kms", "CreateKey", created)
    meta = created["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{meta['KeyId']}"
    kms.create_alias(AliasName="alias/logs", TargetKeyId=meta["KeyId"])
    described = kms.describe_key(KeyId="alias/logs")
    assert_shape("kms", "DescribeKey", described)
    assert described["KeyMetadata"]["KeyId"] == meta["KeyId"]
    kms.disable_key(KeyId=meta["Arn"])
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=meta["KeyId"])
    aliases = kms.list_aliases(KeyId=meta["KeyId"])
    assert_shape("kms", "ListAliases", aliases)
    assert [a["AliasName"] for a in aliases["Aliases"]] == ["alias/logs"]
    assert_shape("kms", "ListKeys", kms.list_keys())
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="alias/nope")


def test_scheduled_deletion_on_the_clock(cloud: Cloud) -> None:
    """A key pending deletion is unusable, can be cancelled, and is gone at its date."""
    kms = cloud.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    scheduled = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert_shape("kms", "ScheduleKeyDeletion", scheduled)
    assert scheduled["DeletionDate"] == cloud.clock.now() + timedelta(days=7)
    with pytest.raises(KMSInvalidStateException):
        cloud.kms.usable_key(key_id)
    kms.cancel_key_deletion(KeyId=key_id)
    assert cloud.kms.key(key_id).state.value == "Disabled"
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    cloud.clock.advance(timedelta(days=7))
    with pytest.raises(NotFoundException):
        kms.describe_key(KeyId=key_id)


def test_usable_key_checks_state_and_policy(cloud: Cloud) -> None:
    """usable_key refuses disabled keys and principals the key policy does not allow."""
    key = cloud.kms.create_key()
    service = "logs.us-east-1.amazonaws.com"
    with pytest.raises(AccessDeniedException, match="is not authorized to perform"):
        cloud.kms.usable_key(key.key_id, principal_service=service)
    policy = json.loads(cloud.kms.get_key_policy(key.key_id))
    policy["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
            "Resource": "*",
        }
    )
    cloud.client("kms").put_key_policy(
        KeyId=key.key_id, PolicyName="default", Policy=json.dumps(policy)
    )
    assert cloud.kms.usable_key(key.arn, principal_service=service) is key
    cloud.kms.disable_key(key.key_id)
    with pytest.raises(DisabledException):
        cloud.kms.usable_key(key.arn, principal_service=service)


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        (
            "create_alias",
            {"AliasName": "alias/aws/x", "TargetKeyId": "K"},
            "InvalidAliasNameException",
        ),
        ("create_alias", {"AliasName": "logs", "TargetKeyId": "K"}, "InvalidAliasNameException"),
        (
            "describe_key",
            {"KeyId": "arn:aws:kms:us-east-1:123456789012:nope"},
            "InvalidArnException",
        ),
        ("schedule_key_deletion", {"KeyId": "K", "PendingWindowInDays": 6}, "ValidationException"),
        (
            "put_key_policy",
            {"KeyId": "K", "PolicyName": "default", "Policy": "{"},
            "MalformedPolicyDocumentException",
        ),
    ],
    ids=["aws-alias", "no-prefix", "bad-arn", "window", "policy"],
)
def test_error_table(cloud: Cloud, method: str, params: dict[str, object], code: str) -> None:
    """Invalid calls raise KMS's codes and leave the key as it was."""
    key = cloud.kms.create_key()
    params = {k: (key.key_id if v == "K" else v) for k, v in params.items()}
    with pytest.raises(ServiceError) as caught:
        getattr(cloud.client("kms"), method)(**params)
    assert caught.value.code == code
    assert cloud.kms.aliases == {} and key.state.value == "Enabled"
