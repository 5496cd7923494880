"""Tests for `awsmon.logs.filter_pattern_automaton`: the linear-time filter regex.

The oracle is Python's backtracking `re` on the same translated regex, which is
exact but slow on adversarial inputs: the generated inputs stay short.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.logs import filter_pattern_automaton as automaton
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.filter_pattern import FilterPattern
from awsmon.logs.filter_pattern_automaton import UnsupportedRegex, compile_automaton
from awsmon.logs.filter_pattern_regex import _translate

_ATOMS = [
    "a",
    "b",
    "1",
    ".",
    "\\d",
    "\\D",
    "\\s",
    "\\w",
    "\\W",
    "\\.",
    "[ab]",
    "[^a]",
    "[a-c1]",
    "[\\d_]",
    "[^\\W]",
    "\\x61",
    "^",
    "$",
    " ",
]
_QUANTIFIERS = ["", "", "", "*", "+", "?", "{2}", "{1,}", "{,2}", "{0,2}", "*?"]


@st.composite
def aws_regexes(draw: st.DrawFn) -> str:
    """Regex bodies in AWS's dialect: alternatives of quantified atoms."""
    alternatives = []
    for _ in range(draw(st.integers(1, 3))):
        pieces = []
        for _ in range(draw(st.integers(0, 5))):
            atom = draw(st.sampled_from(_ATOMS))
            quantifier = "" if atom in "^$" else draw(st.sampled_from(_QUANTIFIERS))
            pieces.append(atom + quantifier)
        alternatives.append("".join(pieces))
    body = "|".join(alternatives)
    return body if body else "a"


def _compile(
    body: str,
) -> tuple[re.Pattern[str], automaton.Automaton | automaton.FixedLengthRegex]:
    translated, _ = _translate(body, 0, body)
    return re.compile(translated, re.ASCII | re.DOTALL), compile_automaton(translated)


@given(aws_regexes(), st.lists(st.text("ab1 _.\n-é", max_size=8), min_size=1, max_size=4))
def test_search_agrees_with_backtracking_oracle(body: str, texts: list[str]) -> None:
    oracle, ours = _compile(body)
    for text in texts:  # several texts: the second reuses the first's cached states
        assert ours.search(text) is (oracle.search(text) is not None), (body, text)


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("%AUTHORIZED%", "user AUTHORIZED", True),
        ("%^starting|^initializing|^shutting down%", "shutting down now", True),
        ("%^starting|^initializing%", "now starting", False),
        ("%[0-9]{3}$%", "code 404", True),
        ("%[0-9]{3}$%", "code 404\n", False),  # $ is the very end
        ("%\\x41B%", "xAB", True),
    ],
)
def test_documented_shapes(pattern: str, message: str, expected: bool) -> None:
    assert FilterPattern.parse(pattern).matches(message) is expected


@pytest.mark.parametrize(
    "pattern",
    ["%" + "a*" * 8 + "b%", "[w=%" + "a*" * 8 + "b%]", "{ $.a = %" + "a*" * 8 + "b% }"],
)
def test_adversarial_regex_fails_in_one_pass(pattern: str) -> None:
    compiled = FilterPattern.parse(pattern)
    text = "a" * 20_000
    message = '{"a": "' + text + '"}' if pattern.startswith("{") else text
    assert not compiled.matches(message)


def test_possessive_quantifier_is_refused_at_its_position() -> None:
    with pytest.raises(InvalidParameterException, match="single quantifier") as caught:
        FilterPattern.parse("%a*+b%")
    assert "at position 3:" in str(caught.value)


def test_escaped_star_before_plus_is_a_literal_repeated() -> None:
    assert FilterPattern.parse("%\\*+x%").matches("a**x")


def test_huge_counted_repetition_is_refused() -> None:
    with pytest.raises(InvalidParameterException, match="at most"):
        FilterPattern.parse("%a{1,30000}%")
    with pytest.raises(UnsupportedRegex):
        compile_automaton("a{1,30000}")


def test_cache_starting_over_keeps_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(automaton, "_MAX_STATES", 3)
    oracle, ours = _compile("a.{4}b|c")
    for text in ["aaaaaaab", "xxaxxxxbx", "ab", "aaaac", "zzzz"]:
        assert ours.search(text) is (oracle.search(text) is not None)


def test_fixed_length_regexes_go_to_re_and_others_to_the_automaton() -> None:
    assert isinstance(compile_automaton("ab|c{3}"), automaton.FixedLengthRegex)
    assert isinstance(compile_automaton("ab*"), automaton.Automaton)
    assert isinstance(compile_automaton("a{1,2}"), automaton.Automaton)
