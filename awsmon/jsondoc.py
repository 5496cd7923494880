"""JSON documents from users, parsed with a bound on their nesting depth.

Every JSON text a caller sends (policies, dashboard bodies, trace segments,
message structures, payloads, state reason data) goes through `loads`: it
answers like `json.loads`, and refuses text nested deeper than `max_depth`
with the same `json.JSONDecodeError` (a `ValueError`) a malformed document
gets, so each service's "malformed document" error covers it. Without the
bound, a 3 KB string of 1,500 nested arrays raised `RecursionError` inside
the parser, or later in whatever code walked the parsed value.

Two backends, one behaviour. With the optional ``msgspec`` package installed
(the ``fast`` extra), `loads` parses with its JSON decoder and falls back to
the standard library whenever msgspec refuses the text, so the answer (value
or error, message included) is always exactly `json.loads`'s. msgspec reads
JSON as json does (integers exact, however long, up to the same 4,300-digit
limit; the same floats; the last of duplicate keys), and refuses what json
accepts beyond the JSON grammar (``NaN``, ``Infinity``, ``1e400``, lone
surrogates): its refusal sends the text to json, which accepts it or gives
its own error. ``**options`` (hooks such as ``object_hook``) go to json.

`BACKEND` names the one in use. tests/test_jsondoc.py checks on arbitrary text
that both backends give the same value or the same error.

>>> loads('{"a": [1, 2]}')
{'a': [1, 2]}
>>> loads("[" * 200 + "]" * 200)
Traceback (most recent call last):
...
json.decoder.JSONDecodeError: JSON text nested deeper than 100 levels: line 1 column 101 (char 100)
>>> loads('[NaN]', constants=False)
Traceback (most recent call last):
...
json.decoder.JSONDecodeError: NaN is not a JSON number: line 1 column 2 (char 1)
>>> loads('{"n": 9223372036854775808}', int64=False), loads('[12]', int64=True)
({'n': 9223372036854775808}, [12])
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["BACKEND", "MAX_DEPTH", "check_depth", "depth", "loads", "loads_stdlib", "use_backend"]

#: The deepest nesting accepted by default: far beyond any AWS document, far within Python's
#: recursion limit for the code that walks a parsed value.
MAX_DEPTH = 100

#: A JSON string (skipped whole) or a bracket: a linear scan, no backtracking.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
#: A run of 19 digits (an integer that may not fit in 64 bits) that a number may start with.
_LONG_INTEGER = re.compile(r"(?:^|[\[,:\s])-?[0-9]{19}")
_INT64 = range(-(2**63), 2**63)

_msgspec_loads: Callable[[str], Any] | None
_MSGSPEC_REFUSALS: tuple[type[Exception], ...] = ()
try:
    import msgspec

    _msgspec_loads = msgspec.json.Decoder().decode
    # msgspec's own errors; a lone surrogate fails to encode (a ValueError); nesting beyond
    # the interpreter's recursion limit (checked first by `loads`, so only with a deep bound).
    _MSGSPEC_REFUSALS = (msgspec.MsgspecError, ValueError, RecursionError)
except ImportError:  # pragma: no cover - msgspec is the optional `fast` extra
    _msgspec_loads = None
#: The parser in use: ``"msgspec"`` when installed, else ``"json"`` (`use_backend`).
BACKEND = "json" if _msgspec_loads is None else "msgspec"
_fast_loads: Callable[[str], Any] | None = _msgspec_loads


def use_backend(name: str) -> str:
    """Parse with ``"msgspec"`` or ``"json"`` from now on (benchmarks, tests); returns the old one.

    Raises:
        ValueError: an unknown name, or msgspec is not installed.
    """
    global _fast_loads, BACKEND
    if name not in ("json", "msgspec"):
        raise ValueError(f"no JSON backend {name!r}: 'json' or 'msgspec'")
    old = BACKEND
    if name == "msgspec" and _msgspec_loads is None:
        raise ValueError("msgspec is not installed (pip install 'awsmon[fast]')")
    _fast_loads = _msgspec_loads if name == "msgspec" else None
    BACKEND = name
    return old


def loads(
    text: str | bytes | bytearray,
    *,
    max_depth: int = MAX_DEPTH,
    constants: bool = True,
    int64: bool = False,
    **options: Any,
) -> Any:
    """`json.loads(text, **options)`, refusing text nested deeper than `max_depth` levels.

    Args:
        text: the document; bytes must be UTF-8.
        max_depth: the deepest nesting accepted.
        constants: False refuses ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON numbers).
        int64: True refuses integers outside a signed 64-bit integer.
        **options: `json.loads` options (hooks); the standard library parses then.

    Raises:
        json.JSONDecodeError: the text is not JSON, or is nested too deeply, or
            breaks `constants` or `int64`.
    """
    if type(text) is not str:
        text = _text_of(text)
    # Nesting deeper than `max_depth` takes more than `max_depth` opening brackets, and a
    # text that parses holds as many closing ones: shorter texts need no count.
    if len(text) > 2 * max_depth + 1 and text.count("[") + text.count("{") > max_depth:
        check_depth(text, max_depth)
    fast = _fast_loads
    if options or fast is None or (int64 and _LONG_INTEGER.search(text)):
        # Under `int64` a long literal refuses the text even where a duplicate key hides
        # it from the value: the standard library's hook sees every literal.
        return loads_stdlib(text, constants=constants, int64=int64, **options)
    try:
        return fast(text)
    except _MSGSPEC_REFUSALS:  # msgspec refuses more than json: json has the last word
        return loads_stdlib(text, constants=constants, int64=int64)


def _text_of(data: str | bytes | bytearray) -> str:
    """`data` as text: bytes decode as UTF-8."""
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("JSON text is not UTF-8", "", error.start) from None


def loads_stdlib(text: str, *, constants: bool = True, int64: bool = False, **options: Any) -> Any:
    """`loads` with the standard library's parser only (no depth check): the reference."""
    if constants and not int64:
        return json.loads(text, **options)
    if not constants:
        options.setdefault("parse_constant", _refuse_constant)
    if int64:
        options.setdefault("parse_int", _int64)
    try:
        return json.loads(text, **options)
    except _Refused as refused:
        at = _position(text, refused.literal)
        raise json.JSONDecodeError(refused.message, text, at) from None


class _Refused(ValueError):
    def __init__(self, literal: str, message: str) -> None:
        super().__init__(message)
        self.literal = literal
        self.message = message


def _refuse_constant(name: str) -> Any:
    raise _Refused(name, f"{name} is not a JSON number")


def _int64(literal: str) -> int:
    value = int(literal)
    if value not in _INT64:
        raise _Refused(literal, f"{literal} does not fit in a signed 64-bit integer")
    return value


def _position(text: str, literal: str) -> int:
    """Where `literal` first appears outside a string (for the error's position)."""
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|' + re.escape(literal), text):
        if token.group() == literal:
            return token.start()
    return 0


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
