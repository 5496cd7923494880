"""Tests for `awsmon.wildcard`: the linear-time ``*`` matcher against a naive oracle."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.wildcard import Wildcard


def oracle(pattern: str, text: str) -> bool:
    """Whole-text wildcard matching by plain recursion over (pattern, text) positions."""

    @cache
    def match(p: int, t: int) -> bool:
        if p == len(pattern):
            return t == len(text)
        if pattern[p] == "*":
            return match(p + 1, t) or (t < len(text) and match(p, t + 1))
        return t < len(text) and pattern[p] == text[t] and match(p + 1, t + 1)

    return match(0, 0)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*.html*", "/index.html?x=1", True),  # AWS's space-delimited example
        ("4*", "404", True),
        ("4*", "500", False),
        ("*Event", "PutEvent", True),
        ("Ev*ent", "Event", True),
        ("a*a", "a", False),  # head and tail may not overlap
        ("*", "", True),
        ("", "", True),
        ("**", "x", True),
    ],
)
def test_examples(pattern: str, text: str, expected: bool) -> None:
    assert Wildcard.parse(pattern).matches(text) is expected


def test_adversarial_pattern_fails_without_backtracking() -> None:
    assert not Wildcard.parse("*a" * 12 + "*b").matches("a" * 100_000)


def test_segments_and_equality() -> None:
    assert Wildcard.parse("a*b").segments == ("a", "b")
    assert Wildcard.parse("a*b") == Wildcard(["a", "b"])
    assert hash(Wildcard.parse("a*b")) == hash(Wildcard(("a", "b")))
    with pytest.raises(ValueError, match="segment"):
        Wildcard([])


@given(st.text("ab*", max_size=8), st.text("abc", max_size=10))
def test_matches_oracle(pattern: str, text: str) -> None:
    assert Wildcard.parse(pattern).matches(text) is oracle(pattern, text)


@given(st.text("ab*", max_size=6), st.text("ab", max_size=8))
def test_a_match_survives_padding_both_ends_with_a_star(pattern: str, text: str) -> None:
    if Wildcard.parse(pattern).matches(text):
        assert Wildcard.parse("*" + pattern + "*").matches("xx" + text + "yy")
