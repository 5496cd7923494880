"""The errors awsmon raises on purpose.

`AwsmonError` is the base of all of them. Two families sit below it:

- `ClockError` (also a `ValueError`): misuse of the simulation itself, such as
  moving the virtual clock backwards.
- `ServiceError`: an error AWS itself would return. Each concrete class carries
  the exact AWS error ``code`` of one service (``ResourceNotFound`` for
  CloudWatch, ``ResourceNotFoundException`` for Logs, ...), the botocore
  ``service`` name and the HTTP status AWS answers with. The wire layer and the
  boto3 routing turn it into the AWS error response, so boto3 raises the
  modelled ``ClientError`` with the same code.

Semantic bases let callers catch by meaning, or by the builtin they already
know, whatever code a service uses for the idea:

====================  ====================  ===============================
base                  also a                typical codes
====================  ====================  ===============================
`NotFound`            `LookupError`         ResourceNotFound(Exception)
`InvalidParameter`    `ValueError`          InvalidParameterValue, Validation*
`AlreadyExists`                             ResourceAlreadyExistsException
`LimitExceeded`                             LimitExceeded(Exception)
`AccessDenied`        `PermissionError`     AccessDenied(Exception)
`Throttled`                                 ThrottlingException
`Unsupported`         `NotImplementedError` NotImplemented, InvalidAction
====================  ====================  ===============================

A service declares its own codes as small subclasses, with the code and
service as class keywords::

    class ResourceNotFoundException(NotFound, code="ResourceNotFoundException",
                                    service="logs"):
        '''The named log group, stream or filter does not exist.'''

Messages use AWS's wording where known, then the parameter as ``name=value``,
then a hint. The structured pieces stay available as `param` and `value`.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AccessDenied",
    "AlreadyExists",
    "AwsmonError",
    "ClockError",
    "Conflict",
    "InternalFailure",
    "InvalidAction",
    "InvalidParameter",
    "LimitExceeded",
    "NotFound",
    "NotImplementedOperation",
    "ServiceError",
    "Throttled",
    "Unsupported",
    "error_classes",
]


class AwsmonError(Exception):
    """Base of every error awsmon raises on purpose."""


class ClockError(AwsmonError, ValueError):
    """The virtual clock was misused (for example, asked to go backwards)."""


class ServiceError(AwsmonError):
    """An error that AWS itself would return, with its AWS error code.

    Attributes:
        code: the exact AWS error code string of `service` (never an HTTP status).
        service: the botocore service name (``"cloudwatch"``, ``"logs"``, ...);
            empty on the generic bases, which any service may raise.
        http_status: the HTTP status AWS answers this error with.
        sender_fault: True when the caller is at fault (AWS's ``Type: Sender``).
        message: the human-readable message, as AWS words it where known.
        param: the offending request parameter, when there is one.
        value: the offending value, when there is one.
    """

    code: ClassVar[str] = "InternalFailure"
    service: ClassVar[str] = ""
    http_status: ClassVar[int] = 400
    sender_fault: ClassVar[bool] = True

    def __init_subclass__(
        cls,
        *,
        code: str | None = None,
        service: str | None = None,
        http_status: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if service is not None:
            cls.service = service
        if http_status is not None:
            cls.http_status = http_status
            cls.sender_fault = http_status < 500

    def __init__(self, message: str, *, param: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.value = value

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def to_response(self) -> dict[str, Any]:
        """The error as the parsed body botocore builds from AWS's answer."""
        error: dict[str, Any] = {"Code": self.code, "Message": self.message}
        error["Type"] = "Sender" if self.sender_fault else "Receiver"
        return {"Error": error}


class NotFound(ServiceError, LookupError, code="ResourceNotFoundException"):
    """The named resource does not exist."""


class InvalidParameter(ServiceError, ValueError, code="ValidationException"):
    """A parameter's value breaks AWS's rules for it."""


class AlreadyExists(ServiceError, code="ResourceAlreadyExistsException"):
    """A resource with that name or id exists already."""


class Conflict(ServiceError, code="ConflictException"):
    """The resource is not in a state that allows the operation."""


class LimitExceeded(ServiceError, code="LimitExceededException"):
    """An AWS quota (number of resources, size, rate) would be exceeded."""


class AccessDenied(ServiceError, PermissionError, code="AccessDeniedException"):
    """The caller may not do this (policy, cross-account permission)."""


class Throttled(ServiceError, code="ThrottlingException"):
    """AWS would throttle this request."""


class InternalFailure(ServiceError, code="InternalFailure", http_status=500):
    """AWS failed on its side (simulated service faults)."""


class Unsupported(ServiceError, NotImplementedError, code="NotImplemented", http_status=501):
    """Something AWS offers that awsmon does not simulate."""


class NotImplementedOperation(Unsupported, code="NotImplemented", http_status=501):
    """An AWS operation that exists in the service's API but awsmon does not simulate."""


class InvalidAction(Unsupported, code="InvalidAction", http_status=400):
    """An operation name that the service's API does not have at all."""


def error_classes() -> list[type[ServiceError]]:
    """Every `ServiceError` class defined so far, the generic bases first."""
    found: list[type[ServiceError]] = []
    pending: list[type[ServiceError]] = [ServiceError]
    while pending:
        cls = pending.pop(0)
        if cls not in found:
            found.append(cls)
            pending.extend(cls.__subclasses__())
    return found
