"""Amazon S3: buckets, objects and bucket policies, enough for trail delivery and log exports.

`S3` (service.py) is the service seen from one account and region (bucket names
are global per `Cloud`); `model.py` holds the values and the bucket-name rules,
`errors.py` the error classes, `api.py` the wire translation.
"""

from __future__ import annotations

from awsmon.neighbours.s3.api import S3Api
from awsmon.neighbours.s3.errors import (
    AccessDeniedError,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    HeadNotFound,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidBucketName,
    InvalidLocationConstraint,
    InvalidRange,
    KeyTooLongError,
    MalformedPolicy,
    NoSuchBucket,
    NoSuchBucketPolicy,
    NoSuchConfiguration,
    NoSuchKey,
)
from awsmon.neighbours.s3.model import (
    Bucket,
    ListPage,
    MetricsConfiguration,
    S3Object,
    check_bucket_name,
)
from awsmon.neighbours.s3.service import S3

__all__ = [
    "S3",
    "AccessDeniedError",
    "Bucket",
    "BucketAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "BucketNotEmpty",
    "HeadNotFound",
    "IllegalLocationConstraintException",
    "InvalidArgument",
    "InvalidBucketName",
    "InvalidLocationConstraint",
    "InvalidRange",
    "KeyTooLongError",
    "ListPage",
    "MalformedPolicy",
    "MetricsConfiguration",
    "NoSuchBucket",
    "NoSuchBucketPolicy",
    "NoSuchConfiguration",
    "NoSuchKey",
    "S3Api",
    "S3Object",
    "check_bucket_name",
]
