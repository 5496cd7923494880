"""Kinesis Data Streams' error classes, one per Kinesis error code."""

from __future__ import annotations

from awsmon.errors import (
    AccessDenied,
    AlreadyExists,
    InvalidParameter,
    LimitExceeded,
    NotFound,
    ServiceError,
    Throttled,
)

__all__ = [
    "ExpiredIteratorException",
    "ExpiredNextTokenException",
    "InvalidArgumentException",
    "KinesisAccessDeniedException",
    "LimitExceededException",
    "ProvisionedThroughputExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ValidationException",
]


class ResourceNotFoundException(NotFound, code="ResourceNotFoundException", service="kinesis"):
    """The stream or shard does not exist, or is not ACTIVE yet."""


class ResourceInUseException(AlreadyExists, code="ResourceInUseException", service="kinesis"):
    """The stream exists already, or is not in a state that allows the operation."""


class InvalidArgumentException(
    InvalidParameter, code="InvalidArgumentException", service="kinesis"
):
    """A parameter is out of range or does not fit the others."""


class ValidationException(InvalidParameter, code="ValidationException", service="kinesis"):
    """A parameter breaks its modelled constraint (length, pattern, range)."""


class LimitExceededException(LimitExceeded, code="LimitExceededException", service="kinesis"):
    """An account quota (shards per account and region) would be exceeded."""


class ExpiredIteratorException(ServiceError, code="ExpiredIteratorException", service="kinesis"):
    """The shard iterator is older than five minutes."""


class ExpiredNextTokenException(ServiceError, code="ExpiredNextTokenException", service="kinesis"):
    """The pagination token is older than five minutes."""


class ProvisionedThroughputExceededException(
    Throttled, code="ProvisionedThroughputExceededException", service="kinesis"
):
    """A shard's write rate (1,000 records or 1 MiB per second) would be exceeded."""


class KinesisAccessDeniedException(AccessDenied, code="AccessDeniedException", service="kinesis"):
    """The caller may not use this stream."""
