"""JSON documents from users, parsed with a bound on their nesting depth.

Every JSON text a caller sends (policies, dashboard bodies, trace segments,
message structures, payloads, state reason data) goes through `loads`: it
answers like `json.loads`, and refuses text nested deeper than `max_depth`
with the same `json.JSONDecodeError` (a `ValueError`) a malformed document
gets, so each service's "malformed document" error covers it. Without the
bound, a 3 KB string of 1,500 nested arrays raised `RecursionError` inside
the parser, or later in whatever code walked the parsed value.

Two backends, one behaviour. With the optional ``orjson`` package installed
(the ``fast`` extra), `loads` parses with it and falls back to the standard
library whenever orjson refuses the text or might read it differently, so the
answer (value or error, message included) is always exactly `json.loads`'s:

- orjson refuses what json accepts (``NaN``, ``Infinity``, ``1e400``, lone
  surrogates, escaped or not): orjson's refusal sends the text to json, which
  accepts it or gives its own error;
- orjson reads integers beyond 64 bits as floats where json keeps them exact:
  when the text has a run of 19 digits and the value a number of magnitude
  2**63 or more, json parses it again (`_exact`);
- ``**options`` (hooks such as ``object_hook``) go to json.

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
#: Numbers from this magnitude on may be read differently by orjson (`_exact`).
_BIG = 2.0**63
_BIG_INT = 2**63


def _byte_class(byte: int) -> int:
    if 0x30 <= byte <= 0x39:
        return ord("0")
    if byte in b"[,: \t\n\r":
        return ord("s")
    return ord("m") if byte == ord("-") else ord("x")


#: Each byte's class for `_may_hold_big_int`: ``0`` a digit, ``s`` what may come right
#: before a number (``[ , :`` and whitespace), ``m`` a minus sign, ``x`` anything else.
_CLASSES = bytes(_byte_class(byte) for byte in range(256))
_DIGIT_RUN = b"0" * 19
_BIG_AFTER_SEPARATOR = (b"s" + _DIGIT_RUN, b"sm" + _DIGIT_RUN)
_BIG_AT_START = (_DIGIT_RUN, b"m" + _DIGIT_RUN)
_INT64 = range(-(2**63), 2**63)

_orjson_loads: Callable[[str], Any] | None
try:
    import orjson

    _orjson_loads = orjson.loads
except ImportError:  # pragma: no cover - orjson is the optional `fast` extra
    _orjson_loads = None
#: The parser in use: ``"orjson"`` when installed, else ``"json"`` (`use_backend`).
BACKEND = "json" if _orjson_loads is None else "orjson"
_fast_loads: Callable[[str], Any] | None = _orjson_loads


def use_backend(name: str) -> str:
    """Parse with ``"orjson"`` or ``"json"`` from now on (benchmarks, tests); returns the old one.

    Raises:
        ValueError: an unknown name, or orjson is not installed.
    """
    global _fast_loads, BACKEND
    if name not in ("json", "orjson"):
        raise ValueError(f"no JSON backend {name!r}: 'json' or 'orjson'")
    old = BACKEND
    if name == "orjson" and _orjson_loads is None:
        raise ValueError("orjson is not installed (pip install 'awsmon[fast]')")
    _fast_loads = _orjson_loads if name == "orjson" else None
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
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError("JSON text is not UTF-8", "", error.start) from None
    if text.count("[") + text.count("{") > max_depth:  # else it cannot nest that deep
        check_depth(text, max_depth)
    if options or _fast_loads is None:
        return loads_stdlib(text, constants=constants, int64=int64, **options)
    try:
        value = _fast_loads(text)
    except ValueError:  # orjson refuses more than json: json has the last word
        return loads_stdlib(text, constants=constants, int64=int64)
    if _may_hold_big_int(text) and (int64 or not _exact(value)):
        # orjson reads integers beyond 64 bits (19 digits or more) as floats; under
        # `int64` such a literal refuses the text even when a duplicate key hides it.
        return loads_stdlib(text, constants=constants, int64=int64)
    return value  # orjson accepted: no NaN/Infinity, every integer within 64 bits


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


def _may_hold_big_int(text: str) -> bool:
    """True when `text` may hold an integer literal of 19 digits or more (C speed).

    Such a literal starts the text or follows ``[``, ``,``, ``:`` or whitespace,
    a minus sign between allowed; digit runs inside hex ids (after a letter or a
    ``-`` that follows one) do not count. Strings are not skipped: a false alarm
    costs only speed.
    """
    marks = text.encode().translate(_CLASSES)
    if _DIGIT_RUN not in marks:  # the common case: no run of 19 digits at all
        return False
    after, negative_after = _BIG_AFTER_SEPARATOR
    return after in marks or negative_after in marks or marks.startswith(_BIG_AT_START)


def _exact(value: Any) -> bool:
    """True when orjson's `value` holds no number it may have read differently from json.

    orjson reads an integer beyond 64 bits as a float (json keeps it exact),
    and its magnitude is then 2**63 or more: any float that large, or any
    integer of 2**63 or more, sends the text to json (a true float that large
    costs only speed).
    """
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            extend(item.values())
        elif kind is list:
            extend(item)
        elif kind is float:
            if not -_BIG < item < _BIG:
                return False
        elif kind is int and item >= _BIG_INT:
            return False
    return True


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
