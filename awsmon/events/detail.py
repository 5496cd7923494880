"""The Detail of a PutEvents entry, read as EventBridge reads it.

`parse_detail` gives the Detail as a JSON object, or None when EventBridge
answers ``MalformedDetail``; PutEvents and PutPartnerEvents both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsmon import jsondoc

__all__ = ["parse_detail"]


def parse_detail(detail: str | Mapping[str, Any]) -> dict[str, Any] | None:
    """The Detail as a JSON object, or None when it is not one (MalformedDetail).

    Integers must fit in a signed 64-bit integer, NaN and Infinity are not
    JSON, and nesting deeper than `jsondoc.MAX_DEPTH` is malformed too.
    """
    if isinstance(detail, Mapping):
        return dict(detail)
    try:
        value = jsondoc.loads(detail, constants=False, int64=True)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
