"""Tests for `awsmon.wildcard`: the linear-time ``*`` matcher against a naive oracle."""

from __future__ import annotations

import fnmatch
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


# -- ``?``, escapes and case folding -------------------------------------------------------


def _escape(char: str) -> str:
    return "[" + char + "]" if char in "*?[" else char


@st.composite
def atom_patterns(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern with ``\\`` escapes, and the same pattern for `fnmatch`."""
    pieces = draw(st.lists(st.sampled_from(["a", "b", "*", "?", "\\*", "\\?", "\\\\", "["])))
    glob = "".join(
        _escape(p[1]) if p.startswith("\\") else _escape(p) if p == "[" else p for p in pieces
    )
    return "".join(pieces), glob


@given(atom_patterns(), st.text("ab*?\\[", max_size=10))
def test_question_and_escapes_match_fnmatch(case: tuple[str, str], text: str) -> None:
    pattern, glob = case
    expected = fnmatch.fnmatchcase(text, glob)
    assert Wildcard.parse(pattern, question=True, escapes=True).matches(text) is expected


@given(st.text("ab*?", max_size=8), st.text("abAB", max_size=10))
def test_ignore_case_is_matching_the_lowered_text(pattern: str, text: str) -> None:
    expected = fnmatch.fnmatchcase(text.lower(), pattern.lower())
    assert Wildcard.parse(pattern.upper(), question=True, ignore_case=True).matches(text) is (
        expected
    )


@given(st.text("ab*?", max_size=8), st.text("ab", max_size=12))
def test_question_without_escapes_matches_fnmatch(pattern: str, text: str) -> None:
    assert Wildcard.parse(pattern, question=True).matches(text) is fnmatch.fnmatchcase(
        text, pattern
    )


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\*amazon\?\\", "*amazon?\\", True),  # the EC2 Filter documentation's example
        (r"\*amazon\?\\", "xamazonx\\", False),
        ("GE?", "get", True),
        ("GE?", "POST", False),
        ("/api/state/*", "/API/State/abc", True),
        ("a?c*", "abcdef", True),
        ("*?", "", False),
        ("?*?", "ab", True),
        ("trailing\\", "trailing\\", True),
    ],
)
def test_question_examples(pattern: str, text: str, expected: bool) -> None:
    compiled = Wildcard.parse(pattern, question=True, escapes=True, ignore_case=True)
    assert compiled.matches(text) is expected


def test_question_adversarial_is_linear() -> None:
    assert not Wildcard.parse("*a?" * 12 + "*b", question=True).matches("a" * 100_000)


def test_literal_question_without_the_option() -> None:
    assert Wildcard.parse("a?").matches("a?")
    assert not Wildcard.parse("a?").matches("ab")
    assert Wildcard.parse("a?", question=True) != Wildcard.parse("a?")
    assert Wildcard.parse("a?", question=True).has_any_one
