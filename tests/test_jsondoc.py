"""`awsmon.jsondoc.loads`: json.loads with a bound on nesting depth."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.jsondoc import depth, loads

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


@given(JSON, st.integers(1, 12))
def test_answers_as_json_loads_within_the_bound(value: object, max_depth: int) -> None:
    text = json.dumps(value)
    if depth(value) <= max_depth:
        assert loads(text, max_depth=max_depth) == value
        assert loads(text.encode(), max_depth=max_depth) == value
    else:
        with pytest.raises(json.JSONDecodeError, match="nested deeper"):
            loads(text, max_depth=max_depth)


@pytest.mark.parametrize(
    ("text", "position"),
    [("[" * 1500 + "]" * 1500, 100), ('{"a":' * 1500 + "1" + "}" * 1500, 500)],
)
def test_deep_nesting_is_a_decode_error_not_a_recursion_error(text: str, position: int) -> None:
    """The error names where the 101st level opens."""
    with pytest.raises(json.JSONDecodeError, match="nested deeper than 100") as caught:
        loads(text)
    assert caught.value.pos == position


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[" * 500 + '\\"' + "{" * 500})
    assert loads(text, max_depth=1) == json.loads(text)


def test_malformed_and_non_utf8_are_decode_errors() -> None:
    for bad in ("{", "[1,", b"\xff"):
        with pytest.raises(json.JSONDecodeError):
            loads(bad)
