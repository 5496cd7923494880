"""The Detail of a PutEvents entry, read as EventBridge reads it.

`parse_detail` gives the Detail as a JSON object, or None when EventBridge
answers ``MalformedDetail``; PutEvents and PutPartnerEvents both use it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsmon import jsondoc

__all__ = ["parse_detail"]


def parse_detail(detail: str | Mapping[str, Any]) -> dict[str, Any] | None:
    """The Detail as a JSON object, or None when it is not one (MalformedDetail).

    Integers must fit in a signed 64-bit integer, NaN and Infinity are not
    JSON, and nesting deeper than the parser goes is malformed too.
    """
    if isinstance(detail, Mapping):
        return dict(detail)
    try:
        if type(detail) is str:  # json.loads would build a decoder per call
            value = _DETAIL_DECODER.decode(detail)
        else:
            value = jsondoc.loads(detail, parse_int=_int64, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _int64(text: str) -> int:
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"{text} does not fit in 64 bits")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(name)


_DETAIL_DECODER = json.JSONDecoder(parse_int=_int64, parse_constant=_no_constant)
