"""Tests for awsmon.events._ruler_index: the per-field value index of the rule automaton.

Each structure must agree with the naive answer: `Ranges` with testing every
range, `FieldIndex` with calling each matcher's own ``matches`` on the value,
under random filings and removals.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.events._pattern_values import ValueMatcher, Wildcard
from awsmon.events._ruler_index import FieldIndex, Ranges, field_rank, literal_prefix
from awsmon.events.pattern import EventPattern, PatternLimits

HERE = Path(__file__).parent
NO_COMPLEXITY = PatternLimits(max_wildcard_complexity=None)
NAN, INF = float("nan"), float("inf")


def _load(name: str, filename: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / filename)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


oracle = _load("events_pattern_oracle", "pattern_oracle.py")


def matchers_of(match_list: list[Any]) -> tuple[ValueMatcher, ...]:
    """The compiled matchers of one field's match list (``exists: false`` dropped)."""
    pattern = EventPattern.parse({"f": match_list}, limits=NO_COMPLEXITY)
    (field,) = pattern.subpatterns[0].fields
    return field.matchers


def _inside(entry: tuple[Any, bool, Any, bool, Any], value: float) -> bool:
    low, low_open, high, high_open, _ = entry
    if low is not None and not (value > low if low_open else value >= low):
        return False
    return high is None or bool(value < high if high_open else value <= high)


_bound = st.one_of(st.none(), st.sampled_from([-2, -1.5, 0, 0.0, 1, 1.0, 2, 2.5, 10**20]))
_ranges = st.tuples(_bound, st.booleans(), _bound, st.booleans(), st.integers(0, 5))
_points = st.sampled_from([-3, -2, -1.5, -1, 0, 0.5, 1, 1.0, 2, 2.5, 3, 10**20, 10**20 + 1, INF])


class TestRanges:
    """The segment tree answers stabbing queries as a scan of every range would."""

    def test_bounds(self) -> None:
        """Open and closed ends, one-point and unbounded ranges, at and between bounds."""
        ranges: Ranges[str] = Ranges()
        ranges.add((1, False, 1, False, "point"))
        ranges.add((1, True, 2, True, "open"))
        ranges.add((None, False, 1, True, "below"))
        ranges.add((2, False, None, False, "above"))
        found = {v: sorted(ranges.stab(v)) for v in (0, 1, 1.5, 2, 3, NAN)}
        assert found == {
            0: ["below"],
            1: ["point"],
            1.5: ["open"],
            2: ["above"],
            3: ["above"],
            NAN: [],
        }

    @settings(max_examples=150)
    @given(
        st.lists(_ranges, max_size=12),
        st.lists(st.integers(0, 11), max_size=6),
        st.lists(_points, min_size=1, max_size=8),
    )
    def test_agrees_with_a_scan(
        self, entries: list[Any], removals: list[int], values: list[float]
    ) -> None:
        """After adds and removals, stab(v) holds exactly the states of the ranges holding v."""
        ranges: Ranges[int] = Ranges()
        live: Counter[Any] = Counter()
        for entry in entries:
            ranges.add(entry)
            live[entry] += 1
            ranges.stab(0)  # build, so that later changes must rebuild
        for at in removals:
            if at < len(entries) and live[entries[at]]:
                ranges.remove(entries[at])
                live[entries[at]] -= 1
        for value in values:
            expected = Counter()
            for entry, count in live.items():
                if _inside(entry, value):
                    expected[entry[-1]] += count
            assert Counter(ranges.stab(value)) == expected
        assert len(ranges) == sum(live.values())


_values = (
    oracle.events()
    .map(lambda event: list(event.values()))
    .flatmap(
        lambda values: st.sampled_from(
            [
                leaf
                for value in values
                for leaf in (value if isinstance(value, list) else [value])
                if not isinstance(leaf, dict | list)
            ]
            or [None]
        )
    )
)
_leaf_values = st.one_of(
    _values,
    st.sampled_from(["", "a", "ab", "abc", "Abc", "b", "xab", "ßa", "10.0.0.1", "2001:db8::9"]),
    st.sampled_from([True, False, None, 0, 1, 1.0, 2.5, 300, NAN, INF, -INF, 10**20]),
)


class TestFieldIndex:
    """A field index reaches the states of exactly the matchers that accept the value."""

    @settings(max_examples=150)
    @given(
        st.lists(st.lists(oracle._specs, min_size=1, max_size=3), min_size=1, max_size=6),
        st.lists(st.integers(0, 5), max_size=4),
        st.lists(_leaf_values, min_size=1, max_size=8),
    )
    def test_agrees_with_each_matcher(
        self, lists: list[list[Any]], removals: list[int], values: list[Any]
    ) -> None:
        """Random operators filed under states 0..n, some taken out again, probed by values."""
        index: FieldIndex[int] = FieldIndex()
        filed: list[tuple[ValueMatcher, int]] = []
        absent: list[int] = []
        for state, match_list in enumerate(lists):
            if match_list == [{"exists": False}]:
                index.file(None, state, add=True)
                absent.append(state)
                continue
            for matcher in matchers_of(match_list):
                index.file(matcher, state, add=True)
                filed.append((matcher, state))
        for state in set(removals):
            for matcher, owner in [pair for pair in filed if pair[1] == state]:
                index.file(matcher, owner, add=False)
                filed.remove((matcher, owner))
            if state in absent:
                index.file(None, state, add=False)
                absent.remove(state)
        assert index.entries == len(filed) + len(absent) and index.absent == absent
        assert Counter(index.states()) == Counter([s for _, s in filed] + absent)
        for value in values:
            out: list[int] = []
            index.lookup(value, out)
            assert Counter(out) == Counter(s for m, s in filed if m.matches(value)), value

    def test_plain_only_for_exact_strings(self) -> None:
        """The walker's fast path is taken only while the index holds exact strings alone."""
        index: FieldIndex[str] = FieldIndex()
        (exact,) = matchers_of(["x"])
        index.file(exact, "s", add=True)
        assert index.plain
        (prefix,) = matchers_of([{"prefix": "x"}])
        index.file(prefix, "p", add=True)
        assert not index.plain
        index.file(prefix, "p", add=False)
        assert index.plain

    @pytest.mark.parametrize(
        ("match_list", "rank"),
        [
            (["a", 1, None], 0),
            ([{"equals-ignore-case": "a"}, {"numeric": ["=", 3]}], 0),
            ([{"prefix": "a"}, "b"], 1),
            ([{"cidr": "10.0.0.0/8"}], 1),
            ([{"wildcard": "a*"}], 1),
            ([{"numeric": [">", 1]}], 2),
            ([{"prefix": ""}], 3),
            ([{"wildcard": "*a"}], 3),
            ([{"exists": True}], 3),
            ([{"anything-but": "a"}, "b"], 3),
        ],
    )
    def test_field_rank(self, match_list: list[Any], rank: int) -> None:
        """Values rank before affixes, affixes before ranges, ranges before the rest."""
        assert field_rank(matchers_of(match_list)) == rank


class TestLiteralPrefix:
    """A wildcard's literal prefix starts every value it matches."""

    @pytest.mark.parametrize(
        ("text", "prefix"),
        [("ab*c", "ab"), ("*c", ""), ("a\\*b*", "a*b"), ("a\\\\*", "a\\"), ("é*", "é"), ("x", "x")],
    )
    def test_examples(self, text: str, prefix: str) -> None:
        """Escapes are literal characters; the prefix stops at the first unescaped star."""
        assert literal_prefix(Wildcard.parse(text)) == prefix

    @given(st.text("ab*\\é", max_size=6), st.text("ab*\\é", max_size=8))
    def test_prefix_of_every_match(self, text: str, value: str) -> None:
        """Whatever the wildcard, a value it matches starts with its literal prefix."""
        try:
            wildcard = Wildcard.parse(text)
        except ValueError:
            return
        if wildcard.matches(value):
            assert value.startswith(literal_prefix(wildcard))
