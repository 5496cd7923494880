"""The CloudWatch Logs error codes awsmon raises.

Each class pins one AWS error code of the ``logs`` service (API 2014-03-28) on
a semantic base from `awsmon.errors`, so callers can catch by meaning
(``except InvalidParameter``), by builtin (``except ValueError``) or by the
exact code.

Classes are kept sorted by name; other modules append their own.
"""

from __future__ import annotations

from awsmon.errors import InvalidParameter

__all__ = ["InvalidParameterException"]


class InvalidParameterException(InvalidParameter, code="InvalidParameterException", service="logs"):
    """A parameter is not valid: for example a filter pattern that does not parse."""
