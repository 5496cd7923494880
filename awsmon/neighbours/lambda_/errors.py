"""Lambda's error classes (REST-JSON protocol codes, as botocore models them)."""

from __future__ import annotations

from awsmon.errors import AccessDenied, Conflict, InvalidParameter, NotFound, Throttled

__all__ = [
    "AccessDeniedException",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "ResourceConflictException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "TooManyRequestsException",
    "ValidationException",
]


class AccessDeniedException(
    AccessDenied, code="AccessDeniedException", service="lambda", http_status=403
):
    """Another account's caller whom the function policy does not let in."""


class ResourceNotFoundException(
    NotFound, code="ResourceNotFoundException", service="lambda", http_status=404
):
    """The function (or its policy statement) does not exist."""


class ResourceConflictException(
    Conflict, code="ResourceConflictException", service="lambda", http_status=409
):
    """The function or statement exists already."""


class InvalidParameterValueException(
    InvalidParameter, code="InvalidParameterValueException", service="lambda"
):
    """A parameter value is not valid."""


class ValidationException(InvalidParameter, code="ValidationException", service="lambda"):
    """A parameter breaks its modelled constraint."""


class InvalidRequestContentException(
    InvalidParameter, code="InvalidRequestContentException", service="lambda"
):
    """The invocation payload is not JSON."""


class TooManyRequestsException(
    Throttled, code="TooManyRequestsException", service="lambda", http_status=429
):
    """The function is throttled (reserved concurrency exhausted)."""


class ResourceInUseException(
    Conflict, code="ResourceInUseException", service="lambda", http_status=400
):
    """The event source mapping is changing state (Creating, Updating ...)."""
