"""Tests of awsmon/neighbours/sts.py: GetCallerIdentity and AssumeRole."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from awsmon import Cloud
from awsmon.errors import ServiceError
from awsmon.neighbours.sts import ExpiredTokenException, principal_for_access_key
from awsmon.testing.shapes import assert_shape

ROLE = "arn:aws:iam::210987654321:role/path/Auditor"


def test_assume_role_gives_a_principal_for_later_calls(awsmon_boto3: Cloud) -> None:
    """AssumeRole answers AWS's shape; its principal acts in the role's account."""
    sts = boto3.client("sts")
    answer = sts.assume_role(RoleArn=ROLE, RoleSessionName="audit-1", DurationSeconds=900)
    assert_shape("sts", "AssumeRole", answer)
    arn = answer["AssumedRoleUser"]["Arn"]
    assert arn == "arn:aws:sts::210987654321:assumed-role/Auditor/audit-1"
    assert answer["AssumedRoleUser"]["AssumedRoleId"].endswith(":audit-1")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert credentials["Expiration"] == awsmon_boto3.clock.now() + timedelta(seconds=900)
    with awsmon_boto3.as_principal(arn):
        who = sts.get_caller_identity()
    assert (who["Account"], who["Arn"]) == ("210987654321", arn)
    principal = principal_for_access_key(awsmon_boto3, credentials["AccessKeyId"])
    assert principal is not None and principal.arn == arn and principal.type == "AssumedRole"
    assert principal_for_access_key(awsmon_boto3, "AKIAUNKNOWN") is None
    awsmon_boto3.clock.advance(900)
    with pytest.raises(ExpiredTokenException):
        principal_for_access_key(awsmon_boto3, credentials["AccessKeyId"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"RoleArn": "arn:aws:iam::123456789012:user/bob"}, "is invalid"),
        ({"RoleSessionName": "bad name"}, "at 'roleSessionName' failed"),
        ({"DurationSeconds": 60}, "at 'durationSeconds' failed"),
    ],
    ids=["not-a-role", "session", "duration"],
)
def test_assume_role_errors(params: dict[str, object], message: str) -> None:
    """A malformed role, session name or duration is a ValidationError."""
    request = {"RoleArn": ROLE, "RoleSessionName": "s1", **params}
    with pytest.raises(ServiceError, match=message) as caught:
        Cloud().client("sts").assume_role(**request)
    assert caught.value.code == "ValidationError"
