"""Tests of awsmon/logs/insights/regex.py: which user regexes may run on Python's re."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.logs.insights.regex import check_regex, literal_of

SAFE = [
    ("ERROR", "ERROR"),
    (r"2\d\d", r"2\d\d"),
    ("(?i)exception", "(?i)exception"),
    (r"(?<level>\S+)\s+(?<rest>.*)", r"(?P<level>\S+)\s+(?P<rest>.*)"),
    (r"(\d+\.){3}\d+", r"(\d+\.){3}\d+"),
    ("[)(]+x", "[)(]+x"),
    ("(GET|POST) /", "(GET|POST) /"),
    (r"a\/b", r"a\/b"),
]
UNSAFE = [
    ("(a+)+b", "nested quantifier"),
    ("(a*)*b", "nested quantifier"),
    ("(a|ab)+c", "nested quantifier"),
    (r"(\w+\s?)*$", "nested quantifier"),
    ("((ab)*c)*", "nested quantifier"),
    ("(a+){11}", "nested quantifier"),
    ("(x+x+)+y", "nested quantifier"),
    (r"(a)\1", "back-references"),
    (r"(?<x>a)\k<x>", "back-references"),
    ("(?<=a)b", "look-around"),
    ("(?!a)b", "look-around"),
    ("(ab", "unbalanced"),
    ("ab)", "unbalanced"),
    ("a**", "multiple repeat"),
]


@pytest.mark.parametrize(("pattern", "python"), SAFE, ids=[p for p, _ in SAFE])
def test_safe_patterns_translate(pattern: str, python: str) -> None:
    """Safe Hyperscan-style patterns become the Python pattern shown."""
    assert check_regex(pattern) == (python, None)


@pytest.mark.parametrize(("pattern", "reason"), UNSAFE, ids=[p for p, _ in UNSAFE])
def test_unsafe_patterns_are_refused(pattern: str, reason: str) -> None:
    """Patterns that backtrack catastrophically, or that Hyperscan refuses, are refused."""
    python, why = check_regex(pattern)
    assert python is None and why is not None and reason in why


def test_literal_detection() -> None:
    """Only metacharacter-free patterns are plain literals."""
    assert literal_of("ERROR 500") == "ERROR 500"
    assert literal_of("a.b") is None and literal_of("(?i)x") is None


@given(st.text(alphabet="ab()|*+?{}[]^$.\\1,<>=!:", max_size=14))
def test_checker_never_crashes_and_accepted_patterns_compile(pattern: str) -> None:
    """Any text is accepted (and then compiles) or refused with a reason."""
    python, reason = check_regex(pattern)
    if python is None:
        assert reason
    else:
        re.compile(python)
