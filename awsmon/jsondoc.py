"""JSON documents from users, parsed with a bound on their nesting depth.

Every JSON text a caller sends (policies, dashboard bodies, trace segments,
message structures, payloads, state reason data) goes through `loads`: it
answers like `json.loads`, and refuses text nested deeper than `max_depth`
with the same `json.JSONDecodeError` (a `ValueError`) a malformed document
gets, so each service's "malformed document" error covers it. Without the
bound, a 3 KB string of 1,500 nested arrays raised `RecursionError` inside
the parser, or later in whatever code walked the parsed value.

>>> loads('{"a": [1, 2]}')
{'a': [1, 2]}
>>> loads("[" * 200 + "]" * 200)
Traceback (most recent call last):
...
json.decoder.JSONDecodeError: JSON text nested deeper than 100 levels: line 1 column 101 (char 100)
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "check_depth", "depth", "loads"]

#: The deepest nesting accepted by default: far beyond any AWS document, far within Python's
#: recursion limit for the code that walks a parsed value.
MAX_DEPTH = 100

#: A JSON string (skipped whole) or a bracket: a linear scan, no backtracking.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def loads(text: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    """`json.loads(text, **options)`, refusing text nested deeper than `max_depth` levels.

    Raises:
        json.JSONDecodeError: the text is not JSON, or is nested too deeply.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError("JSON text is not UTF-8", "", error.start) from None
    check_depth(text, max_depth)
    return json.loads(text, **options)


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raise when the brackets of `text`, outside strings, nest deeper than `max_depth`.

    For a parser of its own (a custom `json.JSONDecoder`): call this first.

    Raises:
        json.JSONDecodeError: the text nests too deeply.
    """
    if text.count("[") + text.count("{") <= max_depth:  # the common case: cannot be too deep
        return
    level = 0
    for token in _TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            level += 1
            if level > max_depth:
                raise json.JSONDecodeError(
                    f"JSON text nested deeper than {max_depth} levels", text, token.start()
                )
        elif char in "]}":
            level -= 1


def depth(value: Any) -> int:
    """How deeply a parsed value nests (a scalar is 0), without recursion.

    >>> depth({"a": [1, {"b": 2}]}), depth(3)
    (3, 0)
    """
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
