"""Shared helpers for the CloudTrail tests: a trail bucket with AWS's documented policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from awsmon import Cloud

ACCOUNT = "123456789012"


def trail_bucket_policy(bucket: str, prefix: str = "", account: str = ACCOUNT) -> str:
    """The bucket policy the CloudTrail User Guide gives for a trail's bucket."""
    path = f"{prefix}/" if prefix else ""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSCloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": f"arn:aws:s3:::{bucket}",
                },
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/{path}AWSLogs/{account}/*",
                },
            ],
        }
    )


def make_trail_bucket(cloud: Cloud, bucket: str = "trail-bucket", prefix: str = "") -> str:
    """Create `bucket` with the trail policy; returns its name."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_bucket_policy(bucket, prefix))
    return bucket


@pytest.fixture
def cloud() -> Cloud:
    """A fresh cloud whose event history shows calls at once."""
    made = Cloud()
    made.cloudtrail.history_delay = timedelta(0)
    return made


@pytest.fixture
def bucket_policy() -> Callable[..., str]:
    """`trail_bucket_policy`, for tests that write their own."""
    return trail_bucket_policy


@pytest.fixture
def trail_bucket() -> Callable[..., str]:
    """`make_trail_bucket`: a bucket CloudTrail may write to."""
    return make_trail_bucket
