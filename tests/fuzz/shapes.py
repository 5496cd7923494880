"""Hypothesis strategies for a wire operation's parameters, built from botocore's input shapes.

`request(shape)` draws a parameter dict that follows the shape most of the time
and, at any node, sometimes puts a hostile value instead (`hostile`): the wrong
type, a non-dict where a structure belongs, an unhashable, a number where text
belongs, an empty string, a lone surrogate, a NUL byte, deeply nested JSON
text, a huge number. `valid_request(shape)` keeps to the shape (what botocore
lets through) but still draws hostile *text* (surrogates, NUL, nested JSON).
Names come mostly from a small pool so that the calls of one example meet each
other's resources.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

#: Names shared by every draw, so a create and a later get/delete meet.
NAMES = ["a", "d1", "d2", "x-1", "test", "my_name", "A.b", "1"]

NESTED_JSON = "[" * 1500 + "]" * 1500
NESTED_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500

#: Text AWS would refuse or that breaks naive code.
HOSTILE_TEXT = [
    "",
    " ",
    "\ud800",
    "a\x00b",
    "\x00",
    NESTED_JSON,
    NESTED_OBJECT,
    "{",
    "null",
    "[1,2",
    "x" * 5000,
    "arn:aws:sqs:us-east-1:123456789012:a",
    "arn:aws:lambda:us-east-1:123456789012:function:a",
    "arn:",
    "*",
    "../../etc",
    "-1",
    "1e400",
]

#: Values of the wrong kind for any node.
HOSTILE = [
    None,
    0,
    -1,
    2**31,
    10**12,
    10**30,
    -(10**30),
    1.5,
    float("nan"),
    float("inf"),
    Decimal("1.5"),
    Decimal("1e1000"),
    True,
    [],
    [{}],
    [None],
    [[1]],
    {},
    {"a": {}},
    {"x": [1, {"y": None}]},
    b"\xff\x00",
    *HOSTILE_TEXT,
]

_TEXT = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=12),
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
_HOSTILE = st.sampled_from(HOSTILE) | _JSON

_MAX_DEPTH = 6


def request(shape: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters for an operation whose input shape is `shape` (None: no input), mutated."""
    return _top(shape, hostile=True)


def valid_request(shape: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Parameters botocore accepts for `shape` (shape-valid; hostile only in text content)."""
    return _top(shape, hostile=False)


def _top(shape: Any, *, hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
    if shape is None:
        return st.just({})
    return _structure(shape, 0, hostile)  # type: ignore[return-value]


def _node(shape: Any, depth: int, hostile: bool) -> st.SearchStrategy[Any]:
    valid = _valid(shape, depth, hostile)
    if not hostile:
        return valid
    return st.one_of(valid, valid, valid, _HOSTILE)


def _valid(shape: Any, depth: int, hostile: bool) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return _JSON
        if depth > _MAX_DEPTH:
            return st.just({})
        return _structure(shape, depth, hostile)
    if kind == "list":
        if depth > _MAX_DEPTH:
            return st.just([])
        return st.lists(_node(shape.member, depth + 1, hostile), max_size=3)
    if kind == "map":
        if depth > _MAX_DEPTH:
            return st.just({})
        return st.dictionaries(
            _string(shape.key), _node(shape.value, depth + 1, hostile), max_size=3
        )
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        return st.one_of(st.integers(-2, 20), st.integers())
    if kind in ("double", "float"):
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 100))
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(
            min_value=datetime(2020, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
        )
    if kind == "blob":
        return st.binary(max_size=16) | st.sampled_from([b"{}", b'{"a":1}', NESTED_JSON.encode()])
    return _JSON


def _string(shape: Any) -> st.SearchStrategy[str]:
    enum = getattr(shape, "enum", None) or []
    if enum:
        return st.one_of(st.sampled_from(list(enum)), _TEXT)
    return _TEXT


def _structure(shape: Any, depth: int, hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
    required = set(shape.required_members)
    members = shape.members
    return st.fixed_dictionaries(
        {name: _node(members[name], depth + 1, hostile) for name in members if name in required},
        optional={
            name: _node(members[name], depth + 1, hostile)
            for name in members
            if name not in required
        },
    )
