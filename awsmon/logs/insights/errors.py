"""The error a Logs Insights query that does not compile raises.

`MalformedQueryException` carries AWS's ``queryCompileError``: the character
offsets of the offending text and the message, so boto3 users read
``error.response["queryCompileError"]`` as they would from AWS.

Simulation notes: AWS's message wording is ``unexpected symbol found <text>
at line <n> and position <m>`` for syntax errors (observed in the console;
the exact wording of every other compile error is UNCONFIRMED, awsmon names
the problem and the position the same way).
"""

from __future__ import annotations

from typing import Any

from awsmon.errors import InvalidParameter

__all__ = ["MalformedQueryException", "syntax_error"]


class MalformedQueryException(InvalidParameter, code="MalformedQueryException", service="logs"):
    """The query string does not compile; `start` and `end` are 0-based character offsets.

    Attributes:
        start: offset of the first character of the offending text.
        end: offset of its last character (equal to `start` for one character).
        detail: the compile message without the position suffix.
    """

    def __init__(self, message: str, *, start: int = 0, end: int | None = None,
                 query: str = "", detail: str | None = None) -> None:
        super().__init__(message, param="queryString", value=query)
        self.start = start
        self.end = start if end is None else end
        self.detail = detail if detail is not None else message

    def to_response(self) -> dict[str, Any]:
        """The error with AWS's ``queryCompileError`` member."""
        response = super().to_response()
        response["queryCompileError"] = {
            "location": {"startCharOffset": self.start, "endCharOffset": self.end},
            "message": self.message,
        }
        return response


def syntax_error(query: str, start: int, end: int | None, what: str) -> MalformedQueryException:
    """The compile error `what` about ``query[start:end + 1]``, positioned as AWS writes it.

    The message ends with ``at line L and position P`` (1-based line and column).
    """
    line = query.count("\n", 0, start) + 1
    column = start - (query.rfind("\n", 0, start) + 1) + 1
    message = f"{what} at line {line} and position {column}"
    return MalformedQueryException(message, start=start, end=end, query=query, detail=what)
