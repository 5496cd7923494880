"""EventBridge ``wildcard`` matching (linear time) against a naive oracle."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.events.errors import InvalidEventPatternException
from awsmon.events.pattern import EventPattern


def oracle(pattern: str, text: str) -> bool:
    """Whole-text wildcard matching by plain recursion (no escapes in `pattern`)."""
    if not pattern:
        return not text
    if pattern[0] == "*":
        return oracle(pattern[1:], text) or (bool(text) and oracle(pattern, text[1:]))
    return bool(text) and pattern[0] == text[0] and oracle(pattern[1:], text[1:])


def _pattern(wildcard: str) -> EventPattern:
    return EventPattern.parse(json.dumps({"f": [{"wildcard": wildcard}]}))


@given(st.text("ab*", max_size=6).filter(lambda p: "**" not in p), st.text("ab*", max_size=8))
def test_wildcard_matches_oracle(wildcard: str, value: str) -> None:
    try:
        pattern = _pattern(wildcard)
    except InvalidEventPatternException:
        return  # refused as too complex: nothing to match
    assert pattern.matches({"f": value}) is oracle(wildcard, value)


@given(st.text("ab", max_size=4), st.text("ab*", max_size=8))
def test_escaped_star_is_literal(literal: str, value: str) -> None:
    pattern = _pattern(literal + "\\*")
    assert pattern.matches({"f": value}) is (value == literal + "*")


def test_adversarial_wildcard_fails_in_one_pass() -> None:
    assert not _pattern("*a*a*a*b").matches({"f": "a" * 100_000})


def test_anything_but_wildcards_count_toward_complexity() -> None:
    with pytest.raises(InvalidEventPatternException, match="too complex"):
        EventPattern.parse(json.dumps({"f": [{"anything-but": {"wildcard": "*a" * 8 + "*b"}}]}))
    loose = EventPattern.parse(json.dumps({"f": [{"anything-but": {"wildcard": "*a*a*a*b"}}]}))
    assert loose.matches({"f": "a" * 50_000})
    assert not loose.matches({"f": "xaxaxaxb"})
