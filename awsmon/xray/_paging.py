"""Time windows and page tokens shared by the X-Ray read operations (internal).

A page token is the fingerprint of the request's parameters and the position
to resume from: a token only resumes the query it came from.

>>> read_token(token(fingerprint("a", 1), 100), fingerprint("a", 1))
100
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from awsmon.xray.errors import InvalidRequestException

__all__ = ["check_window", "fingerprint", "read_token", "token"]


def check_window(start: datetime, end: datetime, limit: timedelta | None) -> None:
    """Reject an end before the start, or a window longer than `limit`."""
    if end < start:
        raise InvalidRequestException(
            "EndTime must be after StartTime.", param="EndTime", value=end.isoformat()
        )
    if limit is not None and end - start > limit:
        raise InvalidRequestException(
            f"The time range between StartTime and EndTime cannot exceed "
            f"{int(limit.total_seconds() // 3600)} hours.",
            param="EndTime",
            value=end.isoformat(),
        )


def fingerprint(*parts: Any) -> str:
    """A short digest of a request's parameters."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()


def token(fingerprint: str, position: int) -> str:
    """The NextToken resuming the query `fingerprint` at `position`."""
    return base64.urlsafe_b64encode(f"{fingerprint}:{position}".encode()).decode()


def read_token(token: str | None, fingerprint: str) -> int:
    """The position a NextToken resumes at (0 without one).

    Raises:
        InvalidRequestException: a token of another query, or not a token.
    """
    if token is None:
        return 0
    try:
        seen, _, position = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if seen == fingerprint:
            return int(position)
    except ValueError:
        pass
    raise InvalidRequestException("Invalid NextToken.", param="NextToken", value=token)
