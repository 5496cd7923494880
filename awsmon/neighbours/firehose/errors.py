"""Amazon Data Firehose's error classes, one per Firehose error code."""

from __future__ import annotations

from awsmon.errors import AlreadyExists, InvalidParameter, LimitExceeded, NotFound, ServiceError

__all__ = [
    "InvalidArgumentException",
    "LimitExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ServiceUnavailableException",
    "ValidationException",
]


class ResourceNotFoundException(NotFound, code="ResourceNotFoundException", service="firehose"):
    """The delivery stream does not exist (or is not ACTIVE)."""


class ResourceInUseException(AlreadyExists, code="ResourceInUseException", service="firehose"):
    """A delivery stream of that name exists already, or is busy."""


class InvalidArgumentException(
    InvalidParameter, code="InvalidArgumentException", service="firehose"
):
    """A parameter is invalid or does not fit the others."""


class ValidationException(InvalidParameter, code="ValidationException", service="firehose"):
    """A parameter breaks its modelled constraint (length, pattern, range)."""


class LimitExceededException(LimitExceeded, code="LimitExceededException", service="firehose"):
    """The account's delivery stream quota would be exceeded."""


class ServiceUnavailableException(
    ServiceError, code="ServiceUnavailableException", service="firehose", http_status=500
):
    """The delivery stream is over its throughput quota ("Slow down.")."""
