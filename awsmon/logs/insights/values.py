"""Values in Logs Insights rows: coercion, comparison, ordering and rendering.

Field values are strings (parsed from text), numbers (from JSON or
arithmetic), booleans, None (absent) or, after ``jsonParse``, maps and lists.
`Instant` marks epoch milliseconds that render as a timestamp
(``2024-01-01 12:00:00.000``). Comparisons are numeric when both sides read
as numbers and textual otherwise; any comparison with an absent value is
false, as in AWS, where a filter on a missing field keeps nothing.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "Instant", "compare", "equals", "number", "render", "sort_key", "text_of", "truthy",
]  # fmt: skip


class Instant(int):
    """Epoch milliseconds shown as a UTC timestamp (``@timestamp``, ``bin(5m)``)."""

    __slots__ = ()


def number(value: Any) -> float | int | None:
    """The value as a number, or None when it does not read as one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            result = float(text)
        except ValueError:
            return None
        return result if math.isfinite(result) else None
    return None


def text_of(value: Any) -> str | None:
    """The value as text (numbers and timestamps as rendered), or None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return render(value)


def equals(left: Any, right: Any) -> bool:
    """``=`` as Logs Insights reads it: numeric when both are numbers, else textual."""
    if left is None or right is None:
        return False
    a, b = number(left), number(right)
    if a is not None and b is not None:
        return a == b
    return text_of(left) == text_of(right)


def compare(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 comparing two values (numbers numerically, else as text); None if absent."""
    if left is None or right is None:
        return None
    a, b = number(left), number(right)
    if a is None or b is None:
        a, b = text_of(left), text_of(right)  # type: ignore[assignment]
    return (a > b) - (a < b)  # type: ignore[operator]


def truthy(value: Any) -> bool:
    """Whether a value passes a filter on its own (true, a non-zero number, non-empty text)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return bool(value)


def sort_key(value: Any) -> tuple[int, Any]:
    """The key of AWS's ``sort`` order; absent values are placed by the caller.

    AWS's natural sort (CWL_QuerySyntax-Sort): every value that is not a
    number comes before every number; text is compared chunk by chunk, runs
    of digits by length and then value, everything else by code point.
    """
    as_number = number(value)
    if as_number is not None:
        return (1, (as_number, text_of(value)))
    return (0, tuple(_chunk_key(chunk) for chunk in _CHUNKS.findall(text_of(value) or "")))


_CHUNKS = re.compile(r"[0-9]+|[^\W\d_]+|[\s\S]")
_ZERO = ord("0")


def _chunk_key(chunk: str) -> tuple[int, Any, Any]:
    """Digit runs rank where a digit would, then by length and value; other chunks by text."""
    if chunk[0] in "0123456789":
        return (_ZERO, len(chunk.lstrip("0")) or 1, int(chunk))
    return (ord(chunk[0]), chunk, 0)


def render(value: Any) -> str:
    """A value as the string GetQueryResults returns."""
    if isinstance(value, str):
        return value
    if isinstance(value, Instant):
        try:
            moment = datetime.fromtimestamp(int(value) // 1000, UTC)
        except (OverflowError, ValueError, OSError):
            return str(int(value))  # outside the calendar: the number itself
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{int(value) % 1000:03d}"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
