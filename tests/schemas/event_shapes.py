"""Hypothesis strategies for the schema tests: events of one shape, with optional fields.

A shape maps keys to a kind (``str``, ``datetime``, ``int``, ``float``,
``bool``), a nested shape, or a list of either; each key is required or
optional. `events_of` draws events (full EventBridge envelopes) whose
``detail`` follows a shape, leaving out optional keys at random.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

#: Keys of every style events use: camelCase, kebab-case, snake_case, digits, clashing ones.
_KEY_TEXT = (
    "id data name state value reason alarmName instance-id detail-type eventName "
    "requestParameters items tags to-dict type class x1 a-b aB a_b count price time"
)
KEY_NAMES = _KEY_TEXT.split()
KEYS = st.sampled_from(KEY_NAMES)
SCALARS = st.sampled_from(["str", "datetime", "int", "float", "bool"])

Shape = dict[str, tuple[Any, bool]]


def shapes(max_leaves: int = 8) -> st.SearchStrategy[Shape]:
    """Object shapes: key → (kind, required); kinds nest objects and lists."""
    kinds = st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.dictionaries(KEYS, st.tuples(inner, st.booleans()), min_size=1, max_size=4),
            st.tuples(st.just("list"), inner),
        ),
        max_leaves=max_leaves,
    )
    return st.dictionaries(KEYS, st.tuples(kinds, st.booleans()), min_size=1, max_size=5)


_START = datetime(2024, 1, 1, tzinfo=UTC)


@st.composite
def value_of(draw: st.DrawFn, kind: Any) -> Any:
    """A JSON value of `kind`."""
    if isinstance(kind, dict):
        return draw(object_of(kind))
    if isinstance(kind, tuple):
        return draw(st.lists(value_of(kind[1]), max_size=3))
    if kind == "str":
        return draw(st.text(alphabet="abcdefghij XYZ_", max_size=8))
    if kind == "datetime":
        seconds = draw(st.integers(0, 10**8))
        return (_START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "int":
        return draw(st.integers(-(2**53), 2**53))
    if kind == "float":
        return draw(st.integers(-(10**9), 10**9)) + 0.25
    return draw(st.booleans())


@st.composite
def object_of(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    """An object following `shape` (optional keys present or not)."""
    out: dict[str, Any] = {}
    for key, (kind, required) in shape.items():
        if required or draw(st.booleans()):
            out[key] = draw(value_of(kind))
    return out


@st.composite
def event_of(draw: st.DrawFn, shape: Shape, detail_type: str = "Order Placed") -> dict[str, Any]:
    """An EventBridge event from ``com.shop`` whose detail follows `shape`."""
    seconds = draw(st.integers(0, 10**8))
    return {
        "version": "0",
        "id": draw(st.uuids()).hex,
        "detail-type": detail_type,
        "source": "com.shop",
        "account": "123456789012",
        "time": (_START + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": draw(st.lists(st.just("arn:aws:s3:::bucket"), max_size=2)),
        "detail": draw(object_of(shape)),
    }


@st.composite
def shaped_events(
    draw: st.DrawFn, min_size: int = 1, max_size: int = 5
) -> tuple[Shape, list[dict[str, Any]]]:
    """A shape and some events that follow it."""
    shape = draw(shapes())
    events = draw(st.lists(event_of(shape), min_size=min_size, max_size=max_size))
    return shape, events
