"""SNS's error classes (Query protocol codes, as botocore models them)."""

from __future__ import annotations

from awsmon.errors import AccessDenied, InvalidParameter, LimitExceeded, NotFound

__all__ = [
    "AuthorizationErrorException",
    "BatchEntryIdsNotDistinctException",
    "EmptyBatchRequestException",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "NotFoundException",
    "TooManyEntriesInBatchRequestException",
    "TopicLimitExceededException",
]


class NotFoundException(NotFound, code="NotFound", service="sns", http_status=404):
    """The topic or subscription does not exist."""


class InvalidParameterException(InvalidParameter, code="InvalidParameter", service="sns"):
    """A request parameter does not comply with SNS's rules."""


class InvalidParameterValueException(InvalidParameter, code="ParameterValueInvalid", service="sns"):
    """A parameter value is out of range (message attributes, for example)."""


class AuthorizationErrorException(
    AccessDenied, code="AuthorizationError", service="sns", http_status=403
):
    """The caller may not do this to the topic."""


class TopicLimitExceededException(
    LimitExceeded, code="TopicLimitExceeded", service="sns", http_status=403
):
    """The account has as many topics as SNS allows."""


class EmptyBatchRequestException(
    InvalidParameterException, code="EmptyBatchRequest", service="sns"
):
    """A PublishBatch without entries."""


class TooManyEntriesInBatchRequestException(
    InvalidParameterException, code="TooManyEntriesInBatchRequest", service="sns"
):
    """A PublishBatch with more than 10 entries."""


class BatchEntryIdsNotDistinctException(
    InvalidParameterException, code="BatchEntryIdsNotDistinct", service="sns"
):
    """Two PublishBatch entries share an Id."""
