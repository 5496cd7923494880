"""Amazon S3's error classes (REST-XML codes and HTTP statuses, as botocore models them)."""

from __future__ import annotations

from typing import Any

from awsmon.errors import AccessDenied, AlreadyExists, Conflict, InvalidParameter, NotFound

__all__ = [
    "AccessDeniedError",
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
    "MalformedPolicy",
    "NoSuchBucket",
    "NoSuchBucketPolicy",
    "NoSuchConfiguration",
    "NoSuchKey",
]


class NoSuchBucket(NotFound, code="NoSuchBucket", service="s3", http_status=404):
    """The bucket does not exist."""


class NoSuchKey(NotFound, code="NoSuchKey", service="s3", http_status=404):
    """The object does not exist."""


class NoSuchConfiguration(NotFound, code="NoSuchConfiguration", service="s3", http_status=404):
    """The bucket has no metrics configuration of that id."""


class HeadNotFound(NotFound, code="NotFound", service="s3", http_status=404):
    """A HEAD request for a missing bucket or object: AWS sends no body, so boto3 sees ``404``."""

    def to_response(self) -> dict[str, Any]:
        return {"Error": {"Code": "404", "Message": "Not Found"}}


class NoSuchBucketPolicy(NotFound, code="NoSuchBucketPolicy", service="s3", http_status=404):
    """The bucket has no policy."""


class BucketAlreadyExists(AlreadyExists, code="BucketAlreadyExists", service="s3", http_status=409):
    """Another account owns a bucket of that name."""


class BucketAlreadyOwnedByYou(
    AlreadyExists, code="BucketAlreadyOwnedByYou", service="s3", http_status=409
):
    """You own a bucket of that name already (outside us-east-1)."""


class BucketNotEmpty(Conflict, code="BucketNotEmpty", service="s3", http_status=409):
    """The bucket still holds objects."""


class InvalidBucketName(InvalidParameter, code="InvalidBucketName", service="s3"):
    """The bucket name breaks S3's naming rules."""


class InvalidArgument(InvalidParameter, code="InvalidArgument", service="s3"):
    """A request argument is invalid."""


class IllegalLocationConstraintException(
    InvalidParameter, code="IllegalLocationConstraintException", service="s3"
):
    """The location constraint does not fit the region the request went to."""


class InvalidLocationConstraint(InvalidParameter, code="InvalidLocationConstraint", service="s3"):
    """The location constraint is not a valid region."""


class MalformedPolicy(InvalidParameter, code="MalformedPolicy", service="s3"):
    """The bucket policy is not a policy document."""


class KeyTooLongError(InvalidParameter, code="KeyTooLongError", service="s3"):
    """The object key is longer than 1024 bytes."""


class InvalidRange(InvalidParameter, code="InvalidRange", service="s3", http_status=416):
    """The requested byte range is not satisfiable."""


class AccessDeniedError(AccessDenied, code="AccessDenied", service="s3", http_status=403):
    """The caller may not do this to the bucket."""
