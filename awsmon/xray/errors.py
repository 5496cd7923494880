"""The AWS X-Ray error codes awsmon raises.

X-Ray (API 2016-04-12) answers almost every bad request with
``InvalidRequestException``, including a group or sampling rule that does not
exist; the classes below pin that code on the semantic bases of
`awsmon.errors`, so a caller can catch by meaning (``except LookupError``) or
by the exact code.

Main classes: `InvalidRequestException`, `RuleLimitExceededException`,
`ThrottledException`, `ResourceNotFoundException`, `TooManyTagsException`,
`InvalidFilterExpression`, `GroupNotFound`, `RuleNotFound`.
"""

from __future__ import annotations

from awsmon.errors import InvalidParameter, LimitExceeded, NotFound, Throttled

__all__ = [
    "GroupNotFound",
    "InvalidFilterExpression",
    "InvalidRequestException",
    "ResourceNotFoundException",
    "RuleLimitExceededException",
    "RuleNotFound",
    "ThrottledException",
    "TooManyTagsException",
]


class InvalidRequestException(InvalidParameter, code="InvalidRequestException", service="xray"):
    """The request is missing required parameters or has invalid parameters."""


class InvalidFilterExpression(InvalidRequestException, code="InvalidRequestException"):
    """A filter expression does not parse; the message gives the position.

    Attributes:
        position: the 0-based character offset of the problem in the expression.
    """

    def __init__(self, message: str, *, expression: str, position: int) -> None:
        super().__init__(message, param="FilterExpression", value=expression)
        self.position = position


class GroupNotFound(InvalidRequestException, NotFound, code="InvalidRequestException"):
    """The named group does not exist (X-Ray answers InvalidRequestException)."""


class RuleNotFound(InvalidRequestException, NotFound, code="InvalidRequestException"):
    """The named sampling rule does not exist (X-Ray answers InvalidRequestException)."""


class ResourceNotFoundException(NotFound, code="ResourceNotFoundException", service="xray"):
    """The resource named by ARN (tagging operations) does not exist."""


class RuleLimitExceededException(LimitExceeded, code="RuleLimitExceededException", service="xray"):
    """The account already has the maximum number of sampling rules."""


class ThrottledException(Throttled, code="ThrottledException", service="xray", http_status=429):
    """The request exceeded the rate limit."""


class TooManyTagsException(LimitExceeded, code="TooManyTagsException", service="xray"):
    """A resource would carry more than 50 tags."""
