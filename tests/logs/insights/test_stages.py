"""Tests of awsmon/logs/insights/stages.py: glob parsing, stats grouping and sorting."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from awsmon.logs.insights.stages import glob_match, glob_regex

PIECES = st.lists(st.text(alphabet="ab[ ]", max_size=3), min_size=2, max_size=4).map(tuple)
TEXT = st.text(alphabet="ab[ ]\n", max_size=30)


@given(PIECES, TEXT)
def test_glob_regex_agrees_with_the_find_loop(pieces: tuple[str, ...], text: str) -> None:
    """The atomic-group regex captures exactly what the str.find loop captures."""
    found = glob_regex(pieces).match(text)
    assert (list(found.groups()) if found else None) == glob_match(pieces, text)
    names = tuple(f"f{i}" for i in range(len(pieces) - 1))
    named = glob_regex(pieces, names).match(text)
    assert (list(named.groupdict().values()) if named else None) == glob_match(pieces, text)


@given(PIECES, TEXT)
def test_glob_is_the_leftmost_shortest_match(pieces: tuple[str, ...], text: str) -> None:
    """The captures are those of the leftmost match with the shortest captures (lazy search)."""
    body = "(.*?)".join(map(re.escape, pieces[:-1]))
    last = pieces[-1]
    pattern = body + ("(.*)" if last == "" else "(.*?)" + re.escape(last))
    expected = re.search(pattern, text, re.DOTALL)
    assert glob_match(pieces, text) == (list(expected.groups()) if expected else None)


def test_glob_on_a_pathological_line_is_fast_enough_to_finish() -> None:
    """A line with many partial matches costs one pass per piece, not a backtracking search."""
    text = "a" * 200_000
    assert glob_regex(("a", "b", "c", "")).match(text) is None
    assert glob_match(("a", "b", "c", ""), text) is None
