"""Tests of awsmon/events/detail.py: the Detail of a PutEvents entry, read as EventBridge does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.events.detail import parse_detail

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | INT64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=6), JSON, max_size=5))
def test_any_json_object_reads_back(detail: dict[str, Any]) -> None:
    """A JSON object's text reads back as the same object."""
    assert parse_detail(json.dumps(detail)) == detail


@given(st.lists(JSON, max_size=3) | st.text(max_size=5) | INT64 | st.none() | st.booleans())
def test_json_that_is_not_an_object_is_malformed(value: Any) -> None:
    """Detail must be a JSON object: any other JSON value is MalformedDetail (None)."""
    assert parse_detail(json.dumps(value)) is None


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 9223372036854775808}',
        '{"n": -9223372036854775809}',
        '{"n": NaN}',
        '{"n": Infinity}',
        '"NotJSON"',
        "{",
        "[" * 100_000 + "]" * 100_000,
        "",
    ],
    ids=["int64-over", "int64-under", "nan", "infinity", "string", "truncated", "deep", "empty"],
)
def test_malformed_details(text: str) -> None:
    """Integers beyond 64 bits, NaN/Infinity, deep nesting and broken text are malformed."""
    assert parse_detail(text) is None


def test_a_mapping_is_taken_as_is() -> None:
    """A mapping (the domain API's convenience) is copied, not parsed."""
    detail = {"total": 250}
    parsed = parse_detail(detail)
    assert parsed == detail and parsed is not detail
