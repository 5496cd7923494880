"""The CloudWatch (metrics and alarms) error codes awsmon raises.

Each class pins one AWS error code of the ``cloudwatch`` service (API
2010-08-01) on a semantic base from `awsmon.errors`, so callers can catch by
meaning (``except InvalidParameter``), by builtin (``except ValueError``) or
by the exact code.

Classes are kept sorted by name; other modules append their own.
"""

from __future__ import annotations

from awsmon.errors import InvalidParameter

__all__ = ["InvalidParameterValue", "ValidationError"]


class InvalidParameterValue(InvalidParameter, code="InvalidParameterValue", service="cloudwatch"):
    """A parameter's value is not valid (for example an unknown statistic name)."""


class ValidationError(InvalidParameter, code="ValidationError", service="cloudwatch"):
    """The request is malformed: a metric-math expression that does not parse or type-check."""
