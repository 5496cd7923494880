"""The CloudWatch (metrics and alarms) error codes awsmon raises.

Each class pins one AWS error code of the ``cloudwatch`` service (API
2010-08-01) on a semantic base from `awsmon.errors`, so callers can catch by
meaning (``except InvalidParameter``), by builtin (``except ValueError``) or
by the exact code.

Classes are kept sorted by name; other modules append their own.
"""

from __future__ import annotations

from awsmon.errors import InvalidParameter, LimitExceeded, NotFound, ServiceError

__all__ = [
    "DashboardInvalidInputError",
    "DashboardNotFoundError",
    "InternalServiceError",
    "InvalidFormatFault",
    "InvalidNextToken",
    "InvalidParameterCombination",
    "InvalidParameterValue",
    "LimitExceededException",
    "LimitExceededFault",
    "MissingParameter",
    "RequestEntityTooLarge",
    "ResourceNotFound",
    "ResourceNotFoundException",
    "ValidationError",
]


class DashboardInvalidInputError(
    InvalidParameter, code="InvalidParameterInput", service="cloudwatch"
):
    """A dashboard body that is not valid JSON or breaks the dashboard schema."""


class DashboardNotFoundError(
    NotFound, code="ResourceNotFound", service="cloudwatch", http_status=404
):
    """The named dashboard does not exist."""


class InternalServiceError(
    ServiceError, code="InternalServiceError", service="cloudwatch", http_status=500
):
    """CloudWatch failed on its side."""


class InvalidFormatFault(InvalidParameter, code="InvalidFormat", service="cloudwatch"):
    """A value that is not in the format required (SetAlarmState's StateReasonData JSON)."""


class InvalidNextToken(InvalidParameter, code="InvalidNextToken", service="cloudwatch"):
    """A pagination token that this query did not hand out."""


class InvalidParameterCombination(
    InvalidParameter, code="InvalidParameterCombination", service="cloudwatch"
):
    """Parameters that cannot go together, or a required one of several is missing."""


class InvalidParameterValue(InvalidParameter, code="InvalidParameterValue", service="cloudwatch"):
    """A parameter's value is not valid (for example an unknown statistic name)."""


class LimitExceededException(LimitExceeded, code="LimitExceededException", service="cloudwatch"):
    """A quota of the newer operations (anomaly detectors, insight rules) would be exceeded."""


class LimitExceededFault(LimitExceeded, code="LimitExceeded", service="cloudwatch"):
    """A CloudWatch quota (alarms, dashboards, ...) would be exceeded."""


class MissingParameter(InvalidParameter, code="MissingParameter", service="cloudwatch"):
    """A required parameter is missing."""


class RequestEntityTooLarge(
    InvalidParameter, code="RequestEntityTooLarge", service="cloudwatch", http_status=413
):
    """The request payload is over the 1 MB PutMetricData accepts."""


class ResourceNotFound(NotFound, code="ResourceNotFound", service="cloudwatch", http_status=404):
    """The named alarm or other resource does not exist."""


class ResourceNotFoundException(
    NotFound, code="ResourceNotFoundException", service="cloudwatch", http_status=404
):
    """The resource of a tagging or anomaly-detector operation does not exist."""


class ValidationError(InvalidParameter, code="ValidationError", service="cloudwatch"):
    """The request is malformed: a metric-math expression or an AlarmRule that does not parse or
    type-check, or an alarm configuration AWS refuses."""
