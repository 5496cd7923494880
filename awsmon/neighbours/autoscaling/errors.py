"""Amazon EC2 Auto Scaling's error classes (Query protocol codes, as botocore models them)."""

from __future__ import annotations

from awsmon.errors import AlreadyExists, Conflict, InvalidParameter, LimitExceeded, ServiceError

__all__ = [
    "AlreadyExistsFault",
    "InvalidNextToken",
    "LimitExceededFault",
    "ResourceInUseFault",
    "ScalingActivityInProgressFault",
    "UnsupportedOperation",
    "ValidationError",
]


class ValidationError(InvalidParameter, code="ValidationError", service="autoscaling"):
    """A parameter is not valid, or the group or policy named does not exist."""


class AlreadyExistsFault(AlreadyExists, code="AlreadyExists", service="autoscaling"):
    """A group of that name exists."""


class LimitExceededFault(LimitExceeded, code="LimitExceeded", service="autoscaling"):
    """A quota would be exceeded."""


class ResourceInUseFault(Conflict, code="ResourceInUse", service="autoscaling"):
    """The group still has instances."""


class ScalingActivityInProgressFault(
    Conflict, code="ScalingActivityInProgress", service="autoscaling"
):
    """A scaling activity or cooldown is in progress."""


class InvalidNextToken(InvalidParameter, code="InvalidNextToken", service="autoscaling"):
    """The NextToken is not one awsmon issued."""


class UnsupportedOperation(ServiceError, code="UnsupportedOperation", service="autoscaling"):
    """The operation is not available to this account (launch configurations)."""
