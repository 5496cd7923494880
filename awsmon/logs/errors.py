"""The CloudWatch Logs error codes awsmon raises.

Each class pins one AWS error code of the ``logs`` service (API 2014-03-28) on
a semantic base from `awsmon.errors`, so callers can catch by meaning
(``except InvalidParameter``), by builtin (``except ValueError``) or by the
exact code.

Classes are kept sorted by name; other modules append their own.
"""

from __future__ import annotations

from awsmon.errors import (
    AccessDenied,
    AlreadyExists,
    Conflict,
    InvalidParameter,
    LimitExceeded,
    NotFound,
)
from awsmon.params import Params, Wording

__all__ = [
    "REQUEST",
    "AccessDeniedException",
    "InvalidOperationException",
    "InvalidParameterException",
    "LimitExceededException",
    "OperationAbortedException",
    "ResourceAlreadyExistsException",
    "ResourceNotFoundException",
    "TooManyTagsException",
    "ValidationException",
    "validation_message",
]


class AccessDeniedException(AccessDenied, code="AccessDeniedException", service="logs"):
    """The caller (or CloudWatch Logs itself) may not use a resource, such as a KMS key."""


class InvalidOperationException(Conflict, code="InvalidOperationException", service="logs"):
    """The operation is not valid on the resource in its state (cancelling a finished export)."""


class InvalidParameterException(InvalidParameter, code="InvalidParameterException", service="logs"):
    """A parameter is not valid: for example a filter pattern that does not parse."""


class LimitExceededException(LimitExceeded, code="LimitExceededException", service="logs"):
    """A quota would be exceeded (filters per group, active export tasks, ...)."""


class OperationAbortedException(Conflict, code="OperationAbortedException", service="logs"):
    """Another operation on the resource is in progress."""


class ResourceAlreadyExistsException(
    AlreadyExists, code="ResourceAlreadyExistsException", service="logs"
):
    """A log group, stream or export task of that name exists already."""


class ResourceNotFoundException(NotFound, code="ResourceNotFoundException", service="logs"):
    """The named log group, stream, filter, export task or policy does not exist."""


class TooManyTagsException(LimitExceeded, code="TooManyTagsException", service="logs"):
    """A resource would carry more than 50 tags."""


class ValidationException(InvalidParameter, code="ValidationException", service="logs"):
    """The request breaks a rule checked before the operation (deletion protection)."""


def validation_message(param: str, value: object, constraint: str) -> str:
    """AWS's message for `param`=`value` breaking a modelled constraint.

    The wording is `awsmon.params.Wording`'s, the one place it lives; `param`
    is the member's path as AWS writes it (``logEvents.1.member.message``).
    """
    return _WORDING.invalid_message(param, value, constraint)


_WORDING = Wording()

#: AWS's validation errors for members the domain checks, named by their request
#: path (``REQUEST.invalid("limit", 0, "Member must ...")``), in CloudWatch Logs'
#: wording; the wire layer's `Params` words its own the same way.
REQUEST = Params({}, invalid=InvalidParameterException, missing=InvalidParameterException)
