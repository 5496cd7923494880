"""Tests of awsmon/neighbours/ec2/agent/file_glob.py: the agent's file_path globs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.neighbours.ec2.agent.file_glob import glob_match


def _reference(pattern: str, path: str) -> bool:
    """The glob as a regex: ``**`` any run (then ``/`` optional), ``*``/``?`` within a directory."""
    regex, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            regex += ".*"
            index += 2
            if pattern.startswith("/", index):
                regex += "/?"
                index += 1
            continue
        char = pattern[index]
        regex += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        index += 1
    return re.fullmatch(regex, path, re.DOTALL) is not None


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/var/log/messages", "/var/log/messages", True),
        ("/var/log/*.log", "/var/log/app.log", True),
        ("/var/log/*.log", "/var/log/nginx/access.log", False),
        ("/var/log/**/*.log", "/var/log/nginx/access.log", True),
        ("/var/log/**/*.log", "/var/log/app.log", True),
        ("/var/log/**", "/var/log/a/b/c", True),
        ("/var/log/app-?.log", "/var/log/app-1.log", True),
        ("/var/log/app-?.log", "/var/log/app-12.log", False),
        ("/opt/[x].log", "/opt/[x].log", True),
    ],
)
def test_examples(pattern: str, path: str, expected: bool) -> None:
    """``*`` stays within a directory, ``**`` crosses them, ``?`` is one character."""
    assert glob_match(pattern, path) is expected


@given(
    st.text(st.sampled_from("ab/*?."), max_size=10), st.text(st.sampled_from("ab/."), max_size=14)
)
def test_matches_as_the_regex_translation_does(pattern: str, path: str) -> None:
    """The position-set matcher agrees with the regex reading of the glob."""
    assert glob_match(pattern, path) is _reference(pattern, path)


def test_many_stars_do_not_backtrack() -> None:
    """A many-star glob against a long near-miss answers at once (a regex backtracks for ages)."""
    assert not glob_match("/" + "*a" * 10 + "*b", "/" + "a" * 5_000)
    assert not glob_match("/**a" * 10 + "**b", "/" + "a/" * 2_000)
    assert glob_match("/**a" * 10 + "**b", "/" + "a/" * 2_000 + "b")
